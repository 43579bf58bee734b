// Provisional audit records (issue 13) on real PostgreSQL and Kafka: a held row never reaches
// Kafka while it is held; its final version replaces it and is what the relay publishes; a row
// whose final version never came is published as it stood once its hold has run out, and a final
// version that comes later changes nothing. Whatever the race between the two, what Kafka got is
// what the outbox holds.
import t from 'tap'
import pino from 'pino'
import { randomUUID } from 'node:crypto'
import {
  AuditBatcher, Broker, OutboxRelay, OUTBOX_MIGRATIONS, buildAuditEvent, claimExpiredHolds, createPool, migrate,
  parseTraceparent, recordAudit, releaseHeldAudit, type AuditEvent
} from '@wams/platform'
import { KAFKA_BROKERS, consumeAll, freshDatabase, freshTopicPrefix } from '../support/infra.ts'

async function setup (t: { teardown: (fn: () => unknown) => void }, label: string) {
  const db = await freshDatabase(label)
  const pool = createPool(db.url, 8)
  await migrate(pool, OUTBOX_MIGRATIONS)
  const broker = new Broker({ brokers: KAFKA_BROKERS, clientId: 'test', topicPrefix: freshTopicPrefix(label), partitions: 1, replicationFactor: 1 })
  await broker.ensureTopics(['audit'])
  t.teardown(async () => { await broker.close(); await pool.end(); await db.drop() })
  return { pool, broker }
}

/** A permit's record: provisional (the most that may be released, flagged) or final (what was). */
function permit (provisional: boolean, eventId?: string): AuditEvent {
  return buildAuditEvent({
    ...(eventId ? { eventId } : {}),
    type: 'data-request.decision',
    source: 'gateway',
    transactionId: randomUUID(),
    actor: { org: '00000099000000000101', sub: 'coordinator-1', roles: ['coordinator'], partyType: 'gemeente' },
    processingActivity: { id: 'wams.data-request', version: '1' },
    outcome: 'permit',
    fieldsReleased: provisional ? ['a', 'b'] : ['a'],
    detail: provisional ? { decision: 'permit', partnerStatus: null, flags: ['outcome-unconfirmed'] } : { decision: 'permit', partnerStatus: 200 }
  }, parseTraceparent(undefined))
}

const quiet = pino({ level: 'silent' })
const payloadOf = async (pool: ReturnType<typeof createPool>, eventId: string) =>
  JSON.parse((await pool.query<{ payload: string }>('SELECT payload FROM outbox WHERE event_id = $1', [eventId])).rows[0]!.payload) as AuditEvent

t.test('a held record is not published; its final version replaces it and is what Kafka gets', async (t) => {
  const { pool, broker } = await setup(t, 'hold_release')
  const held = permit(true)
  const plain = permit(false)
  await recordAudit(pool, [held], { holdMs: 60_000 })
  await recordAudit(pool, [plain])
  const relay = new OutboxRelay({ pool, broker, logger: quiet, pollMs: 20, lingerMs: 0 })
  relay.start()
  const first = await consumeAll(broker, 1)
  t.same(first.map((m) => JSON.parse(m.value).eventId), [plain.eventId], 'only the record that is not held was published')
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(await relay.pending(), 1, 'the held record waits')

  const final = permit(false, held.eventId)
  t.same(await releaseHeldAudit(pool, [final]), [held.eventId], 'replaced')
  const all = await consumeAll(broker, 2)
  await relay.stop()
  const published = all.map((m) => JSON.parse(m.value) as AuditEvent).find((e) => e.eventId === held.eventId)
  t.same(published?.fieldsReleased, ['a'], 'Kafka got the final record')
  t.same(published?.detail, { decision: 'permit', partnerStatus: 200 }, 'not flagged')
  t.same(await payloadOf(pool, held.eventId), published, 'the outbox holds what Kafka got')
  t.same(await releaseHeldAudit(pool, [final]), [], 'a published record is not replaced again')
})

t.test('a record whose final version never came is published as it stood; a late final version changes nothing', async (t) => {
  const { pool, broker } = await setup(t, 'hold_expiry')
  const held = permit(true)
  await recordAudit(pool, [held], { holdMs: 400 })
  const relay = new OutboxRelay({ pool, broker, logger: quiet, pollMs: 20, lingerMs: 0, claimEveryMs: 50 })
  relay.start()
  const got = await consumeAll(broker, 1)
  await relay.stop()
  const published = JSON.parse(got[0]!.value) as AuditEvent
  t.equal(published.eventId, held.eventId)
  t.same(published.fieldsReleased, ['a', 'b'], 'the most that may have been released')
  t.match(published.detail, { flags: ['outcome-unconfirmed'] }, 'flagged for the supervisor')
  t.same(await releaseHeldAudit(pool, [permit(false, held.eventId)]), [], 'too late: not replaced')
  t.same(await payloadOf(pool, held.eventId), published, 'the outbox still holds what Kafka got')
})

t.test('final versions racing the end of their holds: each record is either replaced or claimed, never both', async (t) => {
  const { pool } = await setup(t, 'hold_race')
  const n = 300
  const held = Array.from({ length: n }, () => permit(true))
  // Holds from 0 to 2 s in steps of 100 ms; the final versions come after 1 s, while the relay's
  // claims of the holds that ran out go on every 5 ms.
  for (let i = 0; i < n; i += 15) await recordAudit(pool, held.slice(i, i + 15), { holdMs: (i / 15) * 100 })
  const claims: Array<Promise<number>> = []
  const claiming = setInterval(() => { claims.push(claimExpiredHolds(pool)) }, 5)
  const replaced = new Set<string>()
  await new Promise((resolve) => setTimeout(resolve, 1000))
  await Promise.all(Array.from({ length: n / 10 }, async (_, k) => {
    for (const id of await releaseHeldAudit(pool, held.slice(k * 10, k * 10 + 10).map((e) => permit(false, e.eventId)))) replaced.add(id)
  }))
  clearInterval(claiming)
  const claimed = (await Promise.all(claims)).reduce((a, b) => a + b, 0) + await claimExpiredHolds(pool)
  t.ok(replaced.size > 0 && claimed > 0, `both happened: ${replaced.size} replaced, ${claimed} claimed`)
  t.equal(replaced.size + claimed, n, 'every record once, by one of the two')
  const { rows } = await pool.query<{ event_id: string, payload: string, held: boolean }>('SELECT event_id, payload, held_until IS NOT NULL AS held FROM outbox')
  t.equal(rows.filter((r) => r.held).length, 0, 'no hold left')
  const wrong = rows.filter((r) => (JSON.parse(r.payload).detail.partnerStatus === 200) !== replaced.has(r.event_id))
  t.equal(wrong.length, 0, 'a record holds its final version exactly when it was replaced')
})

t.test('group commit: release reports the records whose hold had run out', async (t) => {
  const { pool } = await setup(t, 'hold_batcher')
  const batcher = new AuditBatcher({ pool })
  t.teardown(() => batcher.close())
  const soon = permit(true)
  const later = permit(true)
  await Promise.all([batcher.record([soon], { holdMs: 60_000 }), batcher.record([later], { holdMs: 1 })])
  await new Promise((resolve) => setTimeout(resolve, 20))
  await claimExpiredHolds(pool)
  const [a, b] = await Promise.all([batcher.release([permit(false, soon.eventId)]), batcher.release([permit(false, later.eventId)])])
  t.same(a, [], 'replaced in time')
  t.same(b, [later.eventId], 'its hold had run out: reported, not replaced')
  t.same((await payloadOf(pool, soon.eventId)).detail, { decision: 'permit', partnerStatus: 200 })
  t.match((await payloadOf(pool, later.eventId)).detail, { flags: ['outcome-unconfirmed'] })
})
