// POST /v1/subjects/cases: in which cases is a person a subject? The college or a coordinator of a
// municipality learns its own cases, the supervisor every case, anyone else nothing (403); the BSN
// travels in the body only and is never echoed (access.ts SUBJECT_CASES).
import t from 'tap'
import { BSN, OIN, callers, hulpvraagBody, openCase, startLedger } from './helpers.ts'
import { bearer } from '../support/tokens.ts'

t.test('the cases of a person, as far as the caller may ask', async (t) => {
  const { app } = await startLedger(t, 'ledger_subject_cases')
  const ask = (headers: Record<string, string>, bsn: string) => app.inject({ method: 'POST', url: '/v1/subjects/cases', headers, payload: { bsn } })
  const ids = async (headers: Record<string, string>, bsn: string) => {
    const res = await ask(headers, bsn)
    t.equal(res.statusCode, 200, res.body.slice(0, 200))
    return (res.json().cases as Array<{ caseId: string }>).map((c) => c.caseId).sort()
  }

  // Voorbeeldstad: the client and a household member; Buurdorp: a resident of Buurdorp.
  const { caseId: first } = await openCase(app)
  const { caseId: second } = await openCase(app, hulpvraagBody({ subjects: [{ bsn: BSN.member, role: 'client' }] }))
  const buurdorpCoordinator = { org: OIN.otherGemeente, sub: 'coordinator-buurdorp' }
  const opened = await app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: callers.otherCollege(),
    payload: hulpvraagBody({ subjects: [{ bsn: BSN.elsewhere, role: 'client' }, { bsn: BSN.member, role: 'household-member' }], coordinator: buurdorpCoordinator })
  })
  t.equal(opened.statusCode, 201, opened.body.slice(0, 300))
  const buurdorp = opened.json().caseId as string

  t.same(await ids(callers.college(), BSN.client), [first], 'the college: its case of the client')
  t.same(await ids(callers.college(), BSN.member), [first, second].sort(), 'a household member in one case, the client of another')
  t.same(await ids(callers.otherCoordinator(), BSN.member), [first, second].sort(), 'any coordinator of the municipality')
  t.same(await ids(callers.college(), BSN.elsewhere), [], 'not another municipality\'s case')
  t.same(await ids(callers.otherCollege(), BSN.member), [buurdorp], 'Buurdorp: only its own case of the same person')
  t.same(await ids(callers.college(), BSN.other), [], 'a person in no case')
  t.same(await ids(callers.supervisor(), BSN.member), [first, second, buurdorp].sort(), 'the supervisor: every case')

  await app.inject({ method: 'POST', url: `/v1/cases/${first}/close`, headers: callers.college(), payload: { reason: 'De aanpak is afgerond.' } })
  t.same(await ids(callers.college(), BSN.client), [first], 'a closed case still counts')

  for (const [who, headers] of [
    ['a participant\'s professional', callers.participant()],
    ['a professional of the municipality', bearer({ org: OIN.gemeente, roles: ['professional'], sub: 'pro-gemeente' })],
    ['a college of a party type that may not own cases', callers.collegeOfCareProvider()],
    ['a supervisor role of another party', callers.fakeSupervisor()],
    ['the gateway', callers.gateway()]
  ] as const) {
    const res = await ask(headers, BSN.client)
    t.equal(res.statusCode, 403, who)
    t.match(res.json(), { status: 403, code: 'FORBIDDEN' })
    t.notOk(res.body.includes(BSN.client), 'the BSN is not echoed')
  }

  const invalid = await ask(callers.college(), '123456789')
  t.equal(invalid.statusCode, 400, 'a BSN that fails the eleven-test')
  t.notOk(invalid.body.includes('123456789'), 'is not echoed')
  t.equal((await app.inject({ method: 'POST', url: '/v1/subjects/cases', payload: { bsn: BSN.client } })).statusCode, 401, 'a token is needed')
})
