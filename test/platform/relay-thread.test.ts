// The outbox relay on its own thread (OUTBOX_RELAY_THREAD, the default of every service): on real
// PostgreSQL and Kafka it publishes in order per key and marks what Kafka acknowledged, stops only
// after publishing what is pending, and a thread that dies is started again without losing a row.
import t from 'tap'
import pino from 'pino'
import { randomUUID } from 'node:crypto'
import { Broker, OUTBOX_MIGRATIONS, RelayThread, appendToOutbox, createPool, inTransaction, migrate } from '@wams/platform'
import { KAFKA_BROKERS, consumeAll, freshDatabase, freshTopicPrefix } from '../support/infra.ts'

async function setup (t: { teardown: (fn: () => unknown) => void }, label: string) {
  const db = await freshDatabase(label)
  const pool = createPool(db.url, 4)
  await migrate(pool, OUTBOX_MIGRATIONS)
  const settings = { brokers: KAFKA_BROKERS, clientId: 'test', topicPrefix: freshTopicPrefix(label), partitions: 3, replicationFactor: 1 }
  const broker = new Broker(settings)
  await broker.ensureTopics(['audit'])
  const relay = new RelayThread({ pool, logger: pino({ level: 'silent' }), data: { databaseUrl: db.url, broker: settings, lingerMs: 20, service: 'test', logLevel: 'silent' } })
  t.teardown(async () => { await relay.stop(); await broker.close(); await pool.end(); await db.drop() })
  return { pool, broker, relay }
}

function events (n: number, keys: string[]) {
  return Array.from({ length: n }, (_, i) => ({ topic: 'audit' as const, key: keys[i % keys.length]!, eventId: randomUUID(), payload: { n: i } }))
}

async function write (pool: ReturnType<typeof createPool>, list: ReturnType<typeof events>): Promise<void> {
  for (let i = 0; i < list.length; i += 10) await inTransaction(pool, (client) => appendToOutbox(client, list.slice(i, i + 10)))
}

async function until (what: string, check: () => Promise<boolean> | boolean, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

t.test('the thread publishes in order per key, marks what Kafka acknowledged and leads', async (t) => {
  const { pool, broker, relay } = await setup(t, 'relay_thread_order')
  const written = events(60, ['a', 'b', 'c'])
  await write(pool, written)
  relay.start()
  const got = await consumeAll(broker, 60)
  t.equal(new Set(got.map((m) => m.headers['event-id'])).size, 60, 'every row reached Kafka')
  for (const key of ['a', 'b', 'c']) {
    const ns = [...new Set(got.filter((m) => m.key === key).map((m) => JSON.parse(m.value).n as number))]
    t.same(ns, written.filter((e) => e.key === key).map((e) => e.payload.n), `order of key ${key}`)
  }
  await until('every row is marked', async () => await relay.pending() === 0)
  await until('the thread reports its lead', () => relay.isLeader)
  t.equal(relay.lastError, null, 'no error')
})

t.test('stop publishes what is pending; a dead thread is started again and loses nothing', async (t) => {
  const { pool, relay } = await setup(t, 'relay_thread_crash')
  relay.start()
  await until('the thread leads', () => relay.isLeader)
  await relay.crashForTest()
  t.equal(relay.isLeader, false, 'a dead thread does not lead')
  t.not(relay.lastError, null, 'readiness sees the dead thread')
  // Written while no thread runs: they wait in the outbox for the new one.
  await write(pool, events(30, ['x']))
  await until('the new thread published the rows written meanwhile', async () => await relay.pending() === 0)
  await until('the crash is history once the new thread runs', () => relay.lastError === null)
  await write(pool, events(20, ['y']))
  relay.wake()
  await relay.stop()
  t.equal(await relay.pending(), 0, 'stop returned after everything pending was published')
})
