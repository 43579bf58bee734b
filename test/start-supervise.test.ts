// `npm start` supervises: a service that dies (SIGKILL) is started again with a backoff and a
// line in the output, the others keep running; Ctrl-C stops everything, also a service waiting
// to be started again and the Kafka broker the start script started. Runs a stack of its own:
// its own ports, its own broker (KAFKA_PORT, KAFKA_WORK_DIR; never the shared one) and its own
// databases (WAMS_DATABASE_PREFIX).
import t from 'tap'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomBytes } from 'node:crypto'
import { dropDatabase } from '@wams/platform'
import { POSTGRES_SERVER } from './support/infra.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

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

function listening (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

function alive (pid: number): boolean {
  try { process.kill(pid, 0) } catch { return false }
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')) } catch { return false }
}

t.test('npm start (scripts/start.ts) restarts a dead service with backoff; Ctrl-C still leaves nothing', { timeout: 120000 }, async (t) => {
  const [gateway, ledger, audit, partners, kafka, controller] = await freePorts(6)
  const ports = { GATEWAY_PORT: gateway!, CONSENT_LEDGER_PORT: ledger!, AUDIT_PORT: audit!, DEMO_PARTNERS_PORT: partners! }
  const work = mkdtempSync(join(tmpdir(), 'wams-supervise-'))
  const dbPrefix = `t_sup_${randomBytes(4).toString('hex')}_`
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    KAFKA_PORT: String(kafka),
    KAFKA_CONTROLLER_PORT: String(controller),
    KAFKA_WORK_DIR: work,
    KAFKA_START_TIMEOUT: '60',
    KAFKA_JVM_OPTS: '-XX:TieredStopAtLevel=1', // C1 only: the broker starts in about half the time on a busy machine
    WAMS_DATABASE_PREFIX: dbPrefix,
    DATABASE_URL: POSTGRES_SERVER,
    LOG_LEVEL: 'warn'
  }
  delete env.KAFKA_BROKERS // the start script starts its own broker on KAFKA_PORT, and must stop it again

  const started = Date.now()
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`
  // What `npm start` runs, without npm's own start-up time; its own process group, as a terminal's.
  const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  proc.stdout.on('data', (c: Buffer) => { output += c.toString() })
  proc.stderr.on('data', (c: Buffer) => { output += c.toString() })
  const exited = new Promise<[number | null, string | null]>((resolve) => proc.on('exit', (c, s) => resolve([c, s])))
  let kafkaPid: number | null = null
  // Last resort when the file's timeout ends the process before its teardown: nothing outlives it.
  process.once('exit', () => {
    if (proc.exitCode === null && proc.signalCode === null) try { process.kill(-proc.pid!, 'SIGKILL') } catch {}
    if (existsSync(join(work, 'kafka.pid'))) spawnSync('bash', [join(root, 'scripts/kafka-down.sh')], { env: { ...env, KAFKA_STOP_TIMEOUT: '5' }, stdio: 'ignore' })
    rmSync(work, { recursive: true, force: true })
  })
  t.teardown(async () => {
    if (proc.exitCode === null && proc.signalCode === null) try { process.kill(-proc.pid!, 'SIGKILL') } catch {}
    // The broker runs in its own process group: stopped by its pid file if the start script could not.
    try { execFileSync('bash', [join(root, 'scripts/kafka-down.sh')], { env: { ...env, KAFKA_STOP_TIMEOUT: '10' }, stdio: 'ignore' }) } catch {}
    if (kafkaPid && alive(kafkaPid)) process.kill(kafkaPid, 'SIGKILL')
    rmSync(work, { recursive: true, force: true })
    await Promise.all(['consent_ledger', 'audit', 'gateway'].map(async (service) => {
      const url = new URL(POSTGRES_SERVER)
      url.pathname = `/${dbPrefix}${service}`
      await dropDatabase(url.toString()).catch(() => {})
    }))
  })

  async function see (pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const m = pattern.exec(output.slice(from))
      if (m) return m
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`the start script exited while waiting for ${pattern}:\n${output.slice(-3000)}`)
      if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${output.slice(-3000)}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  const pidsOf = (name: string) => [...output.matchAll(new RegExp(`\\[wams\\] ${name} starting \\(pid (\\d+)\\)`, 'g'))].map((m) => Number(m[1]))

  await see(/\[wams\] Kafka: /, 90000)
  t.comment(`broker ready after ${elapsed()}`)
  await see(/all ready in/, 100000)
  t.comment(`all ready after ${elapsed()}`)
  t.match(output, new RegExp(`Kafka: 127\\.0\\.0\\.1:${kafka}`), 'its own broker, on KAFKA_PORT')
  kafkaPid = Number(readFileSync(join(work, 'kafka.pid'), 'utf8'))
  t.ok(alive(kafkaPid), 'the broker runs from KAFKA_WORK_DIR')
  const others = ([['gateway', gateway!], ['consent-ledger', ledger!], ['demo-partners', partners!]] as const)
    .map(([name, port]) => ({ name, port, pid: pidsOf(name)[0]! }))

  // 1st death: back after 1 s.
  const first = pidsOf('audit')[0]!
  let mark = output.length
  process.kill(first, 'SIGKILL')
  await see(/\[wams\] audit exited \(SIGKILL\); restarting in 1 s \(restart 1\)\n/, 10000, mark)
  t.pass('the death is reported with the wait and the restart count')
  const second = Number((await see(/\[wams\] audit starting \(pid (\d+)\)/, 10000, mark))[1])
  t.not(second, first, 'a new audit process')

  // 2nd death in a row, before it was even ready: the wait doubles.
  mark = output.length
  process.kill(second, 'SIGKILL')
  await see(/\[wams\] audit exited \(SIGKILL\); restarting in 2 s \(restart 2\)\n/, 10000, mark)
  t.pass('backoff: 2 s after the second death in a row')
  await see(/\[wams\] audit ready again \(restart 2\)\n/, 60000, mark)
  t.comment(`audit ready again after ${elapsed()}`)
  const res = await fetch(`http://127.0.0.1:${audit}/health/ready`)
  t.equal(res.status, 200, 'audit answers ready again on its port')
  for (const { name, port, pid } of others) {
    t.ok(alive(pid), `${name} kept running (pid ${pid})`)
    t.equal(pidsOf(name).length, 1, `${name} was not restarted`)
    t.equal((await fetch(`http://127.0.0.1:${port}/health/ready`)).status, 200, `${name} ready`)
  }

  // 3rd death, then Ctrl-C while the supervisor waits to start it again.
  const third = pidsOf('audit').at(-1)!
  mark = output.length
  process.kill(third, 'SIGKILL')
  await see(/\[wams\] audit exited \(SIGKILL\); restarting in 4 s \(restart 3\)\n/, 10000, mark)
  process.kill(-proc.pid!, 'SIGINT')
  const [code, signal] = await exited
  t.ok(code === 0 || signal === 'SIGINT' || code === 130, `the start script ends as on Ctrl-C (code ${code}, signal ${signal})`)
  t.match(output, /\[wams\] stopped\n/, 'the start script stopped everything it started')
  t.notMatch(output.slice(mark), /audit starting/, 'the service waiting for its restart was not started again')
  await new Promise((resolve) => setTimeout(resolve, 500))
  const pids = [...output.matchAll(/starting \(pid (\d+)\)/g)].map((m) => Number(m[1]))
  t.equal(pids.length, 6, 'four services and two restarts were started')
  t.same(pids.filter(alive), [], 'no service process is left')
  t.notOk(alive(kafkaPid), 'the broker it started is stopped')
  t.notOk(existsSync(join(work, 'kafka.pid')), 'by kafka-down.sh (its pid file is gone)')
  for (const port of [...Object.values(ports), kafka!]) t.notOk(await listening(port), `nothing listens on ${port}`)
  t.comment(`done after ${elapsed()}`)
})
