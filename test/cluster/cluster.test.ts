// The production shape under faults (issue 14 item 1): a three-node Kafka cluster (KRaft, RF 3,
// min.insync.replicas 2), two gateway instances, two audit instances, the consent ledger, the demo
// partners, one PostgreSQL — every part its own OS process (test/cluster/cluster-stack.ts). A
// bounded steady load of permitted data requests goes to both gateways alternately; mid-load one
// fault is injected:
//   - a Kafka broker SIGKILLed (the leader of the audit topic's first partition) and started again;
//   - one gateway SIGKILLed: the other keeps answering; requests to the dead one fail to connect;
//   - the audit sequencer (the instance holding the leader lock) SIGKILLed: the other instance
//     takes over the one tree, which keeps growing, consistent with the checkpoint before.
// For every fault, as in test/reliability/faults.test.ts: every 200 carries an auditEventId,
// each of them is proven in the gateways' outbox and found exactly once in a verified export, and
// `wams verify` passes over it, consistent (--previous) with the checkpoint after the fault before.
// The figures are printed as a table (and written to $CLUSTER_TABLE when set).
//
// Bounded: 12 s of load at 20 req/s per fault; the cluster starts in 40–90 s on a loaded 2-CPU
// machine; the whole file 3–6 minutes. Needs PostgreSQL and Java + Maven (kafka-up.sh's jars),
// not the shared broker.
import t, { type Test } from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { TOPICS } from '@wams/platform'
import { histogram, startLoad, type Answer } from '../reliability/load.ts'
import { INJECT_AT_MS, PERMITTED_REQUEST, REQUEST_TIMEOUT_MS, college, openCase, producerEnv, supervisor } from '../reliability/scenario.ts'
import { checkpointOf, logCheck, slugOf } from '../reliability/log-check.ts'
import { sleep, type ServiceProcess } from '../reliability/stack.ts'
import { sequencerOf, startClusterStack, type ClusterStack, type NodeId } from './cluster-stack.ts'

t.setTimeout(720_000) // 3–6 minutes expected; room for JVMs that are slow to start on a loaded machine

const RATE = Number(process.env.CLUSTER_RATE ?? 20) // requests per second, over both gateways
const LOAD_MS = Number(process.env.CLUSTER_LOAD_MS ?? 12_000)
/** How long a killed broker stays down. */
const BROKER_DOWN_MS = 4_000
/** Every 200's event proven within this long after the load ended and the fault was repaired. */
const SETTLE_MS = 90_000
/** During the gateway kill, at least this share of the requests to the other gateway get 200. */
const SURVIVOR_OK_SHARE = 0.9

const PRODUCER_ENV = producerEnv(60_000)
// The audit instances log at info: the sequencer says there when it takes the lead.
const AUDIT_ENV = { LOG_LEVEL: 'info' }
const GATEWAY_ENV = { RATE_LIMIT_PER_MINUTE: '100000' }

const say = (line: string) => { t.comment(line) }

const stack: ClusterStack = await startClusterStack({ label: 'faults', env: PRODUCER_ENV, gatewayEnv: GATEWAY_ENV, auditEnv: AUDIT_ENV, log: say })
t.teardown(() => stack.close())

const caseId = await openCase(stack.ledger.url)
const REQUEST = PERMITTED_REQUEST

const admin = new Kafka({ clientId: 'cluster-test', brokers: stack.kafka.brokers.split(','), logLevel: logLevel.NOTHING }).admin()
await admin.connect()
t.teardown(() => admin.disconnect())
const auditTopic = stack.topicPrefix + TOPICS.audit

await t.test('the topics are created for the cluster: three replicas, two in sync for a write', async (t) => {
  const metadata = await admin.fetchTopicMetadata({ topics: [auditTopic] })
  const partitions = metadata.topics[0]!.partitions
  t.ok(partitions.length > 0 && partitions.every((p) => p.replicas.length === 3), `every partition of ${auditTopic} has 3 replicas`)
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: auditTopic, configNames: ['min.insync.replicas'] }] })
  const minIsr = described.resources[0]!.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue
  t.equal(minIsr, '2', 'min.insync.replicas of the audit topic is 2')
})

/** The audit instance to ask (a supervisor's export, the checkpoint): one that runs. */
const liveAudit = (): ServiceProcess => stack.audits.find((a) => a.running) ?? stack.audits[0]

// ---- the faults ---------------------------------------------------------------------------------

interface Tagged extends Answer { gateway: number }
interface FaultContext { note: (line: string) => void, extra: Record<string, unknown> }
interface Fault {
  name: string
  /** Runs from the injection on; resolves when the fault has been repaired. */
  run: (ctx: FaultContext) => Promise<void>
  /** Further assertions (answers tagged with the gateway they went to, 0 or 1). */
  check?: (t: Test, answers: Tagged[], ctx: FaultContext, injectedAt: number) => Promise<void> | void
}

const faults: Fault[] = [
  {
    name: 'Kafka broker SIGKILLed and started again',
    run: async ({ note, extra }) => {
      // The leader of the audit topic's first partition: its loss makes the cluster elect another.
      const metadata = await admin.fetchTopicMetadata({ topics: [auditTopic] })
      const leaderId = metadata.topics[0]!.partitions.find((p) => p.partitionId === 0)!.leader as NodeId
      const node: NodeId = [1, 2, 3].includes(leaderId) ? leaderId : 2
      extra.node = node
      const t0 = Date.now()
      await stack.kafka.down([node], 'KILL')
      note(`kafka node ${node} (leader of ${auditTopic}/0) SIGKILLed`)
      await sleep(BROKER_DOWN_MS)
      await stack.kafka.up([node])
      note(`kafka node ${node} back after ${((Date.now() - t0) / 1000).toFixed(1)} s (same data dir)`)
    }
  },
  {
    name: 'gateway-2 SIGKILLed',
    run: async ({ note, extra }) => {
      await stack.gateways[1].kill('SIGKILL')
      extra.killedAt = Date.now()
      note('gateway-2 SIGKILLed; started again after the load')
    },
    check: async (t, answers, { extra, note }) => {
      const killedAt = extra.killedAt as number
      const during = (a: Tagged) => a.answeredAt - a.ms >= killedAt
      const survivor = answers.filter((a) => a.gateway === 0 && during(a))
      const dead = answers.filter((a) => a.gateway === 1 && during(a))
      const ok = survivor.filter((a) => a.status === 200).length
      t.ok(survivor.length > 0 && ok >= SURVIVOR_OK_SHARE * survivor.length,
        `gateway-1 keeps answering while gateway-2 is dead: ${ok} of ${survivor.length} are 200 (${histogram(survivor)})`)
      t.ok(dead.length > 0 && dead.every((a) => a.status === 'ERR'), `the requests to the dead gateway-2 fail to connect (${histogram(dead)})`)
      note(`gateway-2 ready again in ${((await stack.gateways[1].start(undefined, 120_000)) / 1000).toFixed(1)} s`)
    }
  },
  {
    name: 'audit sequencer SIGKILLed',
    run: async ({ note, extra }) => {
      const leader = sequencerOf(stack.audits)
      if (leader === null) throw new Error('no audit instance says it is the sequencer')
      const before = await checkpointOf(liveAudit().url)
      extra.leader = leader.instance
      extra.sizeBefore = before.treeSize
      await leader.kill('SIGKILL')
      note(`${leader.instance}, the sequencer, SIGKILLed at tree size ${before.treeSize}`)
      // The other instance takes the advisory lock once PostgreSQL has ended the dead session.
      const deadline = Date.now() + 60_000
      let next: ServiceProcess | null = null
      while ((next = sequencerOf(stack.audits)) === null && Date.now() < deadline) await sleep(200)
      extra.next = next?.instance ?? null
      note(`${next?.instance ?? 'no instance'} sequences now`)
    },
    check: async (t, _answers, { extra, note }) => {
      t.ok(extra.next !== null && extra.next !== extra.leader, `the other instance took over the sequencer (${String(extra.leader)} → ${String(extra.next)})`)
      // The killed leader's partitions wait for the group's session timeout before the other
      // instance consumes them; on a busy machine that can outlast the load, so the growth is
      // awaited (bounded), not sampled once.
      const deadline = Date.now() + 30_000
      let after = await checkpointOf(liveAudit().url)
      while (after.treeSize <= (extra.sizeBefore as number) && Date.now() < deadline) {
        await sleep(500)
        after = await checkpointOf(liveAudit().url)
      }
      t.ok(after.treeSize > (extra.sizeBefore as number), `the one tree kept growing: ${String(extra.sizeBefore)} → ${after.treeSize} leaves`)
      const killed = stack.audits.find((a) => a.instance === extra.leader)!
      note(`${killed.instance} ready again in ${((await killed.start(undefined, 120_000)) / 1000).toFixed(1)} s, as a standby`)
    }
  }
]

// ---- the run ------------------------------------------------------------------------------------

interface Row { fault: string, requests: number, statuses: string, ok: number, found: number, missing: number, duplicated: number, verify: string }
const rows: Row[] = []
const exportAndVerify = logCheck({ auditUrl: () => liveAudit().url, dir: stack.dir, headers: supervisor })

/** The events of both producers not yet proven. */
async function unproven (): Promise<number> {
  let n = 0
  for (const sql of [stack.gatewaySql, stack.ledgerSql]) {
    const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE topic = \'audit\' AND proven_at IS NULL')
    n += rows[0]!.n
  }
  return n
}

/** Half the rate to each gateway, the second half a beat later: the requests alternate. */
function loadBothGateways (): Promise<Tagged[]> {
  const url = (g: ServiceProcess) => `${g.url}/v1/cases/${caseId}/data-requests`
  const one = (gateway: number) => startLoad({ url: url(stack.gateways[gateway]!), headers: college, body: REQUEST, ratePerSecond: RATE / 2, durationMs: LOAD_MS, timeoutMs: REQUEST_TIMEOUT_MS })
    .done.then((answers) => answers.map((a) => ({ ...a, gateway })))
  const first = one(0)
  const second = sleep(1000 / RATE).then(() => one(1))
  return Promise.all([first, second]).then(([a, b]) => [...a, ...b])
}

// Before the first fault: the stack settled and a checkpoint to be consistent with.
await t.test('before the faults: the log verifies', async (t) => {
  const deadline = Date.now() + 60_000
  while (await unproven() > 0 && Date.now() < deadline) await sleep(250)
  const { verdict, ok } = await exportAndVerify('start')
  t.ok(ok, `wams verify: ${verdict}`)
})

for (const fault of faults) {
  await t.test(fault.name, async (t) => {
    const ctx: FaultContext = { note: (line) => { t.comment(line) }, extra: {} }
    const load = loadBothGateways()
    await sleep(INJECT_AT_MS)
    const injectedAt = Date.now()
    const [answers, repairedAt] = await Promise.all([load, fault.run(ctx).then(() => Date.now())])
    const loadEndedAt = Math.max(...answers.map((a) => a.answeredAt))
    writeFileSync(join(stack.dir, `answers-${slugOf(fault.name)}.json`), JSON.stringify({ injectedAt, answers }))
    await fault.check?.(t, answers, ctx, injectedAt)
    // A service that died by itself is a defect; the faults' own kills are not counted.
    for (const service of [...stack.gateways, ...stack.audits, stack.ledger, stack.partners]) {
      const crashes = service.takeCrashes()
      t.same(crashes, [], `${service.instance} did not die by itself${crashes.length > 0 ? `: ${crashes.join('; ')}\n${service.tail()}` : ''}`)
      if (!service.running) ctx.note(`${service.instance} started again after its crash: ready in ${((await service.start(undefined, 120_000)) / 1000).toFixed(1)} s`)
    }

    const ok = answers.filter((a) => a.status === 200)
    t.ok(ok.length > 0, `${ok.length} of ${answers.length} answers are 200 (${histogram(answers)})`)
    t.equal(ok.filter((a) => a.auditEventId === null).length, 0, 'every 200 carries an auditEventId')
    const ids = ok.map((a) => a.auditEventId!.toLowerCase())
    t.equal(new Set(ids).size, ids.length, 'every 200 has its own auditEventId')

    // Every 200's event proven in the gateways' outbox (one database for both instances).
    const deadline = Math.max(loadEndedAt, repairedAt) + SETTLE_MS
    let proven = 0
    for (;;) {
      const { rows } = await stack.gatewaySql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM outbox WHERE topic = \'audit\' AND proven_at IS NOT NULL AND event_id = ANY($1::text[])', [ids])
      proven = rows[0]!.n
      if (proven === ids.length || Date.now() > deadline) break
      await sleep(250)
    }
    t.equal(proven, ids.length, `every 200's event proven within ${SETTLE_MS / 1000} s after the load ended and the fault was repaired`)

    const { ids: logged, verdict, ok: verified } = await exportAndVerify(fault.name)
    t.ok(verified, `wams verify over the export of the latest checkpoint, consistent with the one before: ${verdict}`)
    const missing = ids.filter((id) => !logged.has(id))
    const duplicated = ids.filter((id) => (logged.get(id) ?? 0) > 1)
    t.equal(missing.length, 0, `every 200's event is in the audit log${missing.length ? `; missing e.g. ${missing.slice(0, 3).join(', ')}` : ''}`)
    t.equal(duplicated.length, 0, 'and none of them twice')
    rows.push({
      fault: fault.name,
      requests: answers.length,
      statuses: `gateway-1 ${histogram(answers.filter((a) => a.gateway === 0))}; gateway-2 ${histogram(answers.filter((a) => a.gateway === 1))}`,
      ok: ok.length,
      found: ids.length - missing.length,
      missing: missing.length,
      duplicated: duplicated.length,
      verify: verified ? 'OK' : 'FAILED'
    })
  })
}

// ---- the table ----------------------------------------------------------------------------------

const header = ['fault', 'requests', 'statuses', '200s', 'events found', 'missing', 'duplicated', 'wams verify']
const table = [
  `| ${header.join(' | ')} |`,
  `| ${header.map(() => '---').join(' | ')} |`,
  ...rows.map((r) => `| ${[r.fault, r.requests, r.statuses, r.ok, r.found, r.missing, r.duplicated, r.verify].join(' | ')} |`)
].join('\n')
const legend = `load: ${RATE} req/s over two gateways for ${LOAD_MS / 1000} s per fault, fault injected after ${INJECT_AT_MS / 1000} s; ` +
  'Kafka: 3 KRaft nodes, RF 3, min.insync.replicas 2; 2 gateways, 2 audit instances (producers reach them through a balancer)'
say(`cluster faults (${legend})\n${table}`)
process.stderr.write(`\ncluster faults (${legend})\n${table}\n`)
if (process.env.CLUSTER_TABLE) writeFileSync(process.env.CLUSTER_TABLE, `${legend}\n\n${table}\n`)
