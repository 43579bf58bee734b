// Gateway benchmark, on loopback in one run (SPEC §7 "Fast"; issue 4 targets):
//   1. the demo partner system called directly,
//   2. a bare @fastify/reply-from proxy in front of it,
//   3. the full gateway (consent ledger, PostgreSQL outbox, Kafka relay) in front of it,
// each at full load (autocannon, requests/s and p50/p99) and at a fixed 200 requests/s (p50 against
// the direct call; autocannon's histogram has 1 ms resolution, so a paced client with µs
// resolution measures the same too); then the decision engine alone against Cedar
// (bench/decision.ts, run as is). Every server runs in its own process, as in production; the load
// generator is this process. Needs PostgreSQL and Kafka running.
// Ends with issue 13's targets side by side (met / NOT met) and the CPU per request per process.
// Run: node --import tsx bench/gateway.ts [seconds-per-run, default 10] [--profile] [--no-decision] [--compare KEY=VALUE]
//   --compare KEY=VALUE: a second full gateway with that setting (e.g. AUDIT_GROUP_COMMIT_MAX_EVENTS=0 or CASE_STATE_CACHE_ENTRIES=0),
//   measured right after the first in the same run, with its own rows and targets.
//   --no-decision: without the decision engine vs Cedar comparison (bench/decision.ts) at the end.
//   --profile: the gateway process runs with --cpu-prof; its profile is summarised at the end (top
//   functions by self and total time, grouped by package) and kept in the temp dir for a flame graph.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, cpus } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { Pool } from 'undici'
import { cpuLine, cpuPer, cpuSnapshot, percent, printProfileSummary, printTargets, thousands } from './report.ts'
import {
  DEFAULT_REGISTER_FILE, OUTBOX_MIGRATIONS, buildAuditEvent, createPool, devIssuer, dropDatabase, ensureDatabase, migrate, parseTraceparent, recordAudit, LOCAL_POSTGRES, signToken
} from '@wams/platform'

const SELF = fileURLToPath(import.meta.url)
const ROOT = join(SELF, '..', '..')
const GEMEENTE = '00000099000000000101'
const ZORG = '00000099000000000201'
const GATEWAY_OIN = '00000099000000009000'
const BSN = '999990019'
const NECESSITY = 'Vaststellen of er zorg betrokken is bij de problemen van het gezin.'
const FIELDS = ['careInvolved', 'riskIndication']
const PARTNER_PATH = `/partners/${ZORG}/wams/v1/data-requests`

// ---- server roles (child processes) ----------------------------------------------------------

function databaseUrl (label: string): string {
  const url = new URL(process.env.WAMS_POSTGRES_SERVER ?? LOCAL_POSTGRES)
  url.pathname = `/bench_${label}_${randomBytes(4).toString('hex')}`
  return url.toString()
}

const READY = 'BENCH_READY'

/** Runs one server until SIGTERM or the end of stdin; prints `BENCH_READY { "url": ... }` once it listens. */
async function serve (role: string, args: string[]): Promise<void> {
  let app: { listen: (o: { host: string, port: number }) => Promise<string>, close: () => Promise<unknown> }
  let cleanup = async () => {}
  if (role === 'partners') {
    const { buildApp, readConfig } = await import('@wams/demo-partners')
    app = await buildApp(readConfig({ LOG_LEVEL: 'silent', PORT: '0' })) as never
  } else if (role === 'proxy') {
    const Fastify = (await import('fastify')).default
    const replyFrom = (await import('@fastify/reply-from')).default
    const proxy = Fastify({ logger: false })
    await proxy.register(replyFrom, { base: args[0]!, undici: { connections: 64, pipelining: 1 } })
    proxy.post('/partners/*', (request, reply) => { reply.from(request.url) })
    app = proxy as never
  } else {
    const db = databaseUrl(role.replace('-', '_'))
    await ensureDatabase(db)
    cleanup = () => dropDatabase(db)
    const env = { DATABASE_URL: db, DATABASE_POOL_SIZE: '20', LOG_LEVEL: 'warn', PORT: '0', KAFKA_PARTITIONS: '1', KAFKA_TOPIC_PREFIX: `bench.${randomBytes(4).toString('hex')}.` }
    if (role === 'ledger') {
      const { buildApp, readConfig } = await import('../services/consent-ledger/src/index.ts')
      // The residence check asks the demo BRP of the demo partners (args[0]: their origin).
      app = await buildApp(readConfig({ ...env, BRP_URL: `${args[0]!}/brp/haalcentraal/api/brp` })) as never
    } else {
      const { buildApp, readConfig } = await import('../services/gateway/src/index.ts')
      app = await buildApp(readConfig({
        ...env,
        // --compare KEY=VALUE: the second gateway's setting (args[2]).
        ...(args[2] ? Object.fromEntries([args[2].split(/=(.*)/s).slice(0, 2) as [string, string]]) : {}),
        CONSENT_LEDGER_URL: args[0]!,
        REGISTER_FILE: args[1]!,
        // The benchmark is one organisation at full load: no rate limit in the way.
        RATE_LIMIT_PER_MINUTE: '1000000000'
      })) as never
    }
  }
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  process.stdout.write(`${READY} ${JSON.stringify({ url })}\n`)
  let stopping = false
  const shutdown = () => {
    if (stopping) return
    stopping = true
    void (async () => {
      await app.close()
      await cleanup()
      process.exit(0)
    })()
  }
  process.once('SIGTERM', shutdown)
  // The load generator holds our stdin: when it ends (also when it crashed), so do we.
  process.stdin.on('end', shutdown).resume()
}

// ---- the load generator (main) -----------------------------------------------------------------

interface Server { name: string, url: string, proc: ChildProcess }

async function start (role: string, ...args: string[]): Promise<Server> {
  // e.g. BENCH_NODE_ARGS_GATEWAY="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile one server.
  const extra = (process.env[`BENCH_NODE_ARGS_${role.toUpperCase()}`] ?? '').split(' ').filter(Boolean)
  const proc = spawn(process.execPath, [...extra, '--import', 'tsx', SELF, '--serve', role, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: proc.stdout! })
  const url = await new Promise<string>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${role} exited (${code}) before listening`)))
    // Anything else on stdout is the service's log (warnings); it goes to our stderr.
    lines.on('line', (line) => {
      if (line.startsWith(READY)) resolve((JSON.parse(line.slice(READY.length)) as { url: string }).url)
      else process.stderr.write(`[${role}] ${line}\n`)
    })
  })
  return { name: role, url, proc }
}

async function stop (server: Server): Promise<void> {
  if (server.proc.exitCode !== null) return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => server.proc.kill('SIGKILL'), 15000)
    server.proc.once('exit', () => { clearTimeout(timer); resolve() })
    server.proc.stdin?.end()
  })
}

interface Load { url: string, path: string, headers: Record<string, string>, body: string }

interface Row { name: string, rps: number, p50: number, p99: number, non2xx: number, errors: number, total: number, cpu?: Map<string, number> }

async function cannon (name: string, load: Load, seconds: number, opts: { connections: number, overallRate?: number }): Promise<Row> {
  const result = await autocannon({
    url: load.url + load.path,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...load.headers },
    body: load.body,
    duration: seconds,
    connections: opts.connections,
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {})
  })
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts, total: result.requests.total }
}

interface Paced { name: string, p50: number, p99: number, failures: number, timings: Map<string, number[]> }

/** Open-loop requests at `rate`/s for `seconds`, timed in µs; collects the Server-Timing stages. */
async function paced (name: string, load: Load, rate: number, seconds: number): Promise<Paced> {
  const pool = new Pool(load.url, { connections: 16 })
  const latencies: number[] = []
  const timings = new Map<string, number[]>()
  let failures = 0
  const total = rate * seconds
  const interval = 1000 / rate
  const begin = performance.now()
  const inflight: Array<Promise<void>> = []
  for (let i = 0; i < total; i++) {
    const due = begin + i * interval
    const wait = due - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    inflight.push((async () => {
      const t0 = performance.now()
      const res = await pool.request({ method: 'POST', path: load.path, headers: { 'content-type': 'application/json', ...load.headers }, body: load.body })
      await res.body.dump()
      latencies.push(performance.now() - t0)
      if (res.statusCode !== 200) failures++
      const header = res.headers['server-timing']
      if (typeof header === 'string') {
        for (const part of header.split(', ')) {
          const [stage, dur] = part.split(';dur=')
          const list = timings.get(stage!) ?? []
          list.push(Number(dur))
          timings.set(stage!, list)
        }
      }
    })())
  }
  await Promise.all(inflight)
  await pool.close()
  return { name, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), failures, timings }
}

function quantile (values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN
}

/**
 * The floor the design keeps under the gateway's latency: one durable commit of one audit-sized
 * row into an outbox (its own database, the gateway's statement), paced at `rate`/s like the
 * requests. No answer leaves before such a commit, so the gateway's p50 over the direct call is at
 * least the proxy hop plus this.
 */
async function commitFloor (rate: number, seconds: number): Promise<{ p50: number, p99: number }> {
  const db = databaseUrl('commit_floor')
  await ensureDatabase(db)
  const pool = createPool(db, 2)
  try {
    await migrate(pool, OUTBOX_MIGRATIONS)
    const event = () => buildAuditEvent({
      type: 'data-request.decision',
      source: 'gateway',
      transactionId: randomBytes(16).toString('hex'),
      actor: { org: GEMEENTE, sub: 'coordinator-bench', roles: ['coordinator'], partyType: 'gemeente' },
      processingActivity: { id: 'wams.data-request.onderzoek', version: '1' },
      subjectRef: 'x'.repeat(43),
      provider: ZORG,
      category: 'health',
      purpose: 'onderzoek',
      fieldsRequested: FIELDS,
      fieldsReleased: FIELDS,
      outcome: 'permit',
      necessity: NECESSITY,
      detail: { decision: 'permit', partnerStatus: 200 }
    }, parseTraceparent(undefined))
    const latencies: number[] = []
    const begin = performance.now()
    for (let i = 0; i < rate * seconds; i++) {
      const wait = begin + i * 1000 / rate - performance.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      const t0 = performance.now()
      await recordAudit(pool, [event()])
      latencies.push(performance.now() - t0)
    }
    return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) }
  } finally {
    await pool.end()
    await dropDatabase(db)
  }
}

// ---- CPU per request, per component (Linux /proc): what each request costs, and where ----------

const rolesOf = (servers: Server[]) => new Map(servers.map((s) => [String(s.proc.pid), s.name]))

async function main (): Promise<void> {
  const args = process.argv.slice(2)
  const compareAt = args.indexOf('--compare')
  const compare = compareAt >= 0 ? args[compareAt + 1] : undefined
  if (compare !== undefined && !/^[A-Z_]+=/.test(compare)) throw new Error('--compare takes KEY=VALUE, a gateway setting')
  const seconds = Number(args.find((a, i) => !a.startsWith('--') && (compareAt < 0 || i !== compareAt + 1)) ?? 10)
  const profile = args.includes('--profile')
  const withDecision = !args.includes('--no-decision')
  const issuer = devIssuer(process.env.DATA_DIR ?? '.data')
  const connections = 32

  const servers: Server[] = []
  const started = async (role: string, ...args: string[]) => { const s = await start(role, ...args); servers.unshift(s); return s }
  const dir = mkdtempSync(join(tmpdir(), 'wams-bench-'))
  // --profile: the gateway runs with --cpu-prof; V8 writes its profile when the process exits.
  const profileDir = join(dir, 'profile')
  if (profile) process.env.BENCH_NODE_ARGS_GATEWAY = `${process.env.BENCH_NODE_ARGS_GATEWAY ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`
  let summary: (() => void) | null = null
  try {
    const partners = await started('partners')
    const register = JSON.parse(readFileSync(DEFAULT_REGISTER_FILE, 'utf8')) as { parties: Array<{ oin: string, baseUrl: string }> }
    for (const party of register.parties) party.baseUrl = `${partners.url}/partners/${party.oin}`
    const registerFile = join(dir, 'party-register.json')
    writeFileSync(registerFile, JSON.stringify(register))
    const proxy = await started('proxy', partners.url)
    const ledger = await started('ledger', partners.url)
    const gateway = await started('gateway', ledger.url, registerFile)
    const compared = compare === undefined ? null : await started('gatewayb', ledger.url, registerFile, compare)
    if (compared) compared.name = 'gateway B'

    // A case for the gateway's requests, through the ledger's API.
    const college = { authorization: `Bearer ${signToken(issuer.privateKeyPem, { iss: issuer.iss, sub: 'college-bench', org: GEMEENTE, roles: ['college'], aud: 'wams', ttlSeconds: 3600 })}` }
    const opened = await fetch(`${ledger.url}/v1/cases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...college },
      body: JSON.stringify({
        route: 'ernstig',
        subjects: [{ bsn: BSN, role: 'client' }],
        problems: [{ domain: 'wmo', description: 'Redt het huishouden niet meer zonder hulp' }, { domain: 'oov', description: 'Overlast voor de buren' }],
        relatedness: 'De zorgmijding leidt tot overlast in de buurt.',
        seriousGrounds: ['overlast'],
        clientInformed: true,
        coordinator: { org: GEMEENTE, sub: 'coordinator-bench' }
      })
    })
    if (opened.status !== 201) throw new Error(`opening the case failed: ${opened.status} ${await opened.text()}`)
    const { caseId } = await opened.json() as { caseId: string }

    // The same partner call three ways: what the gateway sends, straight or through a bare proxy.
    const partnerToken = signToken(issuer.privateKeyPem, { iss: issuer.iss, sub: 'gateway', org: GATEWAY_OIN, roles: [], aud: ZORG, requestId: 'bench', ttlSeconds: 3600 })
    const partnerBody = JSON.stringify({
      requestId: 'bench',
      caseRef: 'x'.repeat(43),
      subject: BSN,
      category: 'health',
      fields: FIELDS,
      purpose: 'onderzoek',
      requester: { org: GEMEENTE, partyType: 'gemeente' },
      necessity: NECESSITY,
      legalBasis: 'Wams art. 2.4 (onderzoek); AVG art. 6 lid 1 sub e; AVG art. 9 lid 2 sub g'
    })
    const direct: Load = { url: partners.url, path: PARTNER_PATH, headers: { authorization: `Bearer ${partnerToken}` }, body: partnerBody }
    const proxied: Load = { ...direct, url: proxy.url }
    const full: Load = {
      url: gateway.url,
      path: `/v1/cases/${caseId}/data-requests`,
      headers: college,
      body: JSON.stringify({ provider: ZORG, subject: BSN, category: 'health', purpose: 'onderzoek', fields: FIELDS, necessity: NECESSITY })
    }
    const fullB: Load | null = compared ? { ...full, url: compared.url } : null
    const loads = fullB ? [direct, proxied, full, fullB] : [direct, proxied, full]
    for (const load of loads) {
      const res = await fetch(load.url + load.path, { method: 'POST', headers: { 'content-type': 'application/json', ...load.headers }, body: load.body })
      if (res.status !== 200) throw new Error(`${load.url}${load.path}: ${res.status} ${await res.text()}`)
    }

    // Each server is warmed up as long as it is then measured (at least 3 s): after a third of
    // that, the gateway's first full-load run was 26–43 % slower than its second in the same run (three runs)
    // (JIT, pools, batch sizes settling), which measured the warm-up, not the gateway.
    const warmUp = Math.max(3, seconds)
    process.stderr.write(`warming up (${warmUp} s each)...\n`)
    for (const load of loads) await cannon('warm-up', load, warmUp, { connections })

    process.stderr.write('full load...\n')
    const measured = async (name: string, load: Load) => {
      const before = cpuSnapshot(rolesOf(servers))
      const row = await cannon(name, load, seconds, { connections })
      row.cpu = cpuPer(before, cpuSnapshot(rolesOf(servers)), row.total)
      return row
    }
    // The proxy and the gateway each twice, around each other (P A A P; with --compare P A B B A P),
    // so that a drift of the machine's speed during the run favours neither side of a ratio.
    const loaded = [
      await measured('partner direct', direct),
      await measured('bare reply-from proxy', proxied),
      await measured('full gateway', full),
      ...(fullB ? [await measured('gateway B', fullB), await measured('gateway B (again)', fullB)] : []),
      await measured('full gateway (again)', full),
      await measured('bare proxy (again)', proxied)
    ]
    process.stderr.write('200 requests/s...\n')
    const rated = [
      await cannon('partner direct @200/s', direct, seconds, { connections: 10, overallRate: 200 }),
      await cannon('bare proxy @200/s', proxied, seconds, { connections: 10, overallRate: 200 }),
      await cannon('full gateway @200/s', full, seconds, { connections: 10, overallRate: 200 }),
      ...(fullB ? [await cannon('gateway B @200/s', fullB, seconds, { connections: 10, overallRate: 200 })] : [])
    ]
    const pacedDirect = await paced('partner direct', direct, 200, seconds)
    const pacedProxy = await paced('bare proxy', proxied, 200, seconds)
    const pacedFull = await paced('full gateway', full, 200, seconds)
    const pacedB = fullB ? await paced('gateway B', fullB, 200, seconds) : null
    const floor = await commitFloor(200, seconds)

    if (withDecision) process.stderr.write('decision engine vs Cedar...\n')
    const decision = withDecision ? spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/decision.ts')], { cwd: ROOT, encoding: 'utf8' }) : null

    // ---- report ----
    const f = (n: number, d = 0) => n.toFixed(d).padStart(10)
    console.log(`\nGateway benchmark — Node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), loopback, ${seconds} s per run after ${Math.max(3, seconds)} s of warm-up per server, autocannon ${connections} connections`)
    console.log('Every server in its own process; PostgreSQL, Kafka and this load generator share the same machine.')
    console.log(`At full load the proxy and the gateway${compare ? 's' : ''} are measured twice, around each other (${compare ? 'P A B B A P' : 'P A A P'}); a ratio uses each side's mean.`)
    if (compare) console.log(`gateway B: a second full gateway, with ${compare}; at 200 req/s A then B (not alternated).`)
    console.log('')
    console.log(`${'run'.padEnd(28)}${'req/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'non-2xx'.padStart(10)}${'errors'.padStart(10)}`)
    for (const r of [...loaded, ...rated]) console.log(`${r.name.padEnd(28)}${f(r.rps)}${f(r.p50)}${f(r.p99)}${f(r.non2xx)}${f(r.errors)}`)
    console.log(`\nPaced client at 200 requests/s, µs resolution (${200 * seconds} requests each):`)
    console.log(`${'run'.padEnd(28)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'failed'.padStart(10)}`)
    for (const r of [pacedDirect, pacedProxy, pacedFull, ...(pacedB ? [pacedB] : [])]) console.log(`${r.name.padEnd(28)}${f(r.p50, 3)}${f(r.p99, 3)}${f(r.failures)}`)
    console.log(`${'one audit commit (floor)'.padEnd(28)}${f(floor.p50, 3)}${f(floor.p99, 3)}`)
    const components = ['load generator', 'partners', 'proxy', 'gateway', ...(compared ? [compared.name] : []), 'ledger', 'postgresql', 'kafka']
    if (loaded.some((r) => r.cpu && r.cpu.size > 0)) {
      console.log('\nCPU per request at full load, ms, per component (/proc; the machine has ' + cpus().length + ' CPUs):')
      console.log(`${'run'.padEnd(28)}${components.map((c) => c.padStart(11)).join('')}${'total'.padStart(9)}`)
      for (const r of loaded) {
        const values = components.map((c) => r.cpu?.get(c) ?? 0)
        console.log(`${r.name.padEnd(28)}${values.map((v) => v.toFixed(3).padStart(11)).join('')}${values.reduce((a, b) => a + b, 0).toFixed(3).padStart(9)}`)
      }
    }
    console.log('\nWhere the gateway\'s time goes at 200 requests/s (Server-Timing, p50 / p99 ms per stage):')
    for (const [stage, list] of pacedFull.timings) {
      const other = pacedB?.timings.get(stage)
      console.log(`  ${stage.padEnd(10)}${f(quantile(list, 0.5), 3)}${f(quantile(list, 0.99), 3)}${other ? `   gateway B:${f(quantile(other, 0.5), 3)}${f(quantile(other, 0.99), 3)}` : ''}`)
    }

    if (decision) {
      console.log('\nDecision engine alone vs Cedar (bench/decision.ts):')
      console.log(decision.stdout.trim().split('\n').map((l) => '  ' + l).join('\n'))
      if (decision.status !== 0) console.log(decision.stderr)
    }
    if ([...loaded, ...rated].some((r) => r.non2xx > 0 || r.errors > 0) || [pacedDirect, pacedProxy, pacedFull, pacedB].some((r) => r !== null && r.failures > 0)) {
      console.log('\nWARNING: some requests did not succeed; the figures of those runs do not measure the happy path.')
      process.exitCode = 1
    }
    // Each side's mean of its two full-load runs.
    const mean = (a: Row, b?: Row): Row => b === undefined
      ? a
      : { ...a, rps: (a.rps + b.rps) / 2, total: a.total + b.total, cpu: new Map([...(a.cpu ?? [])].map(([k, v]) => [k, (v * a.total + (b.cpu?.get(k) ?? 0) * b.total) / (a.total + b.total)])) }
    const byName = (name: string) => loaded.find((r) => r.name === name)
    const d = loaded[0]!
    const p = mean(byName('bare reply-from proxy')!, byName('bare proxy (again)'))
    const g = mean(byName('full gateway')!, byName('full gateway (again)'))
    const gB = fullB ? mean(byName('gateway B')!, byName('gateway B (again)')) : null
    const added = pacedFull.p50 - pacedDirect.p50
    const addedCannon = rated[2]!.p50 - rated[0]!.p50
    summary = () => printTargets(`Issue 13 targets, gateway (this run, ${seconds} s per measurement):`, [
      { measure: 'full gateway vs bare reply-from proxy, req/s at full load', target: '≥ 50 %', measured: `${percent(g.rps, p.rps)} (${thousands(g.rps)} vs ${thousands(p.rps)})`, met: g.rps >= p.rps / 2 },
      { measure: 'gateway p50 over the direct partner call at 200 req/s', target: '≤ +1 ms', measured: `+${added.toFixed(2)} ms (${pacedFull.p50.toFixed(2)} vs ${pacedDirect.p50.toFixed(2)}; gateway p99 ${pacedFull.p99.toFixed(1)} ms)`, met: added <= 1 },
      ...(pacedB
        ? [
            { measure: `gateway B [${compare}] vs bare proxy, req/s at full load`, target: '≥ 50 %', measured: `${percent(gB!.rps, p.rps)} (${thousands(gB!.rps)} vs ${thousands(p.rps)})`, met: gB!.rps >= p.rps / 2 },
            { measure: `gateway B [${compare}] p50 over the direct call at 200 req/s`, target: '≤ +1 ms', measured: `+${(pacedB.p50 - pacedDirect.p50).toFixed(2)} ms (${pacedB.p50.toFixed(2)} vs ${pacedDirect.p50.toFixed(2)}; p99 ${pacedB.p99.toFixed(1)} ms)`, met: pacedB.p50 - pacedDirect.p50 <= 1 }
          ]
        : [])
    ], [
      ...(gB ? [`CPU per request at full load, all processes: gateway B run ${cpuLine(gB.cpu ?? new Map())}`] : []),
      `CPU per request at full load, all processes: gateway run ${cpuLine(g.cpu ?? new Map())}`,
      `                                             bare proxy run ${cpuLine(p.cpu ?? new Map())}`,
      `(autocannon at 200 req/s, 1 ms resolution: gateway p50 +${addedCannon.toFixed(0)} ms; the bare proxy reaches ${percent(p.rps, d.rps)} of the direct throughput)`,
      `The floor of the design at 200 req/s: the bare proxy's hop +${(pacedProxy.p50 - pacedDirect.p50).toFixed(2)} ms plus one durable audit commit ${floor.p50.toFixed(2)} ms (p50) = +${(pacedProxy.p50 - pacedDirect.p50 + floor.p50).toFixed(2)} ms over the direct call`
    ])
  } finally {
    for (const server of servers) await stop(server)
    if (profile) {
      // One profile per thread: CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the
      // main thread, the others are tsx's module loader.
      const files = existsSync(profileDir) ? readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')) : []
      const main = files.find((f) => f.split('.')[4] === '0')
      if (main === undefined) console.log('\n--profile: the gateway wrote no main-thread .cpuprofile (did it exit cleanly?)')
      else {
        const kept = join(tmpdir(), `wams-gateway-${Date.now()}.cpuprofile`)
        copyFileSync(join(profileDir, main), kept)
        printProfileSummary(kept)
        console.log(`  (the whole life of the gateway's main thread: start, warm-up and every run; ${kept} opens in Chrome DevTools as a flame graph)`)
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }
  summary?.()
}

const serveAt = process.argv.indexOf('--serve')
if (serveAt >= 0) await serve(process.argv[serveAt + 1]!, process.argv.slice(serveAt + 2))
else await main()
