// The transactional outbox on real PostgreSQL and Kafka: rows are relayed in order, a rolled-back
// transaction publishes nothing, and a relay killed between publish and mark loses nothing;
// the duplicates it causes carry the same event id.
import t from 'tap'
import pino from 'pino'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomUUID } from 'node:crypto'
import { Broker, OutboxRelay, OUTBOX_MIGRATIONS, appendToOutbox, createPool, inTransaction, migrate } from '@wams/platform'
import { KAFKA_BROKERS, consumeAll, freshDatabase, freshTopicPrefix } from '../support/infra.ts'

async function setup (t: { teardown: (fn: () => unknown) => void }, label: string) {
  const db = await freshDatabase(label)
  const pool = createPool(db.url, 4)
  await migrate(pool, OUTBOX_MIGRATIONS)
  const prefix = freshTopicPrefix(label)
  const broker = new Broker({ brokers: KAFKA_BROKERS, clientId: 'test', topicPrefix: prefix, partitions: 3, replicationFactor: 1 })
  await broker.ensureTopics(['audit'])
  t.teardown(async () => { await broker.close(); await pool.end(); await db.drop() })
  return { db, pool, prefix, broker }
}

function events (n: number, keys: string[]) {
  return Array.from({ length: n }, (_, i) => ({ topic: 'audit' as const, key: keys[i % keys.length]!, eventId: randomUUID(), payload: { n: i } }))
}

t.test('rows are relayed in order per key and marked after the broker acknowledged', async (t) => {
  const { pool, broker } = await setup(t, 'outbox_order')
  const written = events(120, ['a', 'b', 'c'])
  for (let i = 0; i < written.length; i += 10) {
    await inTransaction(pool, (client) => appendToOutbox(client, written.slice(i, i + 10)))
  }
  const relay = new OutboxRelay({ pool, broker, logger: pino({ level: 'silent' }), batchSize: 25 })
  relay.start()
  const got = await consumeAll(broker, 120)
  await relay.stop()
  t.equal(got.length, 120, 'each row published once')
  for (const key of ['a', 'b', 'c']) {
    const ns = got.filter((m) => m.key === key).map((m) => JSON.parse(m.value).n as number)
    t.same(ns, written.filter((e) => e.key === key).map((e) => e.payload.n), `order of key ${key}`)
  }
  t.equal(await relay.pending(), 0, 'every row marked')
})

t.test('a rolled-back transaction leaves no event', async (t) => {
  const { pool } = await setup(t, 'outbox_rollback')
  await t.rejects(inTransaction(pool, async (client) => {
    await appendToOutbox(client, events(3, ['x']))
    throw new Error('business failure after the append')
  }))
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM outbox')
  t.equal(rows[0].n, 0)
})

t.test('relay killed between publish and mark: restarted, nothing lost, duplicates share the event id', async (t) => {
  const { db, pool, prefix, broker } = await setup(t, 'outbox_crash')
  const written = events(100, ['k1', 'k2'])
  await inTransaction(pool, (client) => appendToOutbox(client, written))
  const env = { ...process.env, DATABASE_URL: db.url, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX: prefix, BATCH: '40' }
  const crashing = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/outbox-relay.ts'], { env: { ...env, CRASH_AFTER_PUBLISH: '1' }, stdio: 'ignore' })
  const [, signal] = await once(crashing, 'exit')
  t.equal(signal, 'SIGKILL', 'the relay died right after Kafka acknowledged its first batch')
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')
  t.equal(rows[0].n, 100, 'no row was marked: the batch will be published again')

  const healthy = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/outbox-relay.ts'], { env, stdio: 'ignore' })
  t.teardown(() => { healthy.kill('SIGKILL') })
  const got = await consumeAll(broker, 100)
  const ids = got.map((m) => m.headers['event-id'])
  t.same(new Set(ids), new Set(written.map((e) => e.eventId)), 'every event arrived')
  t.equal(got.length, 140, 'the first batch (40) arrived twice')
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i)
  t.equal(dupes.length, 40)
  for (const id of dupes) {
    const copies = got.filter((m) => m.headers['event-id'] === id)
    t.equal(new Set(copies.map((m) => m.value)).size, 1, 'a duplicate is byte-identical')
  }
  for (const key of ['k1', 'k2']) {
    const ns = got.filter((m) => m.key === key).map((m) => JSON.parse(m.value).n as number)
    const firstSeen = ns.filter((n, i) => ns.indexOf(n) === i)
    t.same(firstSeen, written.filter((e) => e.key === key).map((e) => e.payload.n), `first delivery order of ${key}`)
  }
})

t.test('only one relay per database is active (advisory lock)', async (t) => {
  const { pool, broker } = await setup(t, 'outbox_leader')
  const a = new OutboxRelay({ pool, broker, logger: pino({ level: 'silent' }) })
  const b = new OutboxRelay({ pool, broker, logger: pino({ level: 'silent' }) })
  a.start()
  await new Promise((resolve) => setTimeout(resolve, 300))
  b.start()
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal([a.isLeader, b.isLeader].filter(Boolean).length, 1)
  await a.stop()
  await new Promise((resolve) => setTimeout(resolve, 600))
  t.ok(b.isLeader, 'the standby takes over when the leader stops')
  await b.stop()
})

t.test('linger: events committed between two partial batches go out together; after a full batch the next goes at once', async (t) => {
  const { pool, broker } = await setup(t, 'outbox_linger')
  const batches: Array<{ at: number, ids: string[] }> = []
  const afterPublish = (ids: string[]) => { batches.push({ at: Date.now(), ids }) }
  const relay = new OutboxRelay({ pool, broker, logger: pino({ level: 'silent' }), batchSize: 5, lingerMs: 600, afterPublish })
  relay.start()
  t.teardown(() => relay.stop())
  const until = async (n: number) => { while (batches.length < n) await new Promise((resolve) => setTimeout(resolve, 5)) }
  // First event: published on its wake-up, no linger before the first batch.
  const first = Date.now()
  await appendToOutbox(pool, events(1, ['a']))
  await until(1)
  t.ok(batches[0]!.at - first < 500, `first batch after ${batches[0]!.at - first} ms`)
  // Two events in separate commits shortly after: one batch, not two.
  await appendToOutbox(pool, events(1, ['a']))
  await new Promise((resolve) => setTimeout(resolve, 30))
  await appendToOutbox(pool, events(1, ['a']))
  await until(2)
  t.equal(batches[1]!.ids.length, 2, 'both commits in the second batch')
  // Batch starts are 600 ms apart; the produce time of each shifts afterPublish a little either way.
  t.ok(batches[1]!.at - batches[0]!.at >= 400, `partial batches ${batches[1]!.at - batches[0]!.at} ms apart (linger 600; without it ~30 ms)`)
  // A backlog larger than a batch: full batches back to back, the rest right after, no linger.
  await new Promise((resolve) => setTimeout(resolve, 700))
  const backlogAt = Date.now()
  await appendToOutbox(pool, events(12, ['a']))
  await until(5)
  t.same(batches.slice(2).map((b) => b.ids.length), [5, 5, 2])
  t.ok(batches[4]!.at - backlogAt < 550, `12 events out in ${batches[4]!.at - backlogAt} ms, under one linger`)
})
