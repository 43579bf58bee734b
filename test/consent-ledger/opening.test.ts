// Opening a case (SPEC section 2): each rule violated alone gives a 400 that names it, every
// violation is reported at once together with shape errors, a valid case of each route opens, and
// only the college of an active gemeente opens a case, for its own municipality.
import t from 'tap'
import { PROBLEM_TYPE } from '@wams/platform'
import { BSN, OIN, callers, codes, ernstigBody, hulpvraagBody, startLedger } from './helpers.ts'

const { app } = await startLedger(t, 'ledger_opening')

const post = (payload: unknown, headers = callers.college()) => app.inject({ method: 'POST', url: '/v1/cases', headers, payload: payload as Record<string, unknown> })

const alone: Array<{ name: string, code: string, body: Record<string, unknown>, pointer: string }> = [
  { name: 'one social-domain problem only', code: 'PROBLEMS_INSUFFICIENT', pointer: '/problems', body: hulpvraagBody({ problems: [{ domain: 'schulden', description: 'Huurachterstand' }] }) },
  { name: 'two adjacent-domain problems, no social one', code: 'PROBLEMS_INSUFFICIENT', pointer: '/problems', body: hulpvraagBody({ problems: [{ domain: 'zorg', description: 'GGZ' }, { domain: 'wonen', description: 'Uitzetting dreigt' }] }) },
  { name: 'two problems in the same social-domain area', code: 'PROBLEMS_INSUFFICIENT', pointer: '/problems', body: hulpvraagBody({ problems: [{ domain: 'schulden', description: 'Huur' }, { domain: 'schulden', description: 'Energie' }] }) },
  { name: 'no relatedness statement', code: 'RELATEDNESS_MISSING', pointer: '/relatedness', body: hulpvraagBody({ relatedness: undefined }) },
  { name: 'a relatedness statement of a few characters', code: 'RELATEDNESS_MISSING', pointer: '/relatedness', body: hulpvraagBody({ relatedness: 'samen' }) },
  { name: 'route ernstig without a serious ground', code: 'SERIOUS_GROUND_REQUIRED', pointer: '/seriousGrounds', body: ernstigBody({ seriousGrounds: [] }) },
  { name: 'route hulpvraag with a serious ground', code: 'SERIOUS_GROUNDS_NOT_ALLOWED', pointer: '/seriousGrounds', body: hulpvraagBody({ seriousGrounds: ['zorgmijding'] }) },
  { name: 'client not informed without a reason', code: 'NOT_INFORMED_REASON_REQUIRED', pointer: '/notInformedReason', body: ernstigBody({ notInformedReason: undefined }) },
  { name: 'route hulpvraag with the client not informed', code: 'CLIENT_INFORMED_REQUIRED', pointer: '/clientInformed', body: hulpvraagBody({ clientInformed: false, notInformedReason: 'Een reden die lang genoeg is voor de regel.' }) },
  { name: 'no client', code: 'ONE_CLIENT_REQUIRED', pointer: '/subjects', body: hulpvraagBody({ subjects: [{ bsn: BSN.member, role: 'household-member' }] }) },
  { name: 'two clients', code: 'ONE_CLIENT_REQUIRED', pointer: '/subjects', body: hulpvraagBody({ subjects: [{ bsn: BSN.client, role: 'client' }, { bsn: BSN.member, role: 'client' }] }) },
  { name: 'a BSN failing the eleven-test', code: 'BSN_INVALID', pointer: '/subjects/1/bsn', body: hulpvraagBody({ subjects: [{ bsn: BSN.client, role: 'client' }, { bsn: '123456789', role: 'household-member' }] }) },
  { name: 'a BSN of eight digits', code: 'BSN_INVALID', pointer: '/subjects/0/bsn', body: hulpvraagBody({ subjects: [{ bsn: '99999001', role: 'client' }] }) },
  { name: 'the same person twice', code: 'DUPLICATE_SUBJECT', pointer: '/subjects/1/bsn', body: hulpvraagBody({ subjects: [{ bsn: BSN.client, role: 'client' }, { bsn: BSN.client, role: 'household-member' }] }) },
  { name: 'a coordinator of an unregistered organisation', code: 'COORDINATOR_NOT_REGISTERED', pointer: '/coordinator/org', body: hulpvraagBody({ coordinator: { org: OIN.unregistered, sub: 'x' } }) },
  { name: 'a coordinator of an inactive party', code: 'COORDINATOR_NOT_REGISTERED', pointer: '/coordinator/org', body: hulpvraagBody({ coordinator: { org: OIN.inactiveWoningcorporatie, sub: 'x' } }) }
]

for (const c of alone) {
  t.test(`${c.name} → 400 ${c.code}, and only that`, async (t) => {
    const res = await post(c.body)
    t.equal(res.statusCode, 400)
    t.match(res.headers['content-type'], PROBLEM_TYPE)
    t.same(codes(res), [c.code])
    t.equal(res.json().errors[0].pointer, c.pointer)
    t.match(res.json(), { status: 400, title: 'Bad Request', detail: /1 violation/ })
    t.notOk(/[0-9]{8,9}/.test(JSON.stringify(res.json().errors)), 'no BSN (or part of one) in the errors')
  })
}

t.test('every violation is reported at once, with the body\'s shape errors, in one pass', async (t) => {
  const res = await post({
    route: 'ernstig',
    subjects: [{ bsn: '123456789', role: 'household-member' }, { bsn: '123456789', role: 'household-member' }],
    problems: [{ domain: 'wonen', description: 'Uitzetting' }],
    clientInformed: false,
    coordinator: { org: OIN.unregistered, sub: 'x' },
    municipality: OIN.otherGemeente
  })
  t.equal(res.statusCode, 400)
  t.same(codes(res), [
    'BODY_INVALID', 'BSN_INVALID', 'BSN_INVALID', 'COORDINATOR_NOT_REGISTERED', 'NOT_INFORMED_REASON_REQUIRED',
    'ONE_CLIENT_REQUIRED', 'PROBLEMS_INSUFFICIENT', 'RELATEDNESS_MISSING', 'SERIOUS_GROUND_REQUIRED'
  ])
  t.match(res.json().errors.find((e: { code: string }) => e.code === 'BODY_INVALID'), { pointer: '/municipality' }, 'a case never names its own municipality')
  t.notOk(res.body.includes('123456789'), 'the rejected BSN is not echoed')
})

t.test('a malformed body still gets every rule checked', async (t) => {
  const res = await post({ route: 'elsewhere', subjects: 'nobody', problems: [{ domain: 'astrology' }] })
  t.equal(res.statusCode, 400)
  const found = codes(res)
  t.ok(found.includes('BODY_INVALID'))
  for (const code of ['PROBLEMS_INSUFFICIENT', 'RELATEDNESS_MISSING', 'ONE_CLIENT_REQUIRED', 'COORDINATOR_NOT_REGISTERED']) t.ok(found.includes(code), code)
})

t.test('a valid case of route hulpvraag opens', async (t) => {
  const res = await post(hulpvraagBody())
  t.equal(res.statusCode, 201)
  const body = res.json()
  t.equal(res.headers.location, `/v1/cases/${body.caseId}`)
  t.equal(res.headers.etag, '"1"')
  t.match(body, {
    version: 1,
    event: { seq: 1, type: 'case.opened', hash: /^[0-9a-f]{64}$/ },
    state: {
      view: 'full',
      route: 'hulpvraag',
      phase: 'onderzoek',
      municipality: OIN.gemeente,
      coordinator: { org: OIN.gemeente, sub: 'coordinator-anna' },
      seriousGrounds: [],
      clientInformed: true,
      scope: null,
      participants: [],
      objections: [],
      closedAt: null
    }
  })
  t.same(body.state.subjects.map((s: { bsn: string, role: string }) => [s.bsn, s.role]), [[BSN.client, 'client'], [BSN.member, 'household-member']])
  t.ok(body.state.subjects.every((s: { subjectRef: string }) => /^[A-Za-z0-9_-]{43}$/.test(s.subjectRef)), 'each subject has its pseudonym')
  const read = await app.inject({ method: 'GET', url: `/v1/cases/${body.caseId}`, headers: callers.college() })
  t.equal(read.statusCode, 200)
  t.same(read.json(), body.state, 'the acknowledged case reads back the same')
})

t.test('a valid case of route ernstig opens, client not informed for a weighty reason', async (t) => {
  const res = await post(ernstigBody())
  t.equal(res.statusCode, 201)
  t.match(res.json().state, { route: 'ernstig', seriousGrounds: ['overlast'], clientInformed: false, notInformedReason: /veiligheid/ })
  t.same(res.json().state.problems.map((p: { domain: string }) => p.domain), ['jeugd', 'oov'], 'one social and one adjacent problem suffice')
})

t.test('only the college of an active gemeente opens a case', async (t) => {
  const asCoordinator = await post(hulpvraagBody(), callers.coordinator())
  t.equal(asCoordinator.statusCode, 403)
  t.match(asCoordinator.headers['content-type'], PROBLEM_TYPE)
  t.equal((await post(hulpvraagBody(), callers.collegeOfCareProvider())).statusCode, 403, 'role college of a party that is no gemeente')
  t.equal((await post(hulpvraagBody(), callers.supervisor())).statusCode, 403)
  t.equal((await post(hulpvraagBody(), callers.gateway())).statusCode, 403)
  const anonymous = await app.inject({ method: 'POST', url: '/v1/cases', payload: hulpvraagBody() })
  t.equal(anonymous.statusCode, 401)
  t.match(anonymous.headers['content-type'], PROBLEM_TYPE)
  const forbiddenFirst = await post({ route: 'nonsense' }, callers.coordinator())
  t.equal(forbiddenFirst.statusCode, 403, 'who may open is decided before the body is looked at')
})

t.test('the case belongs to the municipality of the college that opened it', async (t) => {
  // Its client lives in Buurdorp (residence); the household member, in Voorbeeldstad, may live elsewhere.
  const res = await post(hulpvraagBody({ subjects: [{ bsn: BSN.elsewhere, role: 'client' }, { bsn: BSN.member, role: 'household-member' }] }), callers.otherCollege())
  t.equal(res.statusCode, 201)
  t.equal(res.json().state.municipality, OIN.otherGemeente)
  const byFirst = await app.inject({ method: 'GET', url: `/v1/cases/${res.json().caseId}`, headers: callers.college() })
  t.equal(byFirst.statusCode, 404, 'another municipality\'s college does not even learn it exists')
})

t.test('every route is in the OpenAPI document with its schemas', async (t) => {
  const doc = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json()
  // Paths are relative to the server URL /v1 (API Design Rules /core/uri-version).
  t.same(doc.servers?.map((s: { url: string }) => s.url), ['/v1'])
  const expected: Array<[string, string]> = [
    ['/cases', 'post'], ['/cases/{caseId}', 'get'], ['/cases/{caseId}/decision-state', 'get'],
    ['/cases/{caseId}/ledger', 'get'], ['/cases/{caseId}/verification', 'get'], ['/cases/{caseId}/scope', 'put'],
    ['/cases/{caseId}/participants', 'post'], ['/cases/{caseId}/participants/{org}', 'delete'],
    ['/cases/{caseId}/phase', 'post'], ['/cases/{caseId}/close', 'post'], ['/cases/{caseId}/objections', 'post'],
    ['/cases/{caseId}/objections/{objectionId}/decision', 'post']
  ]
  for (const [path, method] of expected) {
    const op = doc.paths[path]?.[method]
    t.ok(op, `${method.toUpperCase()} ${path}`)
    t.ok(op?.responses?.['200'] ?? op?.responses?.['201'], `${method.toUpperCase()} ${path} documents its success response`)
    t.ok(op?.responses?.['401'] && op?.responses?.['403'], `${method.toUpperCase()} ${path} documents 401 and 403`)
    if (method !== 'get' && method !== 'delete') t.ok(op?.requestBody, `${method.toUpperCase()} ${path} documents its body`)
  }
})
