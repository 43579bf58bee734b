// The shared Kafka module against the real broker: topics with explicit settings, produce and
// consume, order per key, and an idempotent retry that does not duplicate.
import t from 'tap'
import { Broker, type ConsumedMessage } from '@wams/platform'
import { KAFKA_BROKERS, freshTopicPrefix } from '../support/infra.ts'

function broker (prefix: string): Broker {
  return new Broker({ brokers: KAFKA_BROKERS, clientId: 'test', topicPrefix: prefix, partitions: 3, replicationFactor: 1 })
}

async function collect (b: Broker, groupId: string, until: (all: ConsumedMessage[]) => boolean, timeoutMs = 30000): Promise<ConsumedMessage[]> {
  const all: ConsumedMessage[] = []
  let done!: () => void
  const finished = new Promise<void>((resolve) => { done = resolve })
  const consumer = await b.consume({ groupId, topics: ['audit'], handle: async (messages) => { all.push(...messages); if (until(all)) done() } })
  const timer = setTimeout(done, timeoutMs)
  await finished
  clearTimeout(timer)
  await consumer.stop()
  return all
}

t.test('topics are created with explicit settings', async (t) => {
  const b = broker(freshTopicPrefix('topics'))
  t.teardown(() => b.close())
  await b.ensureTopics()
  await b.ensureTopics() // idempotent
  const admin = b.admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())
  const meta = await admin.fetchTopicMetadata({ topics: [b.topic('audit'), b.topic('cases'), b.topic('checkpoints')] })
  t.same(meta.topics.map((x) => x.partitions.length), [3, 3, 3])
  const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: b.topic('audit'), configNames: ['retention.ms', 'cleanup.policy'] }] })
  const entries = Object.fromEntries(configs.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]))
  t.same(entries, { 'retention.ms': '-1', 'cleanup.policy': 'delete' }, 'audit: unlimited retention, no compaction')
})

t.test('produce and consume keep the order per key', async (t) => {
  const b = broker(freshTopicPrefix('order'))
  t.teardown(() => b.close())
  await b.ensureTopics(['audit'])
  const keys = ['case-a', 'case-b', 'case-c', 'case-d']
  const sent = []
  for (let i = 0; i < 200; i++) sent.push({ key: keys[i % keys.length]!, value: JSON.stringify({ n: i }) })
  for (let i = 0; i < sent.length; i += 50) await b.send('audit', sent.slice(i, i + 50))
  const got = await collect(b, `g-${Date.now()}`, (all) => all.length >= 200)
  t.equal(got.length, 200)
  for (const key of keys) {
    const ns = got.filter((m) => m.key === key).map((m) => JSON.parse(m.value).n as number)
    t.same(ns, [...ns].sort((x, y) => x - y), `order kept for ${key}`)
    t.equal(ns.length, 50)
  }
  const partitionsPerKey = new Map<string, Set<number>>()
  for (const m of got) partitionsPerKey.set(m.key!, (partitionsPerKey.get(m.key!) ?? new Set()).add(m.partition))
  t.ok([...partitionsPerKey.values()].every((s) => s.size === 1), 'a key stays on one partition')
})

t.test('an idempotent producer does not duplicate on its own retries; a consumer restarts at the committed offset', async (t) => {
  const prefix = freshTopicPrefix('idem')
  const b = broker(prefix)
  t.teardown(() => b.close())
  await b.ensureTopics(['audit'])
  await b.send('audit', Array.from({ length: 20 }, (_, i) => ({ key: 'k', value: String(i) })))
  const group = `g-${Date.now()}`
  const first = await collect(b, group, (all) => all.length >= 20)
  t.equal(first.length, 20, 'each message once: the producer\'s retries are idempotent')
  // The commit follows the handler; wait until the broker has it before the group restarts.
  const admin = b.admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())
  const committed = async () => (await admin.fetchOffsets({ groupId: group, topics: [b.topic('audit')] }))[0]!.partitions
    .reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0)
  for (let i = 0; i < 100 && await committed() < 20; i++) await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(await committed(), 20, 'offsets committed after handling')
  await b.send('audit', [{ key: 'k', value: '20' }])
  const second = await collect(b, group, (all) => all.length >= 1, 15000)
  t.same(second.map((m) => m.value), ['20'], 'only the new message after a restart: offsets were committed after handling')
})
