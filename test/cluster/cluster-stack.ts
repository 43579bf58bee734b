// The production shape for the cluster test, every part its own OS process: a private three-node
// Kafka cluster (scripts/kafka-cluster-up.sh on free ports and its own work dir, never the shared
// broker), fresh PostgreSQL databases, the demo partners, the consent ledger, two audit instances
// and two gateway instances on one database per service, as replicas share theirs. The producers
// reach the audit service through a balancer (scripts/lib/balancer.ts), as a Kubernetes Service
// would spread them; the test's load goes to each gateway directly. Built from the pieces of
// test/reliability/stack.ts; logs in one temporary folder (kept when RELIABILITY_KEEP=1).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { startBalancer, type Balancer } from '../../scripts/lib/balancer.ts'
import { freshDatabase, freshTopicPrefix } from '../support/infra.ts'
import { demoBrpUrl, writeTestRegister } from '../support/partners.ts'
import { ROOT, ServiceProcess, baseEnv, freePort, poolOf, run, stackLifetime, type StackOptions } from '../reliability/stack.ts'

export type NodeId = 1 | 2 | 3
export const NODES: NodeId[] = [1, 2, 3]

/** A private three-node KRaft cluster: kafka-cluster-up.sh / kafka-cluster-down.sh with its own ports and work dir. */
export class KafkaCluster {
  readonly env: Record<string, string>
  constructor (readonly ports: number[], controllerPorts: number[], readonly workDir: string) {
    this.env = {
      KAFKA_CLUSTER_PORTS: ports.join(','),
      KAFKA_CLUSTER_CONTROLLER_PORTS: controllerPorts.join(','),
      KAFKA_CLUSTER_WORK_DIR: workDir,
      // Three JVMs beside six services on a shared 2-CPU machine.
      KAFKA_HEAP_OPTS: process.env.CLUSTER_KAFKA_HEAP_OPTS ?? '-Xms128m -Xmx384m'
    }
  }

  get brokers (): string { return this.ports.map((p) => `127.0.0.1:${p}`).join(',') }

  portOf (node: NodeId): number { return this.ports[node - 1]! }

  async up (nodes: NodeId[] = NODES): Promise<string> {
    return run('bash', ['scripts/kafka-cluster-up.sh', ...nodes.map(String)], this.env, 240_000)
  }

  /** Stops nodes: SIGTERM (a controlled shutdown) or SIGKILL (a crash). */
  async down (nodes: NodeId[] = NODES, signal: 'TERM' | 'KILL' = 'TERM'): Promise<void> {
    await run('bash', ['scripts/kafka-cluster-down.sh', ...nodes.map(String)], { ...this.env, KAFKA_STOP_SIGNAL: signal, KAFKA_STOP_TIMEOUT: '30' }, 90_000)
  }

  /** Last resort when the test process exits without its teardown. */
  killNow (): void {
    spawnSync('bash', ['scripts/kafka-cluster-down.sh'], { cwd: ROOT, env: { ...baseEnv(), ...this.env, KAFKA_STOP_SIGNAL: 'KILL', KAFKA_STOP_TIMEOUT: '5' }, stdio: 'ignore' })
  }

  pid (node: NodeId): number | null {
    try { return Number(readFileSync(join(this.workDir, `node-${node}`, 'kafka.pid'), 'utf8').trim()) } catch { return null }
  }
}

export interface ClusterStackOptions extends StackOptions {
  /** Further environment of the audit instances only. */
  auditEnv?: Record<string, string>
}

export interface ClusterStack {
  dir: string
  kafka: KafkaCluster
  topicPrefix: string
  partners: ServiceProcess
  ledger: ServiceProcess
  audits: [ServiceProcess, ServiceProcess]
  gateways: [ServiceProcess, ServiceProcess]
  /** In front of the audit instances: the producers' AUDIT_URL. */
  auditBalancer: Balancer
  gatewaySql: pg.Pool
  ledgerSql: pg.Pool
  close: () => Promise<void>
}

export async function startClusterStack (options: ClusterStackOptions): Promise<ClusterStack> {
  const log = options.log ?? (() => {})
  const { dir, cleanups, lastResorts, close } = stackLifetime('wams-cluster-', log)
  try {
    const ports = await Promise.all(Array.from({ length: 12 }, () => freePort()))
    const [b1, b2, b3, c1, c2, c3, partnersPort, ledgerPort, audit1Port, audit2Port, gw1Port, gw2Port] = ports as [number, number, number, number, number, number, number, number, number, number, number, number]
    const kafka = new KafkaCluster([b1, b2, b3], [c1, c2, c3], join(dir, 'kafka'))
    const t0 = Date.now()
    cleanups.push(() => kafka.down())
    lastResorts.push(() => kafka.killNow())
    await kafka.up()
    log(`kafka cluster ready on ${kafka.brokers} in ${((Date.now() - t0) / 1000).toFixed(1)} s (work dir ${kafka.workDir})`)

    const dbs = await Promise.all(['gw', 'ledger', 'audit'].map((n) => freshDatabase(`cluster_${options.label}_${n}`)))
    for (const db of dbs) cleanups.push(db.drop)
    const [gatewayDb, ledgerDb, auditDb] = dbs.map((d) => d.url) as [string, string, string]
    const topicPrefix = freshTopicPrefix(`cluster_${options.label}`)
    const registerFile = writeTestRegister(`http://127.0.0.1:${partnersPort}`)
    const auditBalancer = await startBalancer([`http://127.0.0.1:${audit1Port}`, `http://127.0.0.1:${audit2Port}`])
    cleanups.push(() => auditBalancer.close())
    const common = {
      KAFKA_BROKERS: kafka.brokers,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
      AUDIT_URL: auditBalancer.url,
      REGISTER_FILE: registerFile,
      LOG_LEVEL: process.env.RELIABILITY_LOG_LEVEL ?? 'warn',
      SHUTDOWN_GRACE_MS: '3000',
      ...options.env
    }
    const partners = new ServiceProcess('demo-partners', partnersPort, { LOG_LEVEL: common.LOG_LEVEL, REGISTER_FILE: registerFile }, dir)
    const ledger = new ServiceProcess('consent-ledger', ledgerPort, { ...common, DATABASE_URL: ledgerDb, BRP_URL: demoBrpUrl(`http://127.0.0.1:${partnersPort}`) }, dir)
    const auditEnv = { ...common, DATABASE_URL: auditDb, CONSENT_LEDGER_URL: ledger.url, ...options.auditEnv }
    const audits: [ServiceProcess, ServiceProcess] = [
      new ServiceProcess('audit', audit1Port, auditEnv, dir, 'audit-1'),
      new ServiceProcess('audit', audit2Port, auditEnv, dir, 'audit-2')
    ]
    const gatewayEnv = { ...common, DATABASE_URL: gatewayDb, CONSENT_LEDGER_URL: ledger.url, ...options.gatewayEnv }
    const gateways: [ServiceProcess, ServiceProcess] = [
      new ServiceProcess('gateway', gw1Port, gatewayEnv, dir, 'gateway-1'),
      new ServiceProcess('gateway', gw2Port, gatewayEnv, dir, 'gateway-2')
    ]
    const all = [...gateways, ...audits, ledger, partners]
    for (const service of all) cleanups.push(async () => { await service.kill('SIGKILL'); await service.closeLog() })
    lastResorts.push(...all.map((service) => () => service.killNow()))
    const gatewaySql = poolOf(gatewayDb)
    const ledgerSql = poolOf(ledgerDb)
    cleanups.push(async () => { await gatewaySql.end(); await ledgerSql.end() })

    // Instances starting together migrate one at a time (an advisory lock); the gateways last,
    // as they ask the consent ledger.
    const times = await Promise.all([...audits, partners, ledger].map((s) => s.start(undefined, 150_000)))
    log(`audit-1, audit-2, demo partners, consent ledger ready in ${times.map((ms) => (ms / 1000).toFixed(1)).join(' / ')} s`)
    const gw = await Promise.all(gateways.map((g) => g.start(undefined, 150_000)))
    log(`gateways ready in ${gw.map((ms) => (ms / 1000).toFixed(1)).join(' / ')} s; logs in ${dir}`)
    return { dir, kafka, topicPrefix, partners, ledger, audits, gateways, auditBalancer, gatewaySql, ledgerSql, close }
  } catch (err) {
    await close()
    throw err
  }
}

/**
 * The audit instance that sequences now: the running one whose log, since its latest start, says
 * it became the sequencer and not that it lost the lock after that (services/audit/src/sequencer.ts
 * logs both at info and warn). null when none says so.
 */
export function sequencerOf (audits: ServiceProcess[]): ServiceProcess | null {
  for (const audit of audits) {
    if (!audit.running) continue
    const text = readFileSync(audit.logPath, 'utf8')
    const since = text.slice(text.lastIndexOf('==== start #'))
    const became = since.lastIndexOf('this instance is the sequencer now')
    if (became >= 0 && since.lastIndexOf('lost the sequencer lock') < became) return audit
  }
  return null
}
