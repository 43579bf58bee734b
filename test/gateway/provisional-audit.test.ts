// A permit's audit record is committed while the partner is asked (issue 13): provisional, the
// most the answer may release, flagged and held back from the log; the partner's answer replaces
// it with the final record under the same event id, the one the answer names. Should the final
// record never be written, the provisional one goes to the log as it stands once its hold has run
// out. With AUDIT_PROVISIONAL_HOLD_MS=0 the record is written only after the partner's answer.
import t from 'tap'
import type pg from 'pg'
import type { AuditEvent } from '@wams/platform'
import { BSN, OIN, ask, auditEvent, ernstigCase, expectPermit, openCase, startExchange, startGateway } from './helpers.ts'

const DELAY_MS = 600
const x = await startExchange(t, 'gw_provisional', { faults: { [OIN.zorgaanbieder]: { delayMs: DELAY_MS } } })
const caseId = await openCase(x.ledger, { body: ernstigCase({ subjects: [{ bsn: BSN.client, role: 'client' }] }) })
const health = { provider: OIN.zorgaanbieder, category: 'health', fields: ['careInvolved', 'riskIndication'] }

interface Row { event_id: string, payload: string, held: boolean, published: boolean, publish_count: number }
const rowsOf = async (sql: pg.Pool) => (await sql.query<Row>(
  "SELECT event_id, payload, held_until > now() AS held, published_at IS NOT NULL AS published, publish_count FROM outbox WHERE topic = 'audit' ORDER BY id")).rows

/** The first audit row that appears while a request is under way (within `ms`). */
async function firstRow (sql: pg.Pool, before: number, ms = DELAY_MS / 2): Promise<Row | null> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const rows = await rowsOf(sql)
    if (rows.length > before) return rows[before]!
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return null
}

async function published (sql: pg.Pool, eventId: string): Promise<Row | undefined> {
  for (let i = 0; i < 400; i++) {
    const row = (await rowsOf(sql)).find((r) => r.event_id === eventId)
    if (row?.published) return row
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return undefined
}

t.test('while the partner is asked the record is committed provisionally; the answer\'s record replaces it', async (t) => {
  const before = (await rowsOf(x.sql)).length
  const asked = ask(x.gateway, caseId, health)
  const row = await firstRow(x.sql, before)
  t.ok(row, 'a record is committed before the partner has answered')
  t.ok(row!.held, 'held back from the log')
  t.notOk(row!.published, 'not published')
  const provisional = JSON.parse(row!.payload) as AuditEvent
  t.match(provisional, { outcome: 'permit', provider: OIN.zorgaanbieder, category: 'health', caseId }, 'the permit')
  t.same(provisional.fieldsReleased, ['careInvolved', 'riskIndication'], 'the most the answer may release')
  t.match(provisional.detail, { decision: 'permit', partnerStatus: null, flags: ['outcome-unconfirmed'] }, 'flagged as unconfirmed')

  const res = await asked
  const final = await expectPermit(t, x.sql, res, ['careInvolved', 'riskIndication'])
  t.equal(res.json().auditEventId, row!.event_id, 'the answer names the record')
  t.equal(final.eventId, provisional.eventId, 'the final record has the same event id')
  t.equal(final.time, provisional.time, 'and the same time')
  t.notOk('flags' in final.detail, 'no longer flagged')
  t.match(final.detail, { decision: 'permit', partnerStatus: 200 })
  const { durationMs } = final.detail as { durationMs: number }
  t.ok(durationMs >= DELAY_MS, `the final record carries the wait for the partner (${durationMs} ms)`)
  const shipped = await published(x.sql, row!.event_id)
  t.ok(shipped, 'the relay published it')
  t.equal(shipped?.publish_count, 1, 'once: the provisional version never left')
  t.same(JSON.parse(shipped!.payload), final, 'what was published is the final record')
})

t.test('a final record that cannot be written: the provisional one stands and reaches the log when its hold runs out', async (t) => {
  const before = (await rowsOf(x.sql)).length
  const asked = ask(x.gateway, caseId, health)
  const row = await firstRow(x.sql, before)
  t.ok(row?.held, 'the provisional record is committed')
  // The audit table goes away while the partner is asked: the answer is covered already, the
  // replacement (and its one retry) fails.
  await x.sql.query('ALTER TABLE outbox RENAME TO outbox_gone')
  let restored = false
  const restore = async () => { if (!restored) { restored = true; await x.sql.query('ALTER TABLE outbox_gone RENAME TO outbox') } }
  t.teardown(restore)
  const res = await asked
  t.equal(res.statusCode, 200, 'answered: the durable provisional record covers the answer')
  t.equal(res.json().auditEventId, row!.event_id)
  for (let i = 0; i < 100 && !x.logLines.some((l) => l.includes('final audit record not written')); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  t.ok(x.logLines.some((l) => l.includes('final audit record not written') && l.includes(row!.event_id)), 'the failure is logged with the event id')
  await restore()

  const still = (await rowsOf(x.sql)).find((r) => r.event_id === row!.event_id)
  t.ok(still?.held, 'still held, unchanged')
  // Time passes: the hold runs out (AUDIT_PROVISIONAL_HOLD_MS, at least PARTNER_TIMEOUT_MS + 10 s).
  await x.sql.query('UPDATE outbox SET held_until = now() WHERE event_id = $1', [row!.event_id])
  const shipped = await published(x.sql, row!.event_id)
  t.ok(shipped, 'the relay published it once the hold ran out')
  const event = JSON.parse(shipped!.payload) as AuditEvent
  t.same(event.fieldsReleased, ['careInvolved', 'riskIndication'], 'the log says the most that may have been released')
  t.match(event.detail, { partnerStatus: null, flags: ['outcome-unconfirmed'] }, 'flagged as unconfirmed')
})

t.test('AUDIT_PROVISIONAL_HOLD_MS=0: nothing is written before the partner\'s answer, the final record after it', async (t) => {
  const after = await startGateway(t, 'gw_provisional_off', { CONSENT_LEDGER_URL: x.ledgerUrl, REGISTER_FILE: x.registerFile, AUDIT_PROVISIONAL_HOLD_MS: '0' })
  const asked = ask(after.gateway, caseId, health)
  t.equal(await firstRow(after.sql, 0, DELAY_MS / 2), null, 'no record while the partner is asked')
  const res = await asked
  t.equal(res.statusCode, 200)
  const rows = await rowsOf(after.sql)
  t.equal(rows.length, 1, 'one record')
  t.notOk(rows[0]!.held, 'not held')
  const event = await auditEvent(after.sql, res.json().auditEventId)
  t.match(event?.detail, { decision: 'permit', partnerStatus: 200 })
  t.notOk(event && 'flags' in event.detail, 'not flagged')
})
