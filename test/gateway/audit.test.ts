// Audit before release, fail closed (SPEC §7): when the audit record cannot be written the answer
// is 503 and nothing is released; when the consent ledger cannot be read there is no decision.
// Every decision's event reaches Kafka through the outbox, and no event, Kafka key or log line
// holds a BSN.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { Broker, PROBLEM_TYPE, type ConsumedMessage } from '@wams/platform'
import { KAFKA_BROKERS } from '../support/infra.ts'
import { DOWN_ORIGIN } from '../support/partners.ts'
import {
  BSN, DEMO_BSNS, NECESSITY, OIN, allAuditEvents, ask, assertNoBsnLogged, auditEvent, callers, ernstigCase, expectDeny, expectNoStanding, expectOutcome, expectPermit, openCase, startExchange, startGateway
} from './helpers.ts'

const x = await startExchange(t, 'gw_audit')
const { gateway, ledger, sql } = x
const caseId = await openCase(ledger, {
  body: ernstigCase({ subjects: [{ bsn: BSN.client, role: 'client' }, { bsn: BSN.member, role: 'household-member' }, { bsn: BSN.unknown, role: 'household-member' }, { bsn: BSN.refused, role: 'household-member' }] })
})
const health = { provider: OIN.zorgaanbieder, category: 'health', fields: ['careInvolved', 'riskIndication'] }

t.test('audit unavailable: 503 problem+json, nothing released; back to normal once it is', async (t) => {
  await expectPermit(t, sql, await ask(gateway, caseId, health), ['careInvolved', 'riskIndication'])
  const before = (await allAuditEvents(sql)).length

  // The audit path breaks for real: the outbox table is gone for the gateway.
  await sql.query('ALTER TABLE outbox RENAME TO outbox_unavailable')
  let restored = false
  const restore = async () => { if (!restored) { restored = true; await sql.query('ALTER TABLE outbox_unavailable RENAME TO outbox') } }
  t.teardown(restore)

  const permitted = await ask(gateway, caseId, health)
  t.equal(permitted.statusCode, 503, 'a permitted request is not answered')
  t.match(permitted.headers['content-type'], PROBLEM_TYPE)
  t.match(permitted.json(), { status: 503, code: 'AUDIT_UNAVAILABLE', outcome: 'error', requestId: /^[0-9a-f-]{36}$/ })
  t.notOk('data' in permitted.json(), 'no data')
  t.notOk(permitted.body.includes('careInvolved'), 'nothing of the partner\'s answer')

  const denied = await ask(gateway, caseId, { ...health, necessity: 'kort' })
  t.equal(denied.statusCode, 503, 'a denial is not answered either without its record')
  t.match(denied.json(), { code: 'AUDIT_UNAVAILABLE', outcome: 'error' })

  const check = await gateway.inject({ method: 'POST', url: `/v1/cases/${caseId}/involvement-check`, headers: callers.college(), payload: { subject: BSN.client, necessity: NECESSITY } })
  t.equal(check.statusCode, 503, 'nor an involvement check')
  t.notOk(check.body.includes('contactPerson'))

  await restore()
  t.equal((await allAuditEvents(sql)).length, before, 'nothing was recorded while it was down')
  await expectPermit(t, sql, await ask(gateway, caseId, health), ['careInvolved', 'riskIndication'])
})

t.test('consent ledger unavailable: 503, no decision, the failure audited', async (t) => {
  const lines: string[] = []
  const down = await startGateway(t, 'gw_noledger', { CONSENT_LEDGER_URL: DOWN_ORIGIN, REGISTER_FILE: x.registerFile, LEDGER_TIMEOUT_MS: '500' }, lines)
  const res = await ask(down.gateway, caseId, health)
  t.equal(res.statusCode, 503)
  t.match(res.headers['content-type'], PROBLEM_TYPE)
  t.match(res.json(), { code: 'CASE_STATE_UNAVAILABLE', outcome: 'error', requestId: /^[0-9a-f-]{36}$/ })
  const event = await auditEvent(down.sql, res.json().auditEventId)
  t.match(event, { type: 'data-request.decision', outcome: 'error', caseId, provider: OIN.zorgaanbieder, detail: { error: 'CASE_STATE_UNAVAILABLE' } })

  const check = await down.gateway.inject({ method: 'POST', url: `/v1/cases/${caseId}/involvement-check`, headers: callers.college(), payload: { subject: BSN.client, necessity: NECESSITY } })
  t.equal(check.statusCode, 503)
  t.match(check.json(), { code: 'CASE_STATE_UNAVAILABLE', outcome: 'error' })
  t.notOk(lines.some((l) => DEMO_BSNS.some((bsn) => l.includes(bsn))), 'no BSN logged')
})

t.test('every outcome is audited and reaches Kafka; no BSN in any event, key or log line', async (t) => {
  const noCaseId = randomUUID()
  const requests = [
    ask(gateway, caseId, health), // permit
    ask(gateway, caseId, { ...health, fields: ['diagnosisSummary'] }), // deny
    ask(gateway, caseId, { provider: OIN.huisarts, category: 'health', fields: ['careInvolved'], subject: BSN.refused }), // refused
    ask(gateway, caseId, { provider: OIN.gemeente, category: 'identity', fields: ['name'], subject: BSN.unknown }), // not-known
    ask(gateway, noCaseId, health), // deny without a case
    gateway.inject({ method: 'POST', url: `/v1/cases/${caseId}/data-requests`, payload: {} }) // authentication failure
  ]
  const [permit, deny, refused, notKnown, noCase, unauthenticated] = await Promise.all(requests)
  await expectOutcome(t, sql, permit!, 200, 'permit')
  await expectDeny(t, sql, deny!, ['FIELD_NOT_NECESSARY'])
  await expectOutcome(t, sql, refused!, 451, 'refused')
  await expectOutcome(t, sql, notKnown!, 404, 'not-known')
  await expectNoStanding(t, sql, noCase!, noCaseId, ['CASE_NOT_FOUND'])
  t.equal(unauthenticated!.statusCode, 401)

  const recorded = await allAuditEvents(sql)
  t.ok(recorded.length >= 8, `${recorded.length} events: the two of the first test and the six above`)
  const subjectRefs = new Set(recorded.map((r) => r.event.subjectRef).filter(Boolean))
  t.ok(subjectRefs.size >= 3, 'subjects recorded as pseudonyms')
  for (const r of recorded) {
    t.equal(r.key, r.event.caseId ?? r.event.eventId, `Kafka key: the case id or the event id (${r.event.type} ${r.key} ${r.event.caseId})`)
  }

  // The outbox relay ships every event; read them back from the gateway's audit topic.
  const broker = new Broker({ brokers: KAFKA_BROKERS, clientId: 'gw-audit-test', topicPrefix: x.gatewayTopicPrefix, partitions: 1, replicationFactor: 1 })
  t.teardown(() => broker.close())
  const wanted = new Set(recorded.map((r) => r.event.eventId))
  const seen = new Map<string, ConsumedMessage>()
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seen.size} of ${wanted.size} events on Kafka`)), 30000)
    void broker.consume({
      groupId: `gw-audit-test-${randomUUID()}`,
      topics: ['audit'],
      handle: async (messages) => {
        for (const m of messages) seen.set(JSON.parse(m.value).eventId, m)
        if ([...wanted].every((id) => seen.has(id))) { clearTimeout(timer); resolve() }
      }
    }).catch(reject)
  })
  t.ok([...wanted].every((id) => seen.has(id)), `all ${wanted.size} events are on Kafka`)
  const outcomes = new Set([...seen.values()].map((m) => JSON.parse(m.value).outcome))
  for (const o of ['permit', 'deny', 'refused', 'not-known', 'rejected']) t.ok(outcomes.has(o), `an event with outcome ${o} on Kafka`)
  for (const m of seen.values()) {
    for (const bsn of DEMO_BSNS) {
      t.notOk(m.value.includes(bsn), 'no BSN in the message')
      t.notOk(m.key?.includes(bsn), 'no BSN in the key')
      t.notOk(Object.values(m.headers).some((h) => h.includes(bsn)), 'no BSN in a header')
    }
  }
})

t.test('a BSN typed into the necessity statement is masked in the audit record', async (t) => {
  const res = await ask(gateway, caseId, { ...health, necessity: `Nodig voor de zorg rond ${BSN.member} en het gezin.` })
  const event = await expectPermit(t, sql, res, ['careInvolved', 'riskIndication'])
  t.notOk(event.necessity?.includes(BSN.member))
  t.match(event.necessity, /\[bsn\]/)
})

t.test('no BSN in any log line of this run', async (t) => {
  assertNoBsnLogged(t, x)
})
