// Deny reasons are not an oracle (SPEC §6, issue 11): a caller without standing in a case gets one
// answer that does not depend on what the case holds — the 404 of a case that does not exist. The
// answers of every stranger below, for an existing and a non-existing case, a subject in and not
// in the case, with and without a pending objection, are byte-identical once the ids of the request
// and its audit event are taken out; headers too, apart from the request's ids, the date and the caller's own rate-limit
// count. Those with standing keep their
// reasons, and the audit record keeps every reason for the supervisor.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { bearer } from '../support/tokens.ts'
import {
  BSN, NECESSITY, OIN, auditEventsOf, callers, ernstigCase, ledgerCall, openCase, startExchange, untimedDetail
} from './helpers.ts'

const x = await startExchange(t, 'gw_no_oracle')
const { gateway, ledger, sql } = x

const plain = await openCase(ledger, { body: ernstigCase() })
const objected = await openCase(ledger, { body: ernstigCase() })
await ledgerCall(ledger, 'POST', `/v1/cases/${objected}/objections`, { subject: BSN.client, reason: 'Ik wil niet dat mijn gegevens gedeeld worden.' })
const nowhere = randomUUID()

const strangers = {
  'a housing corporation (registered, not a participant)': bearer({ org: OIN.woningcorporatie, roles: ['professional'], sub: 'probe' }),
  'another municipality\'s college': callers.otherCollege(),
  'a professional of the owning municipality': callers.professional(OIN.gemeente),
  'an unregistered organisation': bearer({ org: OIN.unregistered, roles: ['college'], sub: 'probe' }),
  'an inactive party': bearer({ org: OIN.inactiveWoningcorporatie, roles: ['professional'], sub: 'probe' })
}

/** The probes: what a stranger could try to learn something from. */
const probes = [
  { label: 'existing case, subject in it', caseId: plain, subject: BSN.client },
  { label: 'existing case, subject not in it', caseId: plain, subject: BSN.refused },
  { label: 'existing case, subject with a pending objection', caseId: objected, subject: BSN.client },
  { label: 'no such case', caseId: nowhere, subject: BSN.client }
]

const dataRequest = (caseId: string, subject: string, headers: Record<string, string>) => gateway.inject({
  method: 'POST',
  url: `/v1/cases/${caseId}/data-requests`,
  headers,
  payload: { provider: OIN.gemeente, subject, category: 'identity', fields: ['name'], purpose: 'onderzoek', necessity: NECESSITY }
})
const involvementCheck = (caseId: string, subject: string, headers: Record<string, string>) => gateway.inject({
  method: 'POST',
  url: `/v1/cases/${caseId}/involvement-check`,
  headers,
  payload: { subject, necessity: NECESSITY }
})

/** The answer with the request id taken out: what must not differ between the probes. */
function fingerprint (res: LightMyRequestResponse): string {
  const { requestId, auditEventId } = res.json() as { requestId: string, auditEventId: string }
  const headers = Object.entries(res.headers)
    // The request's own ids (traceparent carries its trace id) and the caller's own rate-limit
    // count: nothing of the case is in them.
    .filter(([name]) => !['date', 'request-id', 'x-request-id', 'traceparent'].includes(name) && !/^(x-)?ratelimit-/.test(name))
    .map(([name, value]) => `${name}: ${String(value).replaceAll(requestId, '<id>')}`)
    .sort()
  return `${res.statusCode}\n${headers.join('\n')}\n\n${res.body.replaceAll(requestId, '<id>').replaceAll(auditEventId, '<event>')}`
}

for (const [endpoint, call] of [['data request', dataRequest], ['involvement check', involvementCheck]] as const) {
  t.test(`${endpoint}: a stranger's answers are byte-identical whatever the case holds`, async (t) => {
    const seen = new Map<string, string>()
    for (const [who, headers] of Object.entries(strangers)) {
      for (const probe of probes) {
        const res = await call(probe.caseId, probe.subject, headers)
        t.equal(res.statusCode, 404, `${who}, ${probe.label}: 404`)
        t.notOk('reasons' in res.json() || 'results' in res.json(), `${who}, ${probe.label}: no reasons, no results`)
        seen.set(`${who}, ${probe.label}`, fingerprint(res))
      }
    }
    const distinct = new Set(seen.values())
    t.equal(distinct.size, 1, `one answer for all ${seen.size} probes`, { distinct: [...distinct].slice(0, 3) })
    t.match([...distinct][0], /"code":"CASE_NOT_FOUND"/)
  })
}

t.test('the audit record of a stranger\'s attempt keeps every reason, flagged, outside the case\'s trail', async (t) => {
  const res = await dataRequest(objected, BSN.client, strangers['another municipality\'s college'])
  const [event] = await auditEventsOf(sql, res.json().requestId)
  t.match(event, { type: 'data-request.decision', outcome: 'deny', caseId: null, actor: { org: OIN.otherGemeente } })
  t.same(untimedDetail(t, event), { decision: 'deny', flags: ['no-standing'], namedCaseId: objected })
  t.same(event!.reasons, ['ROLE_NOT_PERMITTED', 'OBJECTION_PENDING'], 'the reasons the caller was not told, objection included')
  const { rows } = await sql.query("SELECT count(*)::int AS n FROM outbox WHERE payload::jsonb->>'caseId' = $1 AND payload::jsonb->>'transactionId' = $2", [objected, res.json().requestId])
  t.equal(rows[0].n, 0, 'nothing of it under the case id')

  const check = await involvementCheck(plain, BSN.client, strangers['a housing corporation (registered, not a participant)'])
  const { rows: checked } = await sql.query("SELECT payload FROM outbox WHERE payload::jsonb->'detail'->>'checkRequestId' = $1", [check.json().requestId])
  const records = checked.map((r: { payload: string }) => JSON.parse(r.payload))
  t.ok(records.length >= 1, `the check is recorded (${records.length} records)`)
  for (const r of records) t.match(r, { type: 'involvement-check.decision', outcome: 'deny', caseId: null, detail: { flags: ['no-standing'], namedCaseId: plain } })
})

t.test('those with standing keep their reasons', async (t) => {
  // The owning municipality's college: the objection is its business.
  const college = await dataRequest(objected, BSN.client, callers.college())
  t.equal(college.statusCode, 403)
  t.same(college.json().reasons, ['OBJECTION_PENDING'])
  // Another coordinator of the owning municipality acts for the municipality: standing.
  const subjectNotIn = await dataRequest(plain, BSN.refused, callers.otherCoordinator())
  t.equal(subjectNotIn.statusCode, 403)
  t.ok(subjectNotIn.json().reasons.includes('SUBJECT_NOT_IN_CASE'), 'the municipality learns the person is not in its case')
  // A participant of the case.
  const withParticipant = await openCase(ledger, { body: ernstigCase(), participants: [OIN.politie] })
  const participant = await dataRequest(withParticipant, BSN.client, callers.professional(OIN.politie))
  t.equal(participant.statusCode, 403)
  t.ok(participant.json().reasons.includes('ROLE_NOT_PERMITTED'), 'a participant may not investigate, and is told why')
  // The supervisor (the toezichthouder's supervisor role) has standing in every case.
  const supervisor = await dataRequest(plain, BSN.client, bearer({ org: OIN.toezichthouder, roles: ['supervisor'], sub: 'ap-inspector' }))
  t.equal(supervisor.statusCode, 403, supervisor.body.slice(0, 200))
  t.ok(Array.isArray(supervisor.json().reasons), 'the supervisor is told the reasons')
})
