// `npm start`: the whole system on one machine with no configuration. PostgreSQL (configured,
// local or embedded), Kafka (KAFKA_BROKERS or a local broker from Maven Central jars), the three
// services and the demo partner systems; waits until all are ready, prints where they are and how
// to get a token, and on Ctrl-C stops everything it started, leaving no process behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defaultDatabaseUrl, devIssuer, devPseudonymKey, ensureDatabase } from '@wams/platform'
import { resolvePostgres } from './lib/postgres.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const log = (line: string) => process.stdout.write(`[wams] ${line}\n`)
const ports = {
  gateway: Number(process.env.GATEWAY_PORT ?? 8080),
  'consent-ledger': Number(process.env.CONSENT_LEDGER_PORT ?? 8081),
  audit: Number(process.env.AUDIT_PORT ?? 8082),
  'demo-partners': Number(process.env.DEMO_PARTNERS_PORT ?? 8090)
}
const children: Array<{ name: string, proc: ChildProcess }> = []
const cleanups: Array<() => Promise<void> | void> = []
let stopping = false

function has (command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
}

function prefixLines (name: string, stream: NodeJS.ReadableStream | null): void {
  let buffer = ''
  stream?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    for (const line of lines) if (line.trim()) process.stdout.write(`${name.padEnd(15)}| ${line}\n`)
  })
}

function startService (name: keyof typeof ports, entry: string, env: Record<string, string>): void {
  const proc = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(ports[name]), WAMS_ROOT: root },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  log(`${name} starting (pid ${proc.pid})`)
  prefixLines(name, proc.stdout)
  prefixLines(name, proc.stderr)
  proc.on('exit', (code, signal) => {
    if (!stopping) { log(`${name} exited (${signal ?? code}); stopping everything`); void shutdown(1) }
  })
  children.push({ name, proc })
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
  await Promise.all(children.map(({ proc }) => new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve()
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15000)
    proc.once('exit', () => { clearTimeout(timer); resolve() })
    proc.kill('SIGTERM')
  })))
  for (const cleanup of cleanups.reverse()) await cleanup()
  log('stopped')
  process.exit(code)
}

async function main (): Promise<void> {
  process.on('SIGINT', () => { void shutdown(0) })
  process.on('SIGTERM', () => { void shutdown(0) })
  const started = Date.now()

  const postgres = await resolvePostgres(root, log)
  cleanups.push(() => postgres.stop())
  log(`PostgreSQL: ${postgres.kind} (${new URL(postgres.url).host})`)

  let brokers = process.env.KAFKA_BROKERS
  if (!brokers) {
    if (!has('java') || !has('mvn')) {
      throw new Error('Kafka: Java 17+ and Maven are needed to run a local broker from Maven Central. ' +
        'Either install both (apt-get install openjdk-17-jdk-headless maven) or set KAFKA_BROKERS=host:port to use an existing Kafka cluster.')
    }
    const up = spawnSync('bash', [join(root, 'scripts/kafka-up.sh')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    if (up.status !== 0) throw new Error('Kafka did not start (see above)')
    const out = up.stdout.toString()
    process.stdout.write(out)
    if (!out.includes('already running')) cleanups.push(() => { spawnSync('bash', [join(root, 'scripts/kafka-down.sh')], { stdio: 'inherit' }) })
    brokers = '127.0.0.1:9092'
  }
  log(`Kafka: ${brokers}`)

  // Create the dev secrets once, before several processes could race to create them.
  devIssuer(process.env.DATA_DIR ?? '.data')
  devPseudonymKey(process.env.DATA_DIR ?? '.data')

  const common = { KAFKA_BROKERS: brokers, WAMS_POSTGRES_SERVER: postgres.url, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' }
  const db = (service: string) => ({ DATABASE_URL: defaultDatabaseUrl(service, postgres.url) })
  for (const service of ['consent-ledger', 'audit', 'gateway']) await ensureDatabase(db(service).DATABASE_URL)
  startService('demo-partners', 'services/demo-partners/src/server.ts', { ...common })
  startService('consent-ledger', 'services/consent-ledger/src/server.ts', { ...common, ...db('consent-ledger') })
  startService('audit', 'services/audit/src/server.ts', { ...common, ...db('audit') })
  startService('gateway', 'services/gateway/src/server.ts', {
    ...common, ...db('gateway'), CONSENT_LEDGER_URL: `http://127.0.0.1:${ports['consent-ledger']}`
  })
  await Promise.all(Object.entries(ports).map(([name, port]) => waitReady(name, `http://127.0.0.1:${port}/health/ready`, 180000)))

  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  log(`all ready in ${seconds} s`)
  log(`gateway         http://127.0.0.1:${ports.gateway}        (docs: /v1/docs, OpenAPI: /v1/openapi.json)`)
  log(`consent ledger  http://127.0.0.1:${ports['consent-ledger']}`)
  log(`audit           http://127.0.0.1:${ports.audit}`)
  log(`demo partners   http://127.0.0.1:${ports['demo-partners']}/partners/<OIN>`)
  log('a token:        npx wams token --org 00000099000000000101 --roles college --sub wethouder-1')
  log('Ctrl-C stops everything.')
}

main().catch((err: Error) => {
  process.stderr.write(`[wams] ${err.message}\n`)
  void shutdown(1)
})
