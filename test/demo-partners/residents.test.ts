// The demo residents of SPEC section 6 at every party of the register: who knows whom, what they
// answer, and that every answer fits its category schema.
import t from 'tap'
import { categoryTable, type PartyType } from '@wams/schemas'
import { PROBLEM_TYPE } from '@wams/platform'
import {
  ask, CLIENT, contractOnly, demoPartners, gatewayToken, requestBody, HOUSEHOLD_MEMBER, partyOfType, REFUSED_HEALTH, register, schemaErrors, suppliers, UNKNOWN, validates
} from './helpers.ts'

const MEDICAL_SECRECY: PartyType[] = ['zorgaanbieder', 'huisarts']
const KNOW_THE_CHILD: PartyType[] = ['gemeente', 'school', 'ggd', 'jeugdhulpaanbieder']

t.test('999990019: every party answers for every category it supplies, the whole record, within its schema', async (t) => {
  const app = await demoPartners()
  t.teardown(() => app.close())
  let answers = 0
  for (const party of suppliers) {
    for (const category of party.categories) {
      // Asked for one field, the partner still sends everything: minimising is the gateway's job.
      const res = await ask(app, party.oin, CLIENT, category, { body: { fields: [categoryTable[category].signal[0]] } })
      t.equal(res.statusCode, 200, `${party.name} / ${category}: 200`)
      t.match(res.headers['content-type'], /^application\/json/)
      const { data } = res.json()
      t.ok(validates(category, data), `${party.name} / ${category}: valid`, { errors: schemaErrors(category, data) })
      const fields = [...categoryTable[category].signal, ...categoryTable[category].detail]
      t.same(fields.filter((f) => !(f in data)), [], `${party.name} / ${category}: every signal and detail field`)
      answers++
    }
  }
  t.equal(answers, suppliers.reduce((n, p) => n + p.categories.length, 0))
  t.ok(answers >= 30, `${answers} party-category pairs`)
})

t.test('the records differ by party where the parties see differently', async (t) => {
  const app = await demoPartners()
  t.teardown(() => app.close())
  const involvement = await Promise.all(suppliers.map(async (p) => (await ask(app, p.oin, CLIENT, 'involvement')).json().data))
  for (const data of involvement) t.match(data, { known: true, since: /^\d{4}-\d{2}-\d{2}$/, contactPerson: { name: String, phone: String, email: String } })
  const emails = new Set(involvement.map((d) => d.contactPerson.email))
  t.equal(emails.size, suppliers.length, 'each party has its own contact person address')
  const police = involvement[suppliers.findIndex((p) => p.partyType === 'politie')]
  t.equal(police.contactPerson.function, 'wijkagent')

  // The energy supplier knows its own arrears; the debt counsellor knows them all.
  const energy = (await ask(app, partyOfType('energieleverancier').oin, CLIENT, 'debts')).json().data
  const counsellor = (await ask(app, partyOfType('schuldhulpverlening').oin, CLIENT, 'debts')).json().data
  t.same(energy.arrears.map((a: { creditorType: string }) => a.creditorType), ['energie'])
  t.ok(counsellor.arrears.length > energy.arrears.length)
  for (const data of [energy, counsellor]) {
    t.equal(data.totalArrears, data.arrears.reduce((sum: number, a: { amount: number }) => sum + a.amount, 0), 'total is the sum, in cents')
    t.ok(Number.isInteger(data.totalArrears))
  }
  const gp = (await ask(app, partyOfType('huisarts').oin, CLIENT, 'health')).json().data
  const ggz = (await ask(app, partyOfType('zorgaanbieder').oin, CLIENT, 'health')).json().data
  t.same(gp.careType, ['huisartsenzorg'])
  t.same(ggz.careType, ['ggz'])
})

t.test('some partner systems add fields outside the contract; the contract alone drops them', async (t) => {
  const app = await demoPartners()
  t.teardown(() => app.close())
  const housing = (await ask(app, partyOfType('woningcorporatie').oin, CLIENT, 'housing')).json().data
  t.type(housing.internalNote, 'string', 'a working note of the landlord')
  t.ok(validates('housing', housing), 'still within the contract (extra properties are allowed)')
  const minimised = contractOnly('housing', housing) as Record<string, unknown>
  t.notOk('internalNote' in minimised)
  t.same(Object.keys(minimised).sort(), ['arrearsMonths', 'evictionRisk', 'nuisanceReports', 'rentArrears', 'tenant'])
  const ggz = (await ask(app, partyOfType('zorgaanbieder').oin, CLIENT, 'health')).json().data
  t.type(ggz.dossierNummer, 'string')
  const municipality = (await ask(app, partyOfType('gemeente').oin, CLIENT, 'identity')).json().data
  t.same(Object.keys(municipality).sort(), ['address', 'birthDate', 'name'], 'the gemeente keeps to its contract')
})

t.test('999990020, household member: known to the gemeente, school, ggd and jeugdhulpaanbieder only', async (t) => {
  const app = await demoPartners()
  t.teardown(() => app.close())
  for (const party of suppliers) {
    const knows = KNOW_THE_CHILD.includes(party.partyType)
    for (const category of party.categories) {
      const res = await ask(app, party.oin, HOUSEHOLD_MEMBER, category)
      if (knows) {
        t.equal(res.statusCode, 200, `${party.name} / ${category}: known`)
        t.ok(validates(category, res.json().data), `${party.name} / ${category}: valid`)
      } else {
        t.equal(res.statusCode, 404, `${party.name} / ${category}: not known`)
        t.match(res.headers['content-type'], PROBLEM_TYPE)
        t.match(res.json(), { status: 404, code: 'SUBJECT_NOT_KNOWN' })
      }
    }
  }
  const gemeente = partyOfType('gemeente').oin
  const household = (await ask(app, gemeente, HOUSEHOLD_MEMBER, 'household')).json().data
  t.match(household, { size: 3, members: [{ relation: 'parent' }, { relation: 'sibling' }] })
  const clientHousehold = (await ask(app, gemeente, CLIENT, 'household')).json().data
  const child = clientHousehold.members.find((m: { relation: string }) => m.relation === 'child')
  const identity = (await ask(app, gemeente, HOUSEHOLD_MEMBER, 'identity')).json().data
  t.equal(child.birthDate, identity.birthDate, 'the household member is the client\'s child in both records')
  const school = (await ask(app, partyOfType('school').oin, HOUSEHOLD_MEMBER, 'education')).json().data
  t.match(school, { enrolled: true, school: { level: 'vo' } })
})

t.test('999990032 is known to no party: 404 everywhere, without the BSN in the answer', async (t) => {
  const app = await demoPartners()
  t.teardown(() => app.close())
  for (const party of suppliers) {
    for (const category of party.categories) {
      const res = await ask(app, party.oin, UNKNOWN, category)
      t.equal(res.statusCode, 404, `${party.name} / ${category}`)
      t.match(res.json(), { status: 404, title: 'Not Found', code: 'SUBJECT_NOT_KNOWN', requestId: String })
      t.notOk(res.body.includes(UNKNOWN))
    }
  }
})

t.test('999990044: the zorgaanbieder and the huisarts refuse health (451, a reason in Dutch); the GGD answers', async (t) => {
  const app = await demoPartners()
  t.teardown(() => app.close())
  for (const party of suppliers) {
    for (const category of party.categories) {
      const res = await ask(app, party.oin, REFUSED_HEALTH, category)
      if (category === 'health' && MEDICAL_SECRECY.includes(party.partyType)) {
        t.equal(res.statusCode, 451, `${party.name} / health: refused`)
        t.match(res.headers['content-type'], PROBLEM_TYPE)
        const body = res.json()
        t.match(body, { status: 451, code: 'REFUSED', reason: /^Medisch beroepsgeheim: .{40,}/ })
        t.notOk('data' in body, 'nothing of the record goes along')
        t.notOk(res.body.includes(REFUSED_HEALTH))
      } else {
        t.equal(res.statusCode, 200, `${party.name} / ${category}: answered`)
        t.ok(validates(category, res.json().data), `${party.name} / ${category}: valid`)
      }
    }
  }
  const ggd = await ask(app, partyOfType('ggd').oin, REFUSED_HEALTH, 'health')
  t.equal(ggd.statusCode, 200)
  t.match(ggd.json().data, { careInvolved: true, riskIndication: 'high' })
  // The refusal is about medical secrecy, not about health data as such: other categories flow.
  t.equal((await ask(app, partyOfType('zorgaanbieder').oin, REFUSED_HEALTH, 'involvement')).statusCode, 200)
})

t.test('every party of the register has its system, under its own path', async (t) => {
  const app = await demoPartners()
  t.teardown(() => app.close())
  const inactive = register.parties.find((p) => !p.active)!
  t.equal((await ask(app, inactive.oin, CLIENT, 'involvement')).statusCode, 200, 'an inactive party\'s system still answers; the gateway never calls it')
  const unknown = await ask(app, '00000099000000009999', CLIENT, 'involvement')
  t.equal(unknown.statusCode, 404)
  t.match(unknown.json(), { code: 'PARTNER_NOT_FOUND' })
  const malformed = await ask(app, 'not-an-oin', CLIENT, 'involvement')
  t.equal(malformed.statusCode, 404)
})

t.test('a category the party does not supply, or a malformed request, is a 400 problem', async (t) => {
  const app = await demoPartners()
  t.teardown(() => app.close())
  const school = partyOfType('school').oin
  const notSupplied = await ask(app, school, CLIENT, 'health')
  t.equal(notSupplied.statusCode, 400)
  t.match(notSupplied.json(), { code: 'CATEGORY_NOT_SUPPLIED', detail: /health/ })
  const supervisor = partyOfType('toezichthouder').oin
  t.equal((await ask(app, supervisor, CLIENT, 'involvement')).statusCode, 400, 'the toezichthouder supplies nothing')

  const bad = await ask(app, school, CLIENT, 'education', { body: { subject: '123456789', category: 'hobbies', requester: { org: '1' }, purpose: undefined } })
  t.equal(bad.statusCode, 400)
  t.match(bad.headers['content-type'], PROBLEM_TYPE)
  const pointers = bad.json().errors.map((e: { pointer: string }) => e.pointer).sort()
  t.same(pointers, ['/category', '/purpose', '/requester/org', '/requester/partyType', '/subject'], 'every error at once')
  t.notOk(bad.body.includes('123456789'), 'the rejected BSN is not echoed')
})

t.test('shell: health, OpenAPI, API-Version, traceparent', async (t) => {
  const app = await demoPartners()
  t.teardown(() => app.close())
  t.equal((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode, 200)
  const openapi = (await app.inject({ method: 'GET', url: '/v1/openapi.json' })).json()
  const route = openapi.paths['/partners/{oin}/wams/v1/data-requests']?.post
  t.ok(route, 'the partner route is documented')
  // 406 (Accept) and a default problem are documented for every operation by the platform.
  t.same(Object.keys(route.responses).sort(), ['200', '400', '401', '404', '406', '451', '500', '503', 'default'])
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
  const res = await app.inject({
    method: 'POST',
    url: `/partners/${partyOfType('ggd').oin}/wams/v1/data-requests`,
    headers: { authorization: `Bearer ${gatewayToken(partyOfType('ggd').oin)}`, traceparent },
    payload: requestBody(CLIENT, 'health')
  })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['api-version'], '1.0.0')
  t.match(res.headers.traceparent, /^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/, 'the caller\'s trace continues')
})
