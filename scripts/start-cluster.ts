// `npm run start:cluster`: the production shape on one machine, without Docker. A three-node Kafka
// cluster in KRaft mode (scripts/kafka-cluster-up.sh: RF 3, min.insync.replicas 2), two gateway
// instances and two audit instances, each pair behind a balancer (scripts/lib/balancer.ts, what a
// Kubernetes Service is), the consent ledger, the demo partners and one PostgreSQL (as `npm start`:
// configured, local or embedded; each service its own database, prefix wams_cluster_). Its ports
// stay clear of `npm start`'s, so both can run side by side. Supervised like `npm start`
// (scripts/lib/supervisor.ts); Ctrl-C stops everything it started, the cluster's nodes included.
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_REGISTER_FILE, devIssuer, devPseudonymKey, ensureDatabase } from '@wams/platform'
import { resolvePostgres } from './lib/postgres.ts'
import { logFormat, logRenderer } from './lib/logs.ts'
import { tryThis } from './lib/try-this.ts'
import { registerFileFor } from './lib/register.ts'
import { has, Supervisor } from './lib/supervisor.ts'
import { serviceDatabaseUrl } from './lib/databases.ts'
import { startBalancer } from './lib/balancer.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const log = (line: string) => process.stdout.write(`[wams] ${line}\n`)
const env = process.env
const portList = (value: string | undefined, fallback: string, count: number, name: string): number[] => {
  const ports = (value ?? fallback).split(',').map(Number)
  if (ports.length !== count || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) throw new Error(`${name} names ${count} ports, comma-separated`)
  return ports
}
const ports = {
  gateway: Number(env.CLUSTER_GATEWAY_PORT ?? 19080),
  'consent-ledger': Number(env.CLUSTER_CONSENT_LEDGER_PORT ?? 19081),
  audit: Number(env.CLUSTER_AUDIT_PORT ?? 19082),
  'demo-partners': Number(env.CLUSTER_DEMO_PARTNERS_PORT ?? 19090)
}
const gatewayPorts = portList(env.CLUSTER_GATEWAY_INSTANCE_PORTS, '19180,19181', 2, 'CLUSTER_GATEWAY_INSTANCE_PORTS')
const auditPorts = portList(env.CLUSTER_AUDIT_INSTANCE_PORTS, '19182,19183', 2, 'CLUSTER_AUDIT_INSTANCE_PORTS')
const kafkaPorts = portList(env.KAFKA_CLUSTER_PORTS, '19192,19193,19194', 3, 'KAFKA_CLUSTER_PORTS')
const kafkaWorkDir = env.KAFKA_CLUSTER_WORK_DIR ?? join(root, '.kafka', 'cluster')
const url = (port: number) => `http://127.0.0.1:${port}`

const supervisor = new Supervisor(root, log)

/**
 * Starts the cluster's nodes with scripts/kafka-cluster-up.sh (KAFKA_CLUSTER_* pass through) in
 * its own process group; at stop, the nodes this start started are stopped (a node that was
 * already running stays, as `npm start` leaves a broker it found).
 */
async function startKafkaCluster (): Promise<string> {
  const pidOf = (node: number) => { try { return readFileSync(join(kafkaWorkDir, `node-${node}`, 'kafka.pid'), 'utf8').trim() } catch { return null } }
  const alive = (pid: string | null) => { try { return pid !== null && process.kill(Number(pid), 0) } catch { return false } }
  const before = [1, 2, 3].map((n) => alive(pidOf(n)) ? pidOf(n) : null)
  supervisor.onStop(() => {
    const ours = [1, 2, 3].filter((n, i) => pidOf(n) !== null && pidOf(n) !== before[i])
    if (ours.length > 0) supervisor.runStop([join(root, 'scripts/kafka-cluster-down.sh'), ...ours.map(String)])
  })
  let out = ''
  const result = await supervisor.runScript([join(root, 'scripts/kafka-cluster-up.sh')], (chunk) => { out += chunk })
  process.stdout.write(out)
  if (result.status !== 0) throw new Error('the Kafka cluster did not start (see above)')
  return kafkaPorts.map((p) => `127.0.0.1:${p}`).join(',')
}

async function main (): Promise<void> {
  process.on('SIGINT', () => { void supervisor.stop(0) })
  process.on('SIGTERM', () => { void supervisor.stop(0) })
  const started = Date.now()
  supervisor.render = logRenderer(logFormat(env, process.stdout.isTTY === true))

  const postgres = await resolvePostgres(root, log)
  supervisor.onStop(() => postgres.stop())
  log(`PostgreSQL: ${postgres.kind} (${new URL(postgres.url).host})`)

  if (!has('java') || !has('mvn')) {
    throw new Error('Kafka: Java 17+ and Maven are needed to run the three brokers from Maven Central (apt-get install openjdk-17-jdk-headless maven).')
  }
  const brokers = await startKafkaCluster()
  log(`Kafka: ${brokers} (3 KRaft nodes, replication factor 3, min.insync.replicas 2)`)

  devIssuer(env.DATA_DIR ?? '.data')
  devPseudonymKey(env.DATA_DIR ?? '.data')

  // The balancers first: the producers' AUDIT_URL is the audit balancer.
  const gatewayBalancer = await startBalancer(gatewayPorts.map(url), ports.gateway)
  const auditBalancer = await startBalancer(auditPorts.map(url), ports.audit)
  supervisor.onStop(async () => { await gatewayBalancer.close(); await auditBalancer.close() })

  const registerFile = registerFileFor(DEFAULT_REGISTER_FILE, resolve(root, env.DATA_DIR ?? '.data'), ports['demo-partners'], env.REGISTER_FILE)
  const common = {
    KAFKA_BROKERS: brokers,
    KAFKA_REPLICATION_FACTOR: '3',
    KAFKA_MIN_INSYNC_REPLICAS: '2',
    WAMS_POSTGRES_SERVER: postgres.url,
    AUDIT_URL: auditBalancer.url,
    LOG_LEVEL: env.LOG_LEVEL ?? 'info',
    ...(registerFile ? { REGISTER_FILE: registerFile } : {})
  }
  // Replicas share their service's database; wams_cluster_ keeps it apart from `npm start`'s.
  const prefix = env.WAMS_DATABASE_PREFIX ?? 'wams_cluster_'
  const db = (service: string) => ({ DATABASE_URL: serviceDatabaseUrl(service, postgres.url, prefix) })
  for (const service of ['consent-ledger', 'audit', 'gateway']) await ensureDatabase(db(service).DATABASE_URL)
  const ledgerUrl = url(ports['consent-ledger'])
  const brpUrl = env.BRP_URL ?? `${url(ports['demo-partners'])}/brp/haalcentraal/api/brp`
  supervisor.startService('demo-partners', 'services/demo-partners/src/server.ts', ports['demo-partners'], { ...common })
  supervisor.startService('consent-ledger', 'services/consent-ledger/src/server.ts', ports['consent-ledger'], { ...common, ...db('consent-ledger'), BRP_URL: brpUrl })
  auditPorts.forEach((port, i) => {
    supervisor.startService(`audit-${i + 1}`, 'services/audit/src/server.ts', port, { ...common, ...db('audit'), CONSENT_LEDGER_URL: ledgerUrl })
  })
  gatewayPorts.forEach((port, i) => {
    supervisor.startService(`gateway-${i + 1}`, 'services/gateway/src/server.ts', port, { ...common, ...db('gateway'), CONSENT_LEDGER_URL: ledgerUrl })
  })
  const ready = [
    ...Object.entries(ports).map(([name, port]) => [name, port] as const),
    ...gatewayPorts.map((port, i) => [`gateway-${i + 1}`, port] as const),
    ...auditPorts.map((port, i) => [`audit-${i + 1}`, port] as const)
  ]
  await Promise.all(ready.map(([name, port]) => supervisor.waitReady(name, `${url(port)}/health/ready`, 240000)))

  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  await new Promise((resolve) => setTimeout(resolve, 250))
  const lines = tryThis(ports, brpUrl, seconds)
  lines.splice(1, 0,
    `[wams] production shape: gateway ${url(ports.gateway)} → instances :${gatewayPorts.join(', :')}; audit ${url(ports.audit)} → instances :${auditPorts.join(', :')}`,
    `[wams] Kafka cluster ${brokers} (3 KRaft nodes, RF 3, min.insync.replicas 2); databases ${prefix}*`)
  process.stdout.write(lines.map((line) => `${line}\n`).join(''))
}

main().catch((err: Error) => {
  process.stderr.write(`[wams] ${err.message}\n`)
  void supervisor.stop(1)
})
