// The pipes heal: a broker of its own (scripts/kafka-up.sh on a free port pair and a temp work
// dir, never the shared one) is stopped with kafka-down.sh and started again while one Broker
// object produces and consumes. What the broker acknowledged before the stop is still there after
// it (log and committed offsets kept), sends go on without a new Broker, the running consumer
// gets them; a deleted topic is created again by the next send, and the consumer goes on reading.
import t from 'tap'
import { execFile, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { Broker, type ConsumedMessage, type Subscription } from '@wams/platform'
import { freshTopicPrefix } from '../support/infra.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function freePorts (n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })))
  const ports = servers.map((s) => (s.address() as { port: number }).port)
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  return ports
}

const [port, controllerPort] = await freePorts(2)
const work = mkdtempSync(join(tmpdir(), 'wams-broker-restart-'))
const env = {
  ...process.env,
  KAFKA_PORT: String(port),
  KAFKA_CONTROLLER_PORT: String(controllerPort),
  KAFKA_WORK_DIR: work,
  KAFKA_START_TIMEOUT: '60',
  // C1 only: the broker starts in about half the time on a busy machine; throughput does not matter here.
  KAFKA_JVM_OPTS: '-XX:TieredStopAtLevel=1'
}

/** Runs a script without blocking the event loop: the Broker's clients go on meanwhile. */
function script (name: 'kafka-up.sh' | 'kafka-down.sh'): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [join(root, 'scripts', name)], { env, timeout: 80000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${name} failed: ${err.message}\n${stdout}\n${stderr}`))
      else resolve(stdout)
    })
  })
}

async function until (what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now()
  while (!await check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await sleep(200)
  }
  return Date.now() - started
}

/** Sends as the outbox relay does: again after a failure, until acknowledged. */
async function sendUntilAcknowledged (b: Broker, topic: 'audit' | 'cases', values: string[], timeoutMs: number): Promise<number> {
  const started = Date.now()
  for (let attempt = 1; ; attempt++) {
    try {
      await b.send(topic, values.map((value) => ({ key: value, value })))
      return attempt
    } catch (err) {
      if (Date.now() - started > timeoutMs) throw err
      await sleep(500)
    }
  }
}

const logLines: Array<{ msg: string, reason?: string }> = []
const logger = pino({ level: 'warn' }, { write: (line: string) => { logLines.push(JSON.parse(line)) } })
const prefix = freshTopicPrefix('restart')
const broker = new Broker({ brokers: `127.0.0.1:${port}`, clientId: 'broker-restart-test', topicPrefix: prefix, partitions: 2, replicationFactor: 1, logger })
// Last resort when the file's timeout ends the process before its teardown: no broker outlives it.
process.once('exit', () => {
  if (existsSync(join(work, 'kafka.pid'))) spawnSync('bash', [join(root, 'scripts', 'kafka-down.sh')], { env: { ...env, KAFKA_STOP_TIMEOUT: '5' }, stdio: 'ignore' })
  rmSync(work, { recursive: true, force: true })
})
// The clients first, then the broker, then its directory.
t.teardown(async () => {
  await broker.close()
  await script('kafka-down.sh').catch(() => {})
  rmSync(work, { recursive: true, force: true })
})

const live: string[] = []
let liveSubscription: Subscription | null = null

t.test('the first start formats the log directory', { timeout: 50000 }, async (t) => {
  const out = await script('kafka-up.sh')
  t.match(out, /ready on 127\.0\.0\.1:\d+/)
  t.ok(existsSync(join(work, 'data', 'meta.properties')), 'formatted')
  t.ok(existsSync(join(work, 'kafka.pid')), 'the pid file lives in the work dir')
  await broker.ensureTopics(['audit', 'cases'])
  liveSubscription = await broker.consume({
    groupId: `${prefix}live`, topics: ['audit'], handle: async (messages: ConsumedMessage[]) => { live.push(...messages.map((m) => m.value)) }
  })
})

t.test('a broker restart keeps the data; sends and the running consumer go on', { timeout: 70000 }, async (t) => {
  // A second group reads once and leaves; what is sent after that waits in the broker's log.
  const late: string[] = []
  const first = await broker.consume({ groupId: `${prefix}late`, topics: ['audit'], handle: async (messages) => { late.push(...messages.map((m) => m.value)) } })
  await broker.send('audit', [{ key: 'w', value: 'warmup' }])
  await until('warmup consumed by both groups', () => late.includes('warmup') && live.includes('warmup'), 20000)
  await first.stop()

  const pending = Array.from({ length: 20 }, (_, i) => `before-${i}`)
  await broker.send('audit', pending.map((value) => ({ key: value, value })))
  t.pass('20 messages acknowledged (acks=all) before the stop')
  await until('the live consumer has them', () => pending.every((v) => live.includes(v)), 20000)

  const stopStarted = Date.now()
  await script('kafka-down.sh')
  t.comment(`kafka-down.sh took ${Date.now() - stopStarted} ms (SIGTERM, controlled shutdown)`)
  t.notOk(existsSync(join(work, 'kafka.pid')), 'the pid file is gone')
  t.ok(existsSync(join(work, 'data', 'meta.properties')), 'the log directory is kept')
  t.equal(await broker.ready(), false, 'readiness: kafka down while the broker is stopped')

  const restart = Date.now()
  const out = await script('kafka-up.sh')
  t.match(out, /ready on/)
  t.comment(`kafka-up.sh (restart, no format) took ${Date.now() - restart} ms`)

  const sendAttempts = await sendUntilAcknowledged(broker, 'audit', ['after-0', 'after-1'], 30000)
  t.comment(`first send after the restart acknowledged at attempt ${sendAttempts}`)
  t.pass('the same Broker object sends again after the restart')
  const healed = await until('the live consumer gets the new messages', () => live.includes('after-0') && live.includes('after-1'), 40000)
  t.comment(`live consumer got them ${healed} ms after the send`)
  await until('readiness: kafka up again', () => broker.ready(), 20000)

  const again = await broker.consume({ groupId: `${prefix}late`, topics: ['audit'], handle: async (messages) => { late.push(...messages.map((m) => m.value)) } })
  t.teardown(() => again.stop())
  await until('the late group reads what waited in the log', () => pending.every((v) => late.includes(v)), 30000)
  await sleep(500)
  t.same(late.filter((v) => v.startsWith('before-')).sort(), [...pending].sort(), 'every message acknowledged before the stop is delivered after it')
  t.equal(late.filter((v) => v === 'warmup').length, 1, 'committed offsets were kept too: the warmup is not read again')
})

t.test('a deleted topic is created again by the next send; the consumer goes on', { timeout: 45000 }, async (t) => {
  const admin = broker.admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())

  // No consumer on `cases`: only the send can notice that it is gone.
  await broker.send('cases', [{ key: 'c', value: 'case-0' }])
  await admin.deleteTopics({ topics: [broker.topic('cases')] })
  await until('cases deleted', async () => !(await admin.listTopics()).includes(broker.topic('cases')), 15000)
  const attempts = await sendUntilAcknowledged(broker, 'cases', ['case-1'], 30000)
  t.equal(attempts, 1, 'the send itself creates the topic again and succeeds')
  t.ok((await admin.listTopics()).includes(broker.topic('cases')), 'cases exists again')
  t.ok(logLines.some((l) => l.msg === 'kafka: topic missing on send; creating it again'), 'said so in the log')
  const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: broker.topic('cases'), configNames: ['cleanup.policy', 'retention.ms'] }] })
  const entries = Object.fromEntries(configs.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]))
  t.same(entries, { 'cleanup.policy': 'delete', 'retention.ms': String(30 * 24 * 3600 * 1000) }, 'with its explicit settings')

  // `audit` has the live consumer: it must not resume on the new topic at its old position.
  await admin.deleteTopics({ topics: [broker.topic('audit')] })
  const lost = Array.from({ length: 30 }, (_, i) => `after-delete-${i}`)
  const sent = Date.now()
  await sendUntilAcknowledged(broker, 'audit', lost, 30000)
  t.comment(`send to the deleted audit topic acknowledged after ${Date.now() - sent} ms`)
  const meta = await admin.fetchTopicMetadata({ topics: [broker.topic('audit')] })
  t.equal(meta.topics[0]!.partitions.length, 2, 'audit exists again with its partitions')
  await until('the live consumer gets every message sent to the new topic', () => lost.every((v) => live.includes(v)), 40000)
  t.pass('the consumer read the re-created topic from its beginning')
  t.ok(liveSubscription?.healthy, 'the subscription reports healthy again')
  t.equal(await broker.ready(), true, 'readiness up')
  const rebuildLines = logLines.filter((l) => l.msg === 'kafka: consumer stopped; rebuilding it')
  const rebuilds = rebuildLines.length
  t.comment(`rebuilds so far: ${rebuildLines.map((l) => l.reason).join('; ')}`)
  t.ok(rebuilds <= 10, `the consumer was rebuilt ${rebuilds} time(s): a backoff, no tight restart loop`)
})

t.test('a consumer kafkajs gave up on (CRASH) is rebuilt after a backoff and redelivers', { timeout: 30000 }, async (t) => {
  const got: string[] = []
  let failures = 0
  const crashing = await broker.consume({
    groupId: `${prefix}crash`,
    topics: ['cases'],
    handle: async (messages) => {
      // An error kafkajs does not retry: it crashes the consumer at once and would not restart it.
      if (failures++ === 0) throw Object.assign(new Error('handler failed'), { retriable: false })
      got.push(...messages.map((m) => m.value))
    }
  })
  t.teardown(() => crashing.stop())
  await broker.send('cases', [{ key: 'c', value: 'after-crash' }])
  await until('the crash is seen', () => crashing.healthy === false, 15000)
  t.equal(await broker.ready(), false, 'readiness: kafka down while a consumer waits to be rebuilt')
  const took = await until('the rebuilt consumer gets the message again', () => got.includes('after-crash'), 20000)
  t.ok(logLines.some((l) => l.msg === 'kafka: consumer stopped; rebuilding it' && /^crashed: handler failed/.test(l.reason ?? '')), 'the rebuild is logged with its reason')
  t.comment(`redelivered ${took} ms after the crash was seen`)
  await until('healthy again', () => crashing.healthy === true, 10000)
  t.equal(await broker.ready(), true, 'readiness up again')
})
