// `npm start`: the whole system on one machine with no configuration. PostgreSQL (configured,
// local or embedded), Kafka (KAFKA_BROKERS or a local broker from Maven Central jars), the three
// services and the demo partner systems; waits until all are ready, prints where they are and how
// to try a first exchange. Logs: pretty on a terminal, JSON lines otherwise (LOG_FORMAT; see
// scripts/lib/logs.ts). It supervises: a service that dies is started again after 1 s, 2 s, 4 s … (at
// most 30 s; back to 1 s once it stayed up a minute) while the others keep running. On Ctrl-C it
// stops everything it started, leaving no process behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { DEFAULT_REGISTER_FILE, defaultDatabaseUrl, devIssuer, devPseudonymKey, ensureDatabase } from '@wams/platform'
import { resolvePostgres } from './lib/postgres.ts'
import { restartDelayMs, STABLE_AFTER_MS } from './lib/supervise.ts'
import { logFormat, logRenderer } from './lib/logs.ts'
import { tryThis } from './lib/try-this.ts'
import { registerFileFor } from './lib/register.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const parentGuard = pathToFileURL(join(root, 'scripts/lib/parent-guard.ts')).href
const log = (line: string) => process.stdout.write(`[wams] ${line}\n`)
const ports = {
  gateway: Number(process.env.GATEWAY_PORT ?? 8080),
  'consent-ledger': Number(process.env.CONSENT_LEDGER_PORT ?? 8081),
  audit: Number(process.env.AUDIT_PORT ?? 8082),
  'demo-partners': Number(process.env.DEMO_PARTNERS_PORT ?? 8090)
}
type ServiceName = keyof typeof ports

/** One supervised service: its current process, or the timer that will start it again. */
interface Supervised {
  name: ServiceName
  entry: string
  env: Record<string, string>
  proc: ChildProcess | null
  startedAt: number
  /** Deaths in a row without a stable run in between: sets the next delay. */
  failures: number
  /** Restarts so far, shown in the output. */
  restarts: number
  timer: NodeJS.Timeout | null
}
const services: Supervised[] = []
const cleanups: Array<() => Promise<void> | void> = []
let stopping = false
let kafkaStarting: ChildProcess | null = null

function has (command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
}

let render: ReturnType<typeof logRenderer> = logRenderer('json')

/** Writes a service's output line by line, in the chosen format (scripts/lib/logs.ts). */
function pipeLines (name: string, stream: NodeJS.ReadableStream | null): void {
  let buffer = ''
  const write = (line: string) => { if (line.trim()) process.stdout.write(render(name, line)) }
  stream?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    for (const line of lines) write(line)
  })
  stream?.on('end', () => { write(buffer); buffer = '' })
}

function spawnService (service: Supervised): void {
  // A process group of its own: only the supervisor signals it (scripts/lib/parent-guard.ts).
  const proc = spawn(process.execPath, ['--import', 'tsx', '--import', parentGuard, service.entry], {
    cwd: root,
    env: { ...process.env, ...service.env, PORT: String(ports[service.name]), WAMS_ROOT: root, WAMS_SUPERVISOR_PID: String(process.pid) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  })
  service.proc = proc
  service.startedAt = Date.now()
  log(`${service.name} starting (pid ${proc.pid})`)
  pipeLines(service.name, proc.stdout)
  pipeLines(service.name, proc.stderr)
  proc.on('exit', (code, signal) => {
    if (service.proc === proc) service.proc = null
    if (stopping) return
    // A run that lasted is not part of a crash loop: the backoff starts again at 1 s.
    if (Date.now() - service.startedAt >= STABLE_AFTER_MS) service.failures = 0
    const delay = restartDelayMs(service.failures)
    service.failures++
    service.restarts++
    log(`${service.name} exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000} s (restart ${service.restarts})`)
    const restart = service.restarts
    service.timer = setTimeout(() => {
      service.timer = null
      if (stopping) return
      spawnService(service)
      void announceReady(service, restart)
    }, delay)
  })
}

/** Says so once a restarted service answers ready again. */
async function announceReady (service: Supervised, restart: number): Promise<void> {
  const proc = service.proc
  // Until it answers, is replaced or the supervisor stops (both change while this waits).
  const current = () => !stopping && service.proc === proc && proc !== null
  while (current()) {
    try {
      const res = await fetch(`http://127.0.0.1:${ports[service.name]}/health/ready`, { signal: AbortSignal.timeout(5000) })
      if (res.ok && service.proc === proc && !stopping) { log(`${service.name} ready again (restart ${restart})`); return }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

function startService (name: ServiceName, entry: string, env: Record<string, string>): void {
  const service: Supervised = { name, entry, env, proc: null, startedAt: 0, failures: 0, restarts: 0, timer: null }
  services.push(service)
  spawnService(service)
}

async function waitReady (name: string, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopped while waiting')
    try {
      const res = await fetch(url)
      if (res.ok) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
  throw new Error(`${name} not ready at ${url} after ${timeoutMs / 1000} s`)
}

async function shutdown (code: number): Promise<never> {
  if (stopping) return new Promise(() => {}) as Promise<never>
  stopping = true
  log('stopping...')
  // A service waiting to be started again is not started any more.
  for (const service of services) if (service.timer) { clearTimeout(service.timer); service.timer = null }
  if (kafkaStarting && kafkaStarting.exitCode === null && kafkaStarting.signalCode === null) {
    try { process.kill(-kafkaStarting.pid!, 'SIGTERM') } catch {}
  }
  await Promise.all(services.map(({ proc }) => new Promise<void>((resolve) => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve()
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15000)
    proc.once('exit', () => { clearTimeout(timer); resolve() })
    proc.kill('SIGTERM')
  })))
  for (const cleanup of cleanups.reverse()) await cleanup()
  log('stopped')
  process.exit(code)
}

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
  cleanups.push(() => {
    const now = recordedPid()
    if (out.includes('already running') || now === null || now === before) return
    spawnSync('bash', [join(root, 'scripts/kafka-down.sh')], { cwd: root, stdio: 'inherit' })
  })
  const up = spawn('bash', [join(root, 'scripts/kafka-up.sh')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], detached: true })
  kafkaStarting = up
  up.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  const status = await new Promise<number | null>((resolve) => up.on('exit', (code) => resolve(code)))
  kafkaStarting = null
  if (stopping) return new Promise(() => {}) // shutdown() runs the cleanup and exits
  process.stdout.write(out)
  if (status !== 0) throw new Error('Kafka did not start (see above)')
  return `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`
}

async function main (): Promise<void> {
  process.on('SIGINT', () => { void shutdown(0) })
  process.on('SIGTERM', () => { void shutdown(0) })
  const started = Date.now()
  render = logRenderer(logFormat(process.env, process.stdout.isTTY === true))

  const postgres = await resolvePostgres(root, log)
  cleanups.push(() => postgres.stop())
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
  // WAMS_DATABASE_PREFIX (default wams_) lets a second stack share the PostgreSQL server.
  const db = (service: string) => {
    const url = new URL(defaultDatabaseUrl(service, postgres.url))
    if (process.env.WAMS_DATABASE_PREFIX) url.pathname = `/${process.env.WAMS_DATABASE_PREFIX}${service.replace(/-/g, '_')}`
    return { DATABASE_URL: url.toString() }
  }
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
  await Promise.all(Object.entries(ports).map(([name, port]) => waitReady(name, `http://127.0.0.1:${port}/health/ready`, 180000)))

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
