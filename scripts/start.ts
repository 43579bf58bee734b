// `npm start`: the whole system on one machine with no configuration. PostgreSQL (configured,
// local or embedded), Kafka (KAFKA_BROKERS or a local broker from Maven Central jars), the three
// services and the demo partner systems; waits until all are ready, prints where they are and how
// to try a first exchange. Logs: pretty on a terminal, JSON lines otherwise (LOG_FORMAT; see
// scripts/lib/logs.ts). It supervises: a service that dies is started again after 1 s, 2 s, 4 s … (at
// most 30 s; back to 1 s once it stayed up a minute) while the others keep running. On Ctrl-C it
// stops everything it started, leaving no process behind.
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

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const log = (line: string) => process.stdout.write(`[wams] ${line}\n`)
const ports = {
  gateway: Number(process.env.GATEWAY_PORT ?? 8080),
  'consent-ledger': Number(process.env.CONSENT_LEDGER_PORT ?? 8081),
  audit: Number(process.env.AUDIT_PORT ?? 8082),
  'demo-partners': Number(process.env.DEMO_PARTNERS_PORT ?? 8090)
}
type ServiceName = keyof typeof ports

const supervisor = new Supervisor(root, log)
const shutdown = (code: number) => supervisor.stop(code)
const startService = (name: ServiceName, entry: string, env: Record<string, string>) => supervisor.startService(name, entry, ports[name], env)

/**
 * Starts the local broker with scripts/kafka-up.sh (KAFKA_PORT, KAFKA_CONTROLLER_PORT and
 * KAFKA_WORK_DIR pass through) in its own process group: Ctrl-C in the terminal does not reach
 * the broker, which is stopped after the services (they leave their groups and flush first).
 */
async function startLocalKafka (): Promise<string> {
  let out = ''
  const pidFile = join(process.env.KAFKA_WORK_DIR ?? join(root, '.kafka'), 'kafka.pid')
  const recordedPid = () => { try { return readFileSync(pidFile, 'utf8').trim() } catch { return null } }
  const before = recordedPid()
  // Stops what this start started, also when Ctrl-C came during the start. A broker that was
  // already running (adopted) stays: the pid file then still names the broker from before.
  supervisor.onStop(() => {
    const now = recordedPid()
    if (out.includes('already running') || now === null || now === before) return
    supervisor.runStop([join(root, 'scripts/kafka-down.sh')])
  })
  const result = await supervisor.runScript([join(root, 'scripts/kafka-up.sh')], (chunk) => { out += chunk })
  process.stdout.write(out)
  if (result.status !== 0) throw new Error('Kafka did not start (see above)')
  return `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`
}

async function main (): Promise<void> {
  process.on('SIGINT', () => { void shutdown(0) })
  process.on('SIGTERM', () => { void shutdown(0) })
  const started = Date.now()
  supervisor.render = logRenderer(logFormat(process.env, process.stdout.isTTY === true))

  const postgres = await resolvePostgres(root, log)
  supervisor.onStop(() => postgres.stop())
  log(`PostgreSQL: ${postgres.kind} (${new URL(postgres.url).host})`)

  let brokers = process.env.KAFKA_BROKERS
  if (!brokers) {
    if (!has('java') || !has('mvn')) {
      throw new Error('Kafka: Java 17+ and Maven are needed to run a local broker from Maven Central. ' +
        'Either install both (apt-get install openjdk-17-jdk-headless maven) or set KAFKA_BROKERS=host:port to use an existing Kafka cluster.')
    }
    brokers = await startLocalKafka()
  }
  log(`Kafka: ${brokers}`)

  // Create the dev secrets once, before several processes could race to create them.
  devIssuer(process.env.DATA_DIR ?? '.data')
  devPseudonymKey(process.env.DATA_DIR ?? '.data')

  // Demo partners on another port than the register's 8090: the services get a register that says so.
  const registerFile = registerFileFor(DEFAULT_REGISTER_FILE, resolve(root, process.env.DATA_DIR ?? '.data'), ports['demo-partners'], process.env.REGISTER_FILE)
  const common = {
    KAFKA_BROKERS: brokers,
    WAMS_POSTGRES_SERVER: postgres.url,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...(registerFile ? { REGISTER_FILE: registerFile } : {})
  }
  const db = (service: string) => ({ DATABASE_URL: serviceDatabaseUrl(service, postgres.url) })
  for (const service of ['consent-ledger', 'audit', 'gateway']) await ensureDatabase(db(service).DATABASE_URL)
  startService('demo-partners', 'services/demo-partners/src/server.ts', { ...common })
  // The residence check asks the demo BRP of the demo partner systems, unless BRP_URL names another.
  const brpUrl = process.env.BRP_URL ?? `http://127.0.0.1:${ports['demo-partners']}/brp/haalcentraal/api/brp`
  startService('consent-ledger', 'services/consent-ledger/src/server.ts', { ...common, ...db('consent-ledger'), BRP_URL: brpUrl })
  // The audit service asks the consent ledger who is in a municipality's cases (the inzage report).
  startService('audit', 'services/audit/src/server.ts', { ...common, ...db('audit'), CONSENT_LEDGER_URL: `http://127.0.0.1:${ports['consent-ledger']}` })
  startService('gateway', 'services/gateway/src/server.ts', {
    ...common, ...db('gateway'), CONSENT_LEDGER_URL: `http://127.0.0.1:${ports['consent-ledger']}`
  })
  await Promise.all(Object.entries(ports).map(([name, port]) => supervisor.waitReady(name, `http://127.0.0.1:${port}/health/ready`, 180000)))

  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  // The services log their answers to the last readiness checks just after giving them: those
  // lines first, then the block in one write, so that no service's line lands inside it.
  await new Promise((resolve) => setTimeout(resolve, 250))
  process.stdout.write(tryThis(ports, brpUrl, seconds).map((line) => `${line}\n`).join(''))
}

main().catch((err: Error) => {
  process.stderr.write(`[wams] ${err.message}\n`)
  void shutdown(1)
})
