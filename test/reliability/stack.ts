// The real stack for the fault matrix, every part its own OS process so that a fault can SIGKILL
// it: a private Kafka broker (scripts/kafka-up.sh on free ports and its own work dir, never the
// shared broker), fresh PostgreSQL databases, the demo partners, the consent ledger, the audit
// service and the gateway, each `node --import tsx services/<svc>/src/server.ts` on a fixed free
// port. Logs go to files in one temporary folder (printed, kept when RELIABILITY_KEEP=1).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createWriteStream, mkdtempSync, readFileSync, rmSync, type WriteStream } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { freshDatabase, freshTopicPrefix } from '../support/infra.ts'
import { demoBrpUrl, writeTestRegister } from '../support/partners.ts'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** A loopback port nobody listens on right now (the OS's choice, released again at once). */
export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** The environment a child starts from: ours, without the test runner's loaders and our broker. */
export function baseEnv (): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === 'NODE_OPTIONS' || k.startsWith('TAP') || k.startsWith('_TAPJS') || k === 'KAFKA_BROKERS') continue
    env[k] = v
  }
  return env
}

/** Runs a script to its end; rejects with its output when it fails. */
export function run (command: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (c: Buffer) => { output += c.toString() })
    child.stderr.on('data', (c: Buffer) => { output += c.toString() })
    const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve(output)
      else reject(new Error(`${command} ${args.join(' ')} ended ${signal ?? code}:\n${output.slice(-3000)}`))
    })
  })
}

/** A private single-node broker: kafka-up.sh / kafka-down.sh with its own ports and work dir. */
export class KafkaBroker {
  readonly env: Record<string, string>
  constructor (readonly port: number, controllerPort: number, readonly workDir: string) {
    this.env = { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_WORK_DIR: workDir }
  }

  get brokers (): string { return `127.0.0.1:${this.port}` }

  /** Last resort when the test process exits without its teardown: stops our broker at once. */
  killNow (): void {
    spawnSync('bash', ['scripts/kafka-down.sh'], { cwd: ROOT, env: { ...baseEnv(), ...this.env, KAFKA_STOP_TIMEOUT: '5' }, stdio: 'ignore' })
  }

  async up (): Promise<string> {
    const out = await run('bash', ['scripts/kafka-up.sh'], this.env, 150_000)
    if (out.includes('already running')) throw new Error(`a broker already answered on ${this.brokers}: not ours, refusing to use it`)
    return out
  }

  async down (): Promise<void> {
    await run('bash', ['scripts/kafka-down.sh'], this.env, 90_000)
  }

  pid (): number | null {
    try { return Number(readFileSync(join(this.workDir, 'kafka.pid'), 'utf8').trim()) } catch { return null }
  }
}

export type ServiceName = 'demo-partners' | 'consent-ledger' | 'audit' | 'gateway'

/** One service as an OS process; started again with the same port and environment after a fault. */
export class ServiceProcess {
  private child: ChildProcess | null = null
  private log: WriteStream
  private killing = false
  /** Exits nobody asked for (a crash), since the last takeCrashes(). */
  private crashes: string[] = []
  starts = 0

  /** `instance` tells several processes of one service apart (their log files; default: the name). */
  constructor (readonly name: ServiceName, readonly port: number, public env: Record<string, string>, logDir: string, readonly instance: string = name) {
    this.log = createWriteStream(join(logDir, `${instance}.log`), { flags: 'a' })
  }

  /** The log file's path. */
  get logPath (): string { return String(this.log.path) }

  get url (): string { return `http://127.0.0.1:${this.port}` }
  get pid (): number | undefined { return this.child?.pid }
  get running (): boolean { return this.child !== null && this.child.exitCode === null && this.child.signalCode === null }

  /** Starts the process and waits until /health/ready answers 200. */
  async start (extraEnv: Record<string, string> = {}, readyTimeoutMs = 90_000): Promise<number> {
    if (this.running) throw new Error(`${this.name} is already running`)
    const started = Date.now()
    this.starts++
    this.log.write(`\n==== start #${this.starts} at ${new Date().toISOString()} ====\n`)
    const child = spawn(process.execPath, ['--import', 'tsx', `services/${this.name}/src/server.ts`], {
      cwd: ROOT,
      env: { ...baseEnv(), ...this.env, ...extraEnv, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    this.child = child
    child.stdout!.pipe(this.log, { end: false })
    child.stderr!.pipe(this.log, { end: false })
    child.on('exit', (code, signal) => {
      this.log.write(`==== exited (${signal ?? code}) at ${new Date().toISOString()} ====\n`)
      if (!this.killing) this.crashes.push(`exited by itself (${signal ?? code}) at ${new Date().toISOString()}`)
    })
    const deadline = started + readyTimeoutMs
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.name} exited during start (${child.signalCode ?? child.exitCode}); see ${this.log.path}`)
      try {
        const res = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2000) })
        await res.arrayBuffer()
        if (res.status === 200) return Date.now() - started
      } catch {}
      await sleep(200)
    }
    throw new Error(`${this.name} not ready within ${readyTimeoutMs} ms; see ${this.log.path}`)
  }

  /** Sends `signal` to the process (ours, by pid) and waits until it is gone. */
  async kill (signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 20_000): Promise<void> {
    const child = this.child
    if (child === null || !this.running) return
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    this.killing = true
    child.kill(signal)
    const timer = setTimeout(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') }, timeoutMs)
    await gone
    clearTimeout(timer)
    this.killing = false
  }

  takeCrashes (): string[] {
    const crashes = this.crashes
    this.crashes = []
    return crashes
  }

  /** The last lines of its log that are not info lines (pino level 30) or below. */
  tail (lines = 12): string {
    const text = readFileSync(String(this.log.path), 'utf8')
    return text.split('\n').filter((l) => l && !/^\{"level":(10|20|30),/.test(l)).slice(-lines).map((l) => l.slice(0, 400)).join('\n')
  }

  async stop (): Promise<void> { await this.kill('SIGTERM') }

  /** Last resort when the test process exits without its teardown. */
  killNow (): void {
    if (this.running) this.child!.kill('SIGKILL')
  }

  /** Sends a signal without waiting (SIGSTOP freezes the process, SIGCONT thaws it). */
  signal (signal: NodeJS.Signals): void {
    if (this.running) this.child!.kill(signal)
  }

  async closeLog (): Promise<void> { await new Promise<void>((resolve) => this.log.end(resolve)) }
}

export interface StackOptions {
  label: string
  /** Environment of every producer (gateway, consent ledger) and the audit service. */
  env: Record<string, string>
  /** Further environment of the gateway only. */
  gatewayEnv?: Record<string, string>
  log?: (line: string) => void
}

export interface Stack {
  dir: string
  kafka: KafkaBroker
  topicPrefix: string
  registerFile: string
  partners: ServiceProcess
  ledger: ServiceProcess
  audit: ServiceProcess
  gateway: ServiceProcess
  databases: { gateway: string, ledger: string, audit: string }
  /** The gateway's database, for reading its outbox. */
  gatewaySql: pg.Pool
  /** The audit service's database. */
  auditSql: pg.Pool
  /** The consent ledger's database (its outbox). */
  ledgerSql: pg.Pool
  /** Stops everything it started, drops the databases, removes the folder. */
  close: () => Promise<void>
}

/** A pool on a stack's database; a terminated idle client must not end the test process. */
export function poolOf (url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 2 })
  pool.on('error', () => {})
  return pool
}

/** What a stack owns while it runs: its folder, what undoes each part, and close(). */
export interface StackLifetime {
  /** The temporary folder for logs and work dirs. */
  dir: string
  /** Run in reverse order by close(). */
  cleanups: Array<() => Promise<void>>
  /** Run in reverse order should the test process exit without close(). */
  lastResorts: Array<() => void>
  /** Runs the cleanups, removes the folder (kept when RELIABILITY_KEEP=1). */
  close: () => Promise<void>
}

/** The folder (`<tmpdir>/<prefix>XXXXXX`) and the cleanups of a stack being started. */
export function stackLifetime (prefix: string, log: (line: string) => void): StackLifetime {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const cleanups: Array<() => Promise<void>> = []
  // Should the test process end without its teardown (a timeout, an uncaught error), nothing of
  // the stack is left running: the services die with it and the brokers are stopped.
  const lastResorts: Array<() => void> = []
  const lastResort = () => { for (const fn of [...lastResorts].reverse()) fn() }
  process.once('exit', lastResort)
  const close = async () => {
    for (const cleanup of cleanups.reverse()) {
      try { await cleanup() } catch (err) { log(`cleanup: ${(err as Error).message}`) }
    }
    process.removeListener('exit', lastResort)
    if (process.env.RELIABILITY_KEEP === '1') log(`logs kept in ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
  return { dir, cleanups, lastResorts, close }
}

export async function startStack (options: StackOptions): Promise<Stack> {
  const log = options.log ?? (() => {})
  const { dir, cleanups, lastResorts, close } = stackLifetime('wams-reliability-', log)
  try {
    const [kafkaPort, controllerPort, partnersPort, ledgerPort, auditPort, gatewayPort] =
      await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]) as [number, number, number, number, number, number]
    const kafka = new KafkaBroker(kafkaPort, controllerPort, join(dir, 'kafka'))
    const t0 = Date.now()
    cleanups.push(() => kafka.down())
    lastResorts.push(() => kafka.killNow())
    await kafka.up()
    log(`kafka ready on ${kafka.brokers} in ${((Date.now() - t0) / 1000).toFixed(1)} s (work dir ${kafka.workDir})`)

    const dbs = await Promise.all(['gw', 'ledger', 'audit'].map((n) => freshDatabase(`rel_${options.label}_${n}`)))
    for (const db of dbs) cleanups.push(db.drop)
    const databases = { gateway: dbs[0]!.url, ledger: dbs[1]!.url, audit: dbs[2]!.url }
    const topicPrefix = freshTopicPrefix(`rel_${options.label}`)
    const registerFile = writeTestRegister(`http://127.0.0.1:${partnersPort}`)
    const common = {
      KAFKA_BROKERS: kafka.brokers,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      AUDIT_URL: `http://127.0.0.1:${auditPort}`,
      REGISTER_FILE: registerFile,
      LOG_LEVEL: process.env.RELIABILITY_LOG_LEVEL ?? 'warn',
      SHUTDOWN_GRACE_MS: '3000',
      ...options.env
    }
    const partners = new ServiceProcess('demo-partners', partnersPort, { LOG_LEVEL: common.LOG_LEVEL, REGISTER_FILE: registerFile }, dir)
    // The residence check asks the demo BRP of the demo partners (SPEC §2).
    const ledger = new ServiceProcess('consent-ledger', ledgerPort, { ...common, DATABASE_URL: databases.ledger, BRP_URL: demoBrpUrl(`http://127.0.0.1:${partnersPort}`) }, dir)
    const audit = new ServiceProcess('audit', auditPort, { ...common, DATABASE_URL: databases.audit }, dir)
    const gateway = new ServiceProcess('gateway', gatewayPort, {
      ...common, DATABASE_URL: databases.gateway, CONSENT_LEDGER_URL: ledger.url, ...options.gatewayEnv
    }, dir)
    for (const service of [gateway, audit, ledger, partners]) {
      cleanups.push(async () => { await service.kill('SIGKILL'); await service.closeLog() })
    }
    lastResorts.push(...[gateway, audit, ledger, partners].map((service) => () => service.killNow()))
    const gatewaySql = poolOf(databases.gateway)
    const auditSql = poolOf(databases.audit)
    const ledgerSql = poolOf(databases.ledger)
    cleanups.push(async () => { await gatewaySql.end(); await auditSql.end(); await ledgerSql.end() })

    // The audit service first (the producers ask it for receipts), then the rest side by side.
    const times = await Promise.all([audit.start(), partners.start(), ledger.start()])
    log(`audit, demo partners, consent ledger ready in ${times.map((ms) => (ms / 1000).toFixed(1)).join(' / ')} s`)
    log(`gateway ready in ${((await gateway.start()) / 1000).toFixed(1)} s; logs in ${dir}`)
    return { dir, kafka, topicPrefix, registerFile, partners, ledger, audit, gateway, databases, gatewaySql, auditSql, ledgerSql, close }
  } catch (err) {
    await close()
    throw err
  }
}
