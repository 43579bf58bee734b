// `npm start` brings up the whole system, every readiness endpoint answers, and Ctrl-C (SIGINT to
// the process group, as a terminal sends it) stops everything it started: no process is left.
// A healthy start logs nothing at error level (its output is JSON lines when not on a terminal)
// and ends with a "try this" block whose commands, pasted into a shell, get a first permit.
// Fresh topics and databases (KAFKA_TOPIC_PREFIX, WAMS_DATABASE_PREFIX): new topics to create and
// a new consumer group, as on a first start.
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { dropDatabase } from '@wams/platform'
import { POSTGRES_SERVER } from './support/infra.ts'

const ports = { GATEWAY_PORT: 18080, CONSENT_LEDGER_PORT: 18081, AUDIT_PORT: 18082, DEMO_PARTNERS_PORT: 18090 }

function alive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch { return false }
}

t.test('npm start: all ready, then SIGINT leaves no process behind', { timeout: 300000 }, async (t) => {
  const run = randomBytes(4).toString('hex')
  const dbPrefix = `t_start_${run}_`
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    LOG_LEVEL: 'warn',
    KAFKA_TOPIC_PREFIX: `t-start-${run}.`,
    WAMS_DATABASE_PREFIX: dbPrefix,
    DATABASE_URL: POSTGRES_SERVER
  }
  delete env.KAFKA_BROKERS // exercise the real path: the start script finds or starts the broker itself
  delete env.LOG_FORMAT // detected: not a terminal, so JSON lines
  const started = Date.now()
  const proc = spawn('npm', ['start'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  proc.stdout.on('data', (c: Buffer) => { output += c.toString() })
  proc.stderr.on('data', (c: Buffer) => { output += c.toString() })
  t.teardown(async () => {
    if (proc.exitCode === null) try { process.kill(-proc.pid!, 'SIGKILL') } catch {}
    await Promise.all(['consent_ledger', 'audit', 'gateway'].map(async (service) => {
      const url = new URL(POSTGRES_SERVER)
      url.pathname = `/${dbPrefix}${service}`
      await dropDatabase(url.toString()).catch(() => {})
    }))
  })

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in time:\n${output.slice(-3000)}`)), 240000)
    const poll = setInterval(() => {
      if (output.includes('all ready in')) { clearInterval(poll); clearTimeout(timer); resolve() }
      if (proc.exitCode !== null) { clearInterval(poll); clearTimeout(timer); reject(new Error(`npm start exited:\n${output.slice(-3000)}`)) }
    }, 200)
  })
  t.comment(`all ready after ${((Date.now() - started) / 1000).toFixed(1)} s`)
  for (const port of Object.values(ports)) {
    const res = await fetch(`http://127.0.0.1:${port}/health/ready`)
    t.equal(res.status, 200, `ready on ${port}`)
  }
  const parties = await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}/v1/parties`)
  t.equal(parties.status, 200, 'the gateway serves the register')
  t.match(output, /npx wams token/, 'prints how to get a token')

  // "try this": at most 15 lines from "all ready" on, the commands run as they are printed.
  const block = output.slice(output.indexOf('[wams] all ready in')).split('\n')
  const end = block.findIndex((l, i) => i > 0 && l.startsWith('#'))
  t.ok(end > 0 && end < 15, `the block is ${end + 2} lines`)
  t.match(block.join('\n'), `http://127.0.0.1:${ports.GATEWAY_PORT}/v1/docs`, 'names the OpenAPI docs')
  const commands = block.slice(0, end).filter((l) => /^(COLLEGE|CASE)=|^curl /.test(l))
  t.equal(commands.length, 3, 'a token, a case, a data request')
  const tried = spawnSync('bash', ['-euo', 'pipefail', '-c', commands.join('\n')], { encoding: 'utf8', timeout: 60000 })
  t.equal(tried.status, 0, `the commands ran: ${tried.stderr}`)
  t.match(tried.stdout, /"outcome":"permit"/, `the data request is permitted: ${tried.stdout}`)

  // No error-level line up to here (start, readiness, the first exchange): every JSON line (the
  // services' logs) has a level below 50 (error).
  const healthy = output
  const entries = healthy.split('\n').filter((l) => l.startsWith('{')).map((l) => {
    try { return JSON.parse(l) as { level: number } } catch { return { level: -1, line: l } }
  })
  t.same(entries.filter((e) => e.level < 0), [], 'each service line is one JSON object')
  t.same(entries.filter((e) => e.level >= 50), [], 'no log line at level error or fatal on a healthy start')
  t.notMatch(healthy, /"level":\s*[5-9]\d/, 'nor anywhere else in the output')

  const pids = [...output.matchAll(/starting \(pid (\d+)\)/g)].map((m) => Number(m[1]))
  t.equal(pids.length, 4, 'four service processes were started')
  process.kill(-proc.pid!, 'SIGINT')
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => proc.on('exit', (c, s) => resolve([c, s])))
  t.ok(code === 0 || signal === 'SIGINT' || code === 130, `npm ends as on Ctrl-C (code ${code}, signal ${signal})`)
  t.match(output, /\[wams\] stopped\n/, 'the start script stopped everything it started')
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.same(pids.filter(alive), [], 'no service process is left')
  for (const port of Object.values(ports)) {
    await t.rejects(fetch(`http://127.0.0.1:${port}/health/live`), `nothing listens on ${port}`)
  }
})

t.test('npm start without Java or Maven and without KAFKA_BROKERS names both remedies', async (t) => {
  const { mkdtempSync, symlinkSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const { spawnSync } = await import('node:child_process')
  // A PATH with a shell but neither java nor mvn.
  const bin = mkdtempSync(join(tmpdir(), 'wams-nojava-'))
  for (const tool of ['sh', 'bash']) symlinkSync(`/bin/${tool}`, join(bin, tool))
  const env: Record<string, string | undefined> = { ...process.env, PATH: bin, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', LOG_LEVEL: 'warn' }
  delete env.KAFKA_BROKERS
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { env, encoding: 'utf8', timeout: 60000 })
  t.equal(run.status, 1)
  t.match(run.stderr, /Java 17\+ and Maven/)
  t.match(run.stderr, /KAFKA_BROKERS=host:port/)
  t.notMatch(run.stdout, /starting \(pid/, 'no service was started')
})
