// Property-based and mutation fuzzing of the three services, driven by their own OpenAPI documents
// (GET /v1/openapi.json), on real PostgreSQL and Kafka (issue 8, "Tests that show it"). For every
// operation: requests generated from its schemas — valid ones (a good share of them permitted data
// requests, so the evidence invariant is tested on permits) and mutations (wrong types, numbers and
// booleans for strings, missing and extra properties, hostile characters, very long strings, BSNs
// in every string and path parameter, malformed and upper-case UUIDs, raw bodies, odd headers) —
// with valid tokens of several parties and roles, without one, and with broken ones.
//
// What must hold is in oracle.ts; at the end, every decision the gateway answered must be in its
// outbox and in the audit log (stored, sequenced, under a signed checkpoint; a sample also by
// GET /v1/audit/events/{id} with its inclusion proof checked independently).
//
// Bounded: FUZZ_SECONDS (default 35) of fuzzing, at most FUZZ_RUNS requests per worker, then up to
// FUZZ_EVIDENCE_WAIT_MS (default 60000) for the pipeline. Reproducible: FUZZ_SEED (printed).
// `npm run fuzz` runs it for ten minutes.
import t from 'tap'
import fc from 'fast-check'
import { request as httpRequest } from 'undici'
import type { FastifyInstance } from 'fastify'
import { partyRegister } from '@wams/schemas'
import { categoryTable, type CategoryName } from '@wams/schemas'
import { startStack } from './stack.ts'
import { operationsOf, type OpenApiDocument, type Operation, type ServiceName } from './openapi.ts'
import { generate, type FuzzRequest, type Mix, type PermitTemplate, type World } from './generate.ts'
import { BSN_EXEMPTIONS, Oracle, type Answer, type Violation } from './oracle.ts'
import { byName } from './principals.ts'
import { Report, printable } from './report.ts'
import { checkEvidence } from './evidence.ts'
import { sendRaw } from './wire.ts'
import { ernstigCase, hulpvraagCase, NECESSITY } from '../gateway/helpers.ts'
import { COORDINATOR, DEMO_BSN, OIN } from '../support/parties.ts'

const FUZZ_SECONDS = Number(process.env.FUZZ_SECONDS ?? 35)
const SEED = Number(process.env.FUZZ_SEED ?? 20261202)
const RUNS = Number(process.env.FUZZ_RUNS ?? Math.max(500, FUZZ_SECONDS * 150))
const EVIDENCE_WAIT_MS = Number(process.env.FUZZ_EVIDENCE_WAIT_MS ?? 60000)
const ANSWER_TIMEOUT_MS = 15000

// Set-up (~10 s), the fuzzing, the evidence wait, teardown: beyond .taprc's 120 s when asked to.
t.setTimeout((FUZZ_SECONDS + EVIDENCE_WAIT_MS / 1000 + 90) * 1000)
t.comment(`fuzz: seed ${SEED} (FUZZ_SEED), ${FUZZ_SECONDS} s (FUZZ_SECONDS), at most ${RUNS} requests per worker (FUZZ_RUNS)`)

t.test('the gateway, the consent ledger and the audit service under fuzzing', async (t) => {
  const setupStarted = Date.now()
  // The rate limit is raised: the fuzzer's callers are few organisations sending many requests.
  const stack = await startStack(t, { gateway: { RATE_LIMIT_PER_MINUTE: '1000000' } })
  const apps: Record<ServiceName, FastifyInstance> = { gateway: stack.gateway, ledger: stack.ledger, audit: stack.audit }

  // ---- the documents ---------------------------------------------------------------------------------

  const ops: Operation[] = []
  for (const service of ['gateway', 'ledger', 'audit'] as const) {
    const res = await apps[service].inject({ url: '/v1/openapi.json' })
    if (res.statusCode !== 200) throw new Error(`${service}: GET /v1/openapi.json answered ${res.statusCode}`)
    ops.push(...operationsOf(service, res.json() as OpenApiDocument))
  }
  const opIndex = new Map(ops.map((o) => [`${o.service} ${o.method} ${o.path}`, o]))
  const routes = new Set(ops.flatMap((o) => [`${o.method} ${o.path}`, ...(o.method === 'GET' ? [`HEAD ${o.path}`] : [])]))
  t.comment(`fuzz: ${ops.length} operations: ${(['gateway', 'ledger', 'audit'] as const).map((s) => `${s} ${ops.filter((o) => o.service === s).length}`).join(', ')}`)

  // ---- the world: cases the fuzzer aims at -------------------------------------------------------------

  async function ledgerWrite (method: 'POST' | 'PUT', url: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const res = await stack.ledger.inject({ method, url, headers: { authorization: byName('college-0101').authorization! }, payload })
    if (res.statusCode >= 300) throw new Error(`set-up: ledger ${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json() as Record<string, unknown>
  }
  async function open (body: Record<string, unknown>, steps: { participants?: string[], phase?: string, scope?: object, close?: boolean, objection?: boolean } = {}): Promise<string> {
    const { caseId } = await ledgerWrite('POST', '/v1/cases', body) as { caseId: string }
    for (const org of steps.participants ?? []) await ledgerWrite('POST', `/v1/cases/${caseId}/participants`, { org, necessity: NECESSITY })
    if (steps.scope) await ledgerWrite('PUT', `/v1/cases/${caseId}/scope`, { ...steps.scope, statement: 'Dit is wat ik wil dat meedoet.' })
    if (steps.phase) await ledgerWrite('POST', `/v1/cases/${caseId}/phase`, { phase: steps.phase })
    if (steps.objection) {
      const { objectionId } = await ledgerWrite('POST', `/v1/cases/${caseId}/objections`, { subject: DEMO_BSN.client, reason: 'Ik wil niet dat mijn gegevens worden gedeeld.' }) as { objectionId: string }
      world.objections.push({ caseId, objectionId })
    }
    if (steps.close) await ledgerWrite('POST', `/v1/cases/${caseId}/close`, { reason: 'De aanpak is afgerond.' })
    world.cases.set(caseId, { municipality: OIN.gemeente, coordinator: { ...COORDINATOR } })
    return caseId
  }

  const household = [{ bsn: DEMO_BSN.client, role: 'client' }, { bsn: DEMO_BSN.member, role: 'household-member' },
    { bsn: DEMO_BSN.unknown, role: 'household-member' }, { bsn: DEMO_BSN.refused, role: 'household-member' }]
  const world: World = {
    oins: partyRegister.parties.map((p) => p.oin),
    fixture: { onderzoek: '', aanpak: '', closed: '', hulpvraag: '', objection: '' },
    ledgerCases: [],
    cases: new Map(),
    objections: [],
    auditEventIds: [],
    treeSize: 0,
    permitTemplates: [],
    routes
  }
  world.fixture.onderzoek = await open(ernstigCase({ subjects: household, seriousGrounds: ['overlast', 'veiligheid'] }))
  world.fixture.aanpak = await open(ernstigCase({ subjects: household, seriousGrounds: ['veiligheid'] }), { participants: [OIN.ggd, OIN.huisarts, OIN.politie], phase: 'aanpak' })
  world.fixture.closed = await open(ernstigCase(), { close: true })
  world.fixture.hulpvraag = await open(hulpvraagCase({ problems: [{ domain: 'schulden', description: 'Schulden' }, { domain: 'zorg', description: 'Zorg' }] }), { scope: { domains: ['zorg', 'schulden'], parties: [OIN.ggd, OIN.gemeente] } })
  world.fixture.objection = await open(ernstigCase({ seriousGrounds: ['veiligheid'] }), { objection: true })
  for (let i = 0; i < 6; i++) {
    world.ledgerCases.push(await open(i % 2 === 0 ? ernstigCase() : hulpvraagCase(), { objection: i < 3, participants: i === 4 ? [OIN.ggd] : [] }))
  }

  // ---- sending, checking, counting -----------------------------------------------------------------------

  const oracle = new Oracle(opIndex, world)
  const report = new Report()

  async function send (req: FuzzRequest): Promise<Answer> {
    const started = performance.now()
    if (req.wire) return sendRaw(stack.ports[req.service], req.wire)
    if (req.http) return sendHttp(req, started)
    let timer: NodeJS.Timeout | undefined
    try {
      const res = await Promise.race([
        apps[req.service].inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.payload !== undefined ? { payload: req.payload } : {}) }),
        new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS) })
      ])
      return { status: res.statusCode, headers: res.headers, body: res.body, ms: performance.now() - started }
    } catch (err) {
      return { status: 0, headers: {}, body: '', ms: performance.now() - started, error: (err as Error).message }
    } finally {
      clearTimeout(timer)
    }
  }

  /** The SSE stream over real HTTP: the status and headers, then the connection is dropped. */
  async function sendHttp (req: FuzzRequest, started: number): Promise<Answer> {
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), 5000)
    try {
      const res = await httpRequest(`${stack.auditUrl}${req.url}`, {
        method: req.method as 'GET', headers: req.headers, signal: abort.signal, ...(req.payload !== undefined ? { body: req.payload } : {})
      })
      const streaming = String(res.headers['content-type'] ?? '').startsWith('text/event-stream')
      const body = streaming ? '' : await res.body.text()
      if (streaming) res.body.destroy()
      return { status: res.statusCode, headers: res.headers, body, ms: performance.now() - started }
    } catch (err) {
      return { status: 0, headers: {}, body: '', ms: performance.now() - started, error: `no answer within 5000 ms (${(err as Error).name})` }
    } finally {
      clearTimeout(timer)
      abort.abort()
    }
  }

  function learn (req: FuzzRequest, a: Answer): void {
    if (a.status < 200 || a.status >= 300 || req.method === 'HEAD' || req.http) return
    let body: Record<string, unknown>
    try { body = JSON.parse(a.body) as Record<string, unknown> } catch { return }
    if (req.service === 'ledger' && req.op === 'POST /v1/cases' && typeof body.caseId === 'string') {
      const sent = JSON.parse(String(req.payload)) as { coordinator: { org: string, sub: string } }
      world.cases.set(body.caseId, { municipality: req.caller.org!, coordinator: sent.coordinator })
      world.ledgerCases.push(body.caseId)
    }
    if (req.service === 'ledger' && typeof body.objectionId === 'string' && typeof body.caseId === 'string') world.objections.push({ caseId: body.caseId, objectionId: body.objectionId })
  }

  // fast-check's time limit may return while a run is still under way: its answer is waited for.
  let inFlight = 0
  async function exercise (req: FuzzRequest): Promise<{ answer: Answer, violations: Violation[] }> {
    inFlight++
    try {
      const answer = await send(req)
      const violations = oracle.check(req, answer)
      report.record(req, answer, violations)
      learn(req, answer)
      return { answer, violations }
    } finally {
      inFlight--
    }
  }

  // ---- permit templates: what the policy permits, found by asking -----------------------------------------

  async function probe (caseId: string, caller: string, purpose: string, provider: string, category: string, fields: string[]): Promise<void> {
    const payload = JSON.stringify({ provider, subject: DEMO_BSN.client, category, purpose, fields, necessity: NECESSITY })
    const c = byName(caller)
    const req: FuzzRequest = {
      service: 'gateway',
      op: 'POST /v1/cases/{caseId}/data-requests',
      kind: 'probe',
      method: 'POST',
      url: `/v1/cases/${caseId}/data-requests`,
      headers: { authorization: c.authorization!, 'content-type': 'application/json' },
      payload,
      caller: c,
      mustRefuse: false,
      hostileText: false,
      http: false
    }
    const { answer, violations } = await exercise(req)
    if (violations.length === 0 && answer.status === 200) {
      const template: PermitTemplate = { caseId, caller, provider, category, purpose, fields }
      world.permitTemplates.push(template)
    }
  }
  const active = partyRegister.parties.filter((p) => p.active && p.partyType !== 'toezichthouder')
  const probes: Array<() => Promise<void>> = []
  for (const party of active) {
    for (const category of party.categories as CategoryName[]) {
      const { signal, detail } = categoryTable[category]
      // Whole field sets: a permitted request asks any non-empty part of one (generate.ts).
      probes.push(() => probe(world.fixture.onderzoek, 'college-0101', 'onderzoek', party.oin, category, [...signal]))
      if ([OIN.ggd, OIN.huisarts, OIN.politie].includes(party.oin as never)) {
        probes.push(() => probe(world.fixture.aanpak, 'coordinator-anna', 'coordinatie', party.oin, category, [...signal, ...detail]))
        probes.push(() => probe(world.fixture.aanpak, 'pro-ggd', 'casusoverleg', party.oin, category, [...signal]))
        probes.push(() => probe(world.fixture.hulpvraag, 'college-0101', 'onderzoek', party.oin, category, [...signal]))
      }
    }
  }
  // Eight at a time: a burst of 150 would only measure how the ledger copes with a burst.
  const queue = [...probes]
  await Promise.all(Array.from({ length: 8 }, async () => { for (let p = queue.shift(); p; p = queue.shift()) await p() }))
  t.comment(`fuzz: ${world.permitTemplates.length} permit templates found by ${probes.length} probes; set-up took ${((Date.now() - setupStarted) / 1000).toFixed(1)} s`)
  t.ok(world.permitTemplates.length >= 10, `the policy permits enough requests to fuzz permits (${world.permitTemplates.length} templates)`)

  // ---- the workers -------------------------------------------------------------------------------------------

  const of = (s: ServiceName) => ops.filter((o) => o.service === s)
  const dataRequests = of('gateway').filter((o) => o.id === 'POST /v1/cases/{caseId}/data-requests')
  if (dataRequests.length === 0) throw new Error('the gateway\'s document has no POST /v1/cases/{caseId}/data-requests')
  const workers: Array<{ name: string, service: ServiceName, mix: Mix }> = [
    { name: 'gateway permits A', service: 'gateway', mix: { permitShare: 0.7, mutateShare: 0.5, junkShare: 0.02, wireShare: 0, ops: dataRequests } },
    { name: 'gateway permits B', service: 'gateway', mix: { permitShare: 0.7, mutateShare: 0.5, junkShare: 0.02, wireShare: 0, ops: dataRequests } },
    { name: 'gateway all', service: 'gateway', mix: { permitShare: 0.2, mutateShare: 0.6, junkShare: 0.06, wireShare: 0.04, ops: of('gateway') } },
    { name: 'consent ledger', service: 'ledger', mix: { permitShare: 0, mutateShare: 0.6, junkShare: 0.05, wireShare: 0.04, ops: of('ledger') } },
    { name: 'audit', service: 'audit', mix: { permitShare: 0, mutateShare: 0.6, junkShare: 0.05, wireShare: 0.04, ops: of('audit') } }
  ]

  // What the audit service knows grows while the fuzzer runs: ids to ask for, the tree's size.
  const refresh = setInterval(() => {
    world.auditEventIds = oracle.evidence.slice(-1000).map((e) => e.eventId)
    stack.audit.inject({ url: '/v1/audit/checkpoint' }).then((r) => { if (r.statusCode === 200) world.treeSize = (r.json() as { treeSize: number }).treeSize }, () => {})
  }, 1000)

  const fuzzStarted = Date.now()
  await Promise.all(workers.map(async (w, i) => {
    const property = fc.asyncProperty(fc.gen(), async (g) => {
      await exercise(generate(g, world, w.mix, w.service))
      return true
    })
    const details = await fc.check(property, {
      seed: SEED + i,
      numRuns: RUNS,
      endOnFailure: true,
      plugins: [fc.interruptAfterTimeLimit(Math.max(1000, FUZZ_SECONDS * 1000 - (Date.now() - fuzzStarted)))]
    })
    if (details.failed && !details.interrupted) report.harness(w.name, String(details.errorInstance ?? 'failed'))
    report.worker(w.name, details.numRuns)
  }))
  const fuzzSeconds = (Date.now() - fuzzStarted) / 1000
  // eslint-disable-next-line no-unmodified-loop-condition -- the answers still in flight lower inFlight while this waits
  for (const until = Date.now() + ANSWER_TIMEOUT_MS + 1000; inFlight > 0 && Date.now() < until;) await new Promise((resolve) => setTimeout(resolve, 50))
  clearInterval(refresh)

  // ---- the evidence: every decision answered is in the outbox and in the log -----------------------------------

  const evidence = await checkEvidence(stack, oracle.evidence, { waitMs: EVIDENCE_WAIT_MS, sample: 25 })
  const readiness = await Promise.all((['gateway', 'ledger', 'audit'] as const).map(async (s) => {
    const r = await apps[s].inject({ url: '/health/ready' })
    return `${s} ${r.statusCode} ${(r.json() as { status?: string }).status ?? (r.json() as { title?: string }).title}`
  }))

  // ---- the figures ---------------------------------------------------------------------------------------------

  for (const line of report.table({ seed: SEED, seconds: fuzzSeconds, evidence, readiness, documented503: oracle.documented503, undocumented: oracle.undocumented, log: stack.log, permitTemplates: world.permitTemplates.length })) t.comment(line)
  for (const line of oracle.samples503) t.comment(printable(`fuzz: a documented 503: ${line}`))
  t.comment(`fuzz: BSNs may come back only ${BSN_EXEMPTIONS.join('; ')}`)
  t.comment(`fuzz: reproduce with FUZZ_SEED=${SEED} FUZZ_SECONDS=${FUZZ_SECONDS} npx tap test/fuzz/openapi-fuzz.test.ts`)

  // ---- the verdicts ----------------------------------------------------------------------------------------------

  t.ok(report.total > 0, `${report.total} requests sent`)
  for (const [rule, found] of report.violationsByRule()) {
    t.fail(`${rule}: ${found.count} answer(s)`, { samples: found.samples } as never)
  }
  t.ok(evidence.permits.checked >= 20, `permits checked against the log: ${evidence.permits.checked} (at least 20, so the invariant is tested on permits)`)
  t.ok(evidence.denies.checked >= 10, `denies checked against the log: ${evidence.denies.checked}`)
  t.equal(evidence.missingFromOutbox.length, 0, 'every decision answered is in the gateway\'s outbox', { ids: evidence.missingFromOutbox.slice(0, 10) })
  t.equal(evidence.missingFromLog.length, 0, `every decision answered is in the audit log within ${EVIDENCE_WAIT_MS / 1000} s`, { missing: evidence.missingFromLog.slice(0, 10) })
  t.equal(evidence.outcomeMismatch.length, 0, 'the logged outcome is the answered one', { mismatches: evidence.outcomeMismatch.slice(0, 10) })
  t.equal(evidence.duplicateIds, 0, 'no audit event id answered twice', { duplicates: evidence.duplicates, claims: evidence.claims, claimsAfterwards: evidence.claimsAfterwards })
  t.equal(evidence.outboxNotInLog.gateway + evidence.outboxNotInLog.ledger, 0, 'every audit event in the producers\' outboxes reached the log (authentication failures and ledger events included)')
  t.equal(evidence.rejected, 0, 'the audit store rejected no message')
  t.equal(evidence.proofFailures.length, 0, 'sampled events: served with an inclusion proof that leads to the checkpoint root', { failures: evidence.proofFailures })
  t.equal(stack.log.bsnLines, 0, 'no BSN in any gateway log line', { samples: stack.log.samples.map(printable) })
})
