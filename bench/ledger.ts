// Consent ledger: appends per second and case-state reads per second through the service's own
// code paths, each next to a plain INSERT and a plain SELECT by primary key on the same PostgreSQL
// in the same run (a fresh database, dropped at the end). Needs PostgreSQL and Kafka running.
// Run: node --import tsx bench/ledger.ts [seconds-per-measurement]
import { randomBytes, randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { dropDatabase, ensureDatabase, LOCAL_POSTGRES, parseTraceparent, devIssuer, signToken } from '@wams/platform'
import { buildApp, readConfig } from '../services/consent-ledger/src/index.ts'
import { buildApp as buildPartners, readConfig as partnersConfig } from '@wams/demo-partners'
import { appendEvent, readCase } from '../services/consent-ledger/src/ledger.ts'
import { decisionState } from '../services/consent-ledger/src/case-views.ts'

const SECONDS = Number(process.argv[2] ?? 3)
const CONCURRENCY = 16
const CASES = 64
const GEMEENTE = '00000099000000000101'
const ZORG = '00000099000000000201'

const server = new URL(process.env.WAMS_POSTGRES_SERVER ?? LOCAL_POSTGRES)
server.pathname = `/bench_ledger_${randomBytes(4).toString('hex')}`
const databaseUrl = server.toString()
await ensureDatabase(databaseUrl)

// The residence check of every opening asks the demo BRP of the demo partners, in this process.
const partners = await buildPartners(partnersConfig({ LOG_LEVEL: 'silent', PORT: '0' }))
const partnersUrl = await partners.listen({ host: '127.0.0.1', port: 0 })

const app = await buildApp(readConfig({
  BRP_URL: `${partnersUrl}/brp/haalcentraal/api/brp`,
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_SIZE: String(CONCURRENCY + 4),
  KAFKA_TOPIC_PREFIX: `bench.${randomBytes(4).toString('hex')}.`,
  LOG_LEVEL: 'silent',
  PORT: '0'
}))
const ctx = app.consentLedger
const plain = new pg.Pool({ connectionString: databaseUrl, max: CONCURRENCY + 4 })
// The forced DROP DATABASE at the end may cut a connection the pool is still closing.
plain.on('error', () => {})

interface Result { name: string, kind: 'write' | 'read', concurrency: number, ops: number, seconds: number, latencies: number[] }

type Op = (worker: number, i: number) => Promise<unknown>
const SLICES = 6

/** Runs `op` with `concurrency` workers for `ms`, adding to `into`; each worker gets its own index. */
async function slice (into: Result, op: Op, ms: number): Promise<void> {
  const start = performance.now()
  const end = start + ms
  await Promise.all(Array.from({ length: into.concurrency }, async (_, w) => {
    for (let i = 0; performance.now() < end; i++) {
      const t0 = performance.now()
      await op(w, into.ops + i)
      into.latencies.push(performance.now() - t0)
      into.ops++
    }
  }))
  into.seconds += (performance.now() - start) / 1000
}

/**
 * Measures a group (a plain statement and the service's paths of the same kind) in interleaved
 * slices, so that whatever else the machine does in the meantime falls on all of them alike.
 */
async function measureGroup (kind: Result['kind'], concurrency: number, ops: Array<[string, Op]>): Promise<Result[]> {
  // Warm-up: connections, prepared statements, JIT.
  for (const [, op] of ops) for (let w = 0; w < concurrency; w++) for (let i = 0; i < 20; i++) await op(w, i)
  const results = ops.map(([name]) => ({ name: `${name} ×${concurrency}`, kind, concurrency, ops: 0, seconds: 0, latencies: [] as number[] }))
  for (let s = 0; s < SLICES; s++) {
    for (const [i, [, op]] of ops.entries()) await slice(results[i]!, op, (SECONDS * 1000) / SLICES)
  }
  return results
}

const issuer = devIssuer(process.env.DATA_DIR ?? '.data')
const bearer = (claims: { org: string, sub: string, roles: string[] }) =>
  ({ authorization: `Bearer ${signToken(issuer.privateKeyPem, { iss: issuer.iss, aud: 'wams', ttlSeconds: 3600, ...claims })}` })
const college = bearer({ org: GEMEENTE, sub: 'bench-college', roles: ['college'] })
const gateway = bearer({ org: '00000099000000000001', sub: 'bench-gateway', roles: ['gateway'] })
const actor = { iss: issuer.iss, org: GEMEENTE, sub: 'bench-college', roles: ['college' as const] }

// Cases of route ernstig, so participants need no scope; one per worker for appends (no conflicts).
const caseIds: string[] = []
for (let i = 0; i < CASES; i++) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: college,
    payload: {
      route: 'ernstig',
      subjects: [{ bsn: '999990019', role: 'client' }, { bsn: '999990020', role: 'household-member' }],
      problems: [{ domain: 'jeugd', description: 'Zorgen over de kinderen' }, { domain: 'oov', description: 'Overlast in de buurt' }],
      relatedness: 'De spanningen thuis leiden tot overlast in de buurt.',
      seriousGrounds: ['overlast'],
      clientInformed: true,
      coordinator: { org: GEMEENTE, sub: 'bench-coordinator' }
    }
  })
  if (res.statusCode !== 201) throw new Error(`opening failed: ${res.body}`)
  caseIds.push(res.json().caseId)
}

// A plain table with a row of the same size as a ledger event, and the same primary key.
await plain.query('CREATE TABLE plain_events (case_id uuid, seq int, payload jsonb, PRIMARY KEY (case_id, seq))')
const samplePayload = (await plain.query('SELECT content FROM case_events LIMIT 1')).rows[0].content
const plainSeq = new Map<number, number>()
// Seq 0 of every case: what the plain SELECT reads, spread over the same cases as the ledger reads.
for (const id of caseIds) await plain.query('INSERT INTO plain_events (case_id, seq, payload) VALUES ($1, 0, $2)', [id, samplePayload])
const necessity = 'Nodig om de overlast samen met de politie aan te pakken.'

// Alternating add and remove keeps the case state the same size however long the run is.
const ledgerAppend = (w: number, i: number) => appendEvent(ctx, {
  caseId: caseIds[w]!,
  actor,
  trace: parseTraceparent(undefined),
  transactionId: randomUUID(),
  decide: (state) => state!.participants.length === 0
    ? { type: 'participant.added', data: { org: ZORG }, reason: necessity }
    : { type: 'participant.removed', data: { org: ZORG }, reason: null }
})
const httpAppend = async (w: number) => {
  const caseId = caseIds[CONCURRENCY + w]!
  const state = await readCase(ctx.pool, caseId)
  const res = state!.participants.length === 0
    ? await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/participants`, headers: college, payload: { org: ZORG, necessity } })
    : await app.inject({ method: 'DELETE', url: `/v1/cases/${caseId}/participants/${ZORG}`, headers: college })
  if (res.statusCode >= 300) throw new Error(res.body)
}
const plainInsert = async (w: number) => {
  const seq = (plainSeq.get(w) ?? 0) + 1
  plainSeq.set(w, seq)
  await plain.query({ name: 'plain-insert', text: 'INSERT INTO plain_events (case_id, seq, payload) VALUES ($1, $2, $3)', values: [caseIds[w], seq, samplePayload] })
}
const ledgerRead = async (w: number, i: number) => decisionState((await readCase(ctx.pool, caseIds[(w * 7 + i) % CASES]!))!)
const httpRead = async (w: number, i: number) => {
  const res = await app.inject({ method: 'GET', url: `/v1/cases/${caseIds[(w * 7 + i) % CASES]}/decision-state`, headers: gateway })
  if (res.statusCode !== 200) throw new Error(res.body)
}
const plainSelect = async (w: number, i: number) =>
  plain.query({ name: 'plain-select', text: 'SELECT payload FROM plain_events WHERE case_id = $1 AND seq = $2', values: [caseIds[(w * 7 + i) % CASES], 0] })

const results: Result[] = []
for (const concurrency of [1, CONCURRENCY]) {
  results.push(...await measureGroup('write', concurrency, [
    ['plain INSERT (autocommit)', plainInsert],
    ['ledger append (appendEvent)', ledgerAppend],
    ['ledger append via HTTP (inject)', httpAppend]
  ]))
  results.push(...await measureGroup('read', concurrency, [
    ['plain SELECT by PK', plainSelect],
    ['decision-state read (readCase)', ledgerRead],
    ['decision-state via HTTP (inject)', httpRead]
  ]))
}

// Every append the bench made is still one intact chain per case.
const { verifyChain } = await import('@wams/platform')
const { readEvents } = await import('../services/consent-ledger/src/ledger.ts')
const broken = (await Promise.all(caseIds.map(async (id) => verifyChain(await readEvents(ctx.pool, id))))).filter((v) => !v.valid)
const events = (await plain.query('SELECT count(*)::int AS n FROM case_events')).rows[0].n

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0 }
const pad = (s: string, n: number) => s.padEnd(n)
const num = (x: number, d = 0) => x.toFixed(d).padStart(9)
console.log(`\nConsent ledger benchmark — PostgreSQL ${(await plain.query('SHOW server_version')).rows[0].server_version}, Node ${process.version}, ${SECONDS}s per row in ${SLICES} interleaved slices`)
console.log(`${pad('operation', 46)} ${'ops/s'.padStart(9)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)}  vs plain (same concurrency)`)
for (const r of results) {
  const rate = r.ops / r.seconds
  // Each row against the plain statement of its kind at the same concurrency (the first of its group).
  const base = results.find((b) => b.kind === r.kind && b.concurrency === r.concurrency)!
  const ratio = r === base ? '' : `${((rate / (base.ops / base.seconds)) * 100).toFixed(0)}%`
  console.log(`${pad(r.name, 46)} ${num(rate)} ${num(pct(r.latencies, 0.5), 3)} ${num(pct(r.latencies, 0.99), 3)}  ${ratio}`)
}
console.log(`\n${events} ledger events in ${CASES} cases; chains verified: ${broken.length === 0 ? 'all intact' : `${broken.length} BROKEN`}`)

await plain.end()
await app.close()
await partners.close()
await dropDatabase(databaseUrl)
