// Bounded answer time (issue 8, item 6): a partner that stalls costs its callers at most
// PARTNER_TIMEOUT_MS plus a small margin. Against the real demo partners, one of them stalled
// (answering after two minutes): concurrent permitted requests beyond its bulkhead get 503
// PARTNER_BUSY with Retry-After at once, the rest 504 within the deadline, every answer with its
// audit event; the breaker opens as soon as the first timeouts settle; the other partners are not
// affected; after the partner recovers, requests succeed again. The involvement check keeps the
// same bulkhead and deadline per party. The bounds asserted are generous (a loaded 2-CPU machine):
// they show an upper bound on behaviour, not speed; the figures are printed as comments.
import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import type { PartnerFault } from '@wams/demo-partners'
import { BSN, NECESSITY, OIN, ask, auditEvent, callers, expectOutcome, expectPermit, openCase, startExchange } from './helpers.ts'

const TIMEOUT_MS = 500
const CONNECTIONS = 4 // PARTNER_MAX_IN_FLIGHT is left at its default: PARTNER_CONNECTIONS
const MAX_QUEUED = 2
const RESET_MS = 1500
/** The test's allowance on top of the deadline: generous; the README states what is measured. */
const MARGIN_MS = 750
const BOUND_MS = TIMEOUT_MS + MARGIN_MS

const STALL: PartnerFault = { delayMs: 120_000 }
// The demo partners read this object on every request: a test stalls a partner and heals it.
const faults: Record<string, PartnerFault> = {}

const x = await startExchange(t, 'gw_bulkhead', {
  faults,
  env: {
    PARTNER_TIMEOUT_MS: String(TIMEOUT_MS),
    PARTNER_CONNECTIONS: String(CONNECTIONS),
    PARTNER_MAX_QUEUED: String(MAX_QUEUED),
    BREAKER_VOLUME: String(CONNECTIONS),
    BREAKER_ERROR_PERCENT: '50',
    BREAKER_RESET_MS: String(RESET_MS),
    RATE_LIMIT_PER_MINUTE: '100000'
  }
})
const { gateway, ledger, sql } = x
const caseId = await openCase(ledger)

const debts = { provider: OIN.energie, category: 'debts', fields: ['hasArrears'] }
const police = { provider: OIN.politie, category: 'criminal', fields: ['policeContacts'] }

interface Timed { res: LightMyRequestResponse, ms: number }
const timed = async (request: () => Promise<LightMyRequestResponse>): Promise<Timed> => {
  const started = performance.now()
  const res = await request()
  return { res, ms: performance.now() - started }
}
const codeOf = (r: Timed) => r.res.statusCode === 200 ? 'permit' : String(r.res.json().code)
const tally = (answers: Timed[]) => answers.reduce<Record<string, number>>((n, a) => ({ ...n, [`${a.res.statusCode} ${codeOf(a)}`]: (n[`${a.res.statusCode} ${codeOf(a)}`] ?? 0) + 1 }), {})
const slowest = (answers: Timed[]) => Math.max(...answers.map((a) => a.ms))

/** Polls until `check` holds (or `ms` pass); how long it took, or null. */
async function waitFor (check: () => boolean, ms: number): Promise<number | null> {
  const started = performance.now()
  while (performance.now() - started < ms) {
    if (check()) return performance.now() - started
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return check() ? performance.now() - started : null
}

t.test('one partner stalled: 3× its bulkhead at once — bounded answers, the excess 503 with Retry-After, all audited', async (t) => {
  faults[OIN.energie] = STALL
  // Watched from beside the requests: the most calls in flight, and when the breaker opened.
  const seen: { maxInFlight: number, breakerOpenedAfter: number | null } = { maxInFlight: 0, breakerOpenedAfter: null }
  const started = performance.now()
  const watcher = setInterval(() => {
    seen.maxInFlight = Math.max(seen.maxInFlight, gateway.partners.load(OIN.energie).inFlight)
    if (seen.breakerOpenedAfter === null && gateway.partners.breakerState(OIN.energie) === 'open') seen.breakerOpenedAfter = performance.now() - started
  }, 2)
  const stalled = Array.from({ length: 3 * CONNECTIONS }, () => timed(() => ask(gateway, caseId, debts)))
  // Meanwhile another partner behind the same host answers as always: its own pool and bulkhead.
  const other = await timed(() => ask(gateway, caseId, police))
  const answers = await Promise.all(stalled)
  clearInterval(watcher)
  const { maxInFlight, breakerOpenedAfter } = seen

  await expectPermit(t, sql, other.res, ['policeContacts'])
  t.ok(other.ms < TIMEOUT_MS, `the other partner answered in ${other.ms.toFixed(0)} ms during the stall`)

  t.comment(`statuses: ${JSON.stringify(tally(answers))}; slowest ${slowest(answers).toFixed(0)} ms (deadline ${TIMEOUT_MS} ms); in flight at most ${maxInFlight}; breaker open after ${breakerOpenedAfter?.toFixed(0)} ms`)
  for (const a of answers) t.ok(a.ms <= BOUND_MS, `${a.res.statusCode} ${codeOf(a)} in ${a.ms.toFixed(0)} ms ≤ ${BOUND_MS} ms`)
  t.ok(maxInFlight <= CONNECTIONS, `never more than ${CONNECTIONS} calls in flight to the partner (${maxInFlight})`)

  const busy = answers.filter((a) => a.res.statusCode === 503)
  const timedOut = answers.filter((a) => a.res.statusCode === 504)
  t.ok(busy.length >= 3 * CONNECTIONS - CONNECTIONS - MAX_QUEUED, `the excess is 503 (${busy.length})`)
  t.ok(timedOut.length >= CONNECTIONS, `the calls in flight are 504 at the deadline (${timedOut.length})`)
  for (const a of answers) {
    // 504 in flight; 503 over the bulkhead (or no permit before the deadline); 502 if the breaker
    // opened before a queued call got its permit.
    t.ok([503, 504].includes(a.res.statusCode) || codeOf(a) === 'PARTNER_CIRCUIT_OPEN', `${a.res.statusCode} ${codeOf(a)}`)
    const event = await expectOutcome(t, sql, a.res, a.res.statusCode, 'error')
    t.match(event.detail, { decision: 'permit', error: codeOf(a), partnerStatus: null }, 'the audit event names the error')
  }
  for (const a of busy) {
    t.match(a.res.json(), { code: 'PARTNER_BUSY', outcome: 'error', status: 503, auditEventId: /\w/ })
    t.equal(a.res.headers['retry-after'], '1', 'Retry-After: one deadline, rounded up to seconds')
  }
  const atOnce = busy.filter((a) => a.ms < TIMEOUT_MS)
  t.ok(atOnce.length >= 3 * CONNECTIONS - CONNECTIONS - MAX_QUEUED, `the calls beyond in flight and queue are turned away at once (${atOnce.length} of ${busy.length} before the deadline)`)
  for (const a of timedOut) t.ok(a.ms >= TIMEOUT_MS - 20, `a 504 waited for the deadline (${a.ms.toFixed(0)} ms)`)

  // The first timeouts opened the breaker: BREAKER_VOLUME settled calls, all failed.
  t.equal(gateway.partners.breakerState(OIN.energie), 'open', 'the breaker is open')
  t.ok(breakerOpenedAfter !== null && breakerOpenedAfter <= BOUND_MS, `it opened ${breakerOpenedAfter?.toFixed(0)} ms after the stall began, as the first timeouts settled`)
  t.equal(gateway.partners.breakerState(OIN.politie), 'closed', 'the other partner\'s breaker is closed')
})

t.test('breaker open: answered at once with 502 PARTNER_CIRCUIT_OPEN, audited; nothing in flight piles up', async (t) => {
  const answers = await Promise.all(Array.from({ length: 3 * CONNECTIONS }, () => timed(() => ask(gateway, caseId, debts))))
  t.comment(`statuses: ${JSON.stringify(tally(answers))}; slowest ${slowest(answers).toFixed(0)} ms`)
  for (const a of answers) {
    t.equal(codeOf(a), 'PARTNER_CIRCUIT_OPEN')
    t.ok(a.ms < TIMEOUT_MS, `without waiting for the partner (${a.ms.toFixed(0)} ms)`)
    await expectOutcome(t, sql, a.res, 502, 'error')
  }
  t.same(gateway.partners.load(OIN.energie), { inFlight: 0, queued: 0 })
})

t.test('the partner recovers: after the reset time one trial call closes the breaker, then requests succeed', async (t) => {
  delete faults[OIN.energie]
  const started = performance.now()
  const codes: string[] = []
  let first: Timed | undefined
  // Until the breaker half-opens every call is 502 at once; the first call after that is the trial.
  while (performance.now() - started < RESET_MS + 5000) {
    const a = await timed(() => ask(gateway, caseId, debts))
    codes.push(codeOf(a))
    if (a.res.statusCode === 200) { first = a; break }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const recoveredAfter = performance.now() - started
  t.comment(`recovered ${recoveredAfter.toFixed(0)} ms after the partner did (BREAKER_RESET_MS ${RESET_MS}); before: ${[...new Set(codes.slice(0, -1))].join(', ')}`)
  t.ok(first, 'a request succeeded')
  if (first) await expectPermit(t, sql, first.res, ['hasArrears'])
  t.ok(codes.slice(0, -1).every((c) => c === 'PARTNER_CIRCUIT_OPEN'), 'until then the breaker answered')
  t.equal(gateway.partners.breakerState(OIN.energie), 'closed')

  const again = await Promise.all(Array.from({ length: CONNECTIONS }, () => timed(() => ask(gateway, caseId, debts))))
  for (const a of again) await expectPermit(t, sql, a.res, ['hasArrears'])
  t.comment(`${CONNECTIONS} at once after recovery: slowest ${slowest(again).toFixed(0)} ms`)
})

t.test('involvement check: the same bulkhead per party — a party whose bulkhead is full is PARTNER_BUSY in the results', async (t) => {
  faults[OIN.energie] = STALL
  // Fill the stalled party's bulkhead (in flight and queue) with data requests.
  const filling = Array.from({ length: CONNECTIONS + MAX_QUEUED }, () => timed(() => ask(gateway, caseId, debts)))
  const full = await waitFor(() => {
    const load = gateway.partners.load(OIN.energie)
    return load.inFlight === CONNECTIONS && load.queued === MAX_QUEUED
  }, TIMEOUT_MS / 2)
  t.ok(full !== null, 'the bulkhead is full')

  const check = await timed(() => gateway.inject({
    method: 'POST', url: `/v1/cases/${caseId}/involvement-check`, headers: callers.college(), payload: { subject: BSN.member, necessity: NECESSITY }
  }))
  t.equal(check.res.statusCode, 200)
  const results = check.res.json().results as Array<{ provider: string, outcome: string, error?: string, auditEventId: string, requestId: string }>
  const energie = results.find((r) => r.provider === OIN.energie)
  t.match(energie, { outcome: 'error', error: 'PARTNER_BUSY' }, 'the stalled party: not asked, its bulkhead is full')
  t.ok(check.ms < TIMEOUT_MS, `the check did not wait for the stalled party (${check.ms.toFixed(0)} ms)`)
  t.ok(results.filter((r) => r.provider !== OIN.energie).every((r) => r.error === undefined), 'every other party answered')
  const event = await auditEvent(sql, energie!.auditEventId)
  t.match(event, { type: 'involvement-check.decision', provider: OIN.energie, outcome: 'error', transactionId: energie!.requestId, detail: { error: 'PARTNER_BUSY' } }, 'audited like every party')

  const filled = await Promise.all(filling)
  for (const a of filled) {
    t.ok(a.ms <= BOUND_MS, `${a.res.statusCode} ${codeOf(a)} in ${a.ms.toFixed(0)} ms`)
    await expectOutcome(t, sql, a.res, a.res.statusCode, 'error')
  }
  delete faults[OIN.energie]
})

t.test('every partner stalled: involvement checks and data requests all answer within the bound', async (t) => {
  for (const oin of Object.values(OIN)) faults[oin] = STALL
  const requests = [
    ...Array.from({ length: 3 }, () => timed(() => gateway.inject({
      method: 'POST', url: `/v1/cases/${caseId}/involvement-check`, headers: callers.college(), payload: { subject: BSN.member, necessity: NECESSITY }
    }))),
    ...Array.from({ length: 2 * CONNECTIONS }, () => timed(() => ask(gateway, caseId, police)))
  ]
  const answers = await Promise.all(requests)
  for (const oin of Object.values(OIN)) delete faults[oin]
  t.comment(`statuses: ${JSON.stringify(tally(answers))}; slowest ${slowest(answers).toFixed(0)} ms`)
  for (const a of answers) t.ok(a.ms <= BOUND_MS, `${a.res.statusCode} in ${a.ms.toFixed(0)} ms ≤ ${BOUND_MS} ms`)
  for (const check of answers.slice(0, 3)) {
    t.equal(check.res.statusCode, 200)
    const results = check.res.json().results as Array<{ outcome: string, error?: string, auditEventId: string }>
    const asked = results.filter((r) => r.outcome !== 'deny')
    t.ok(asked.length > 5 && asked.every((r) => r.outcome === 'error' && ['PARTNER_TIMEOUT', 'PARTNER_BUSY', 'PARTNER_CIRCUIT_OPEN'].includes(r.error!)), 'every party asked: an error, none released')
    for (const r of results) t.ok(await auditEvent(sql, r.auditEventId), 'each party\'s result has its audit event')
  }
  for (const a of answers.slice(3)) await expectOutcome(t, sql, a.res, a.res.statusCode, 'error')
})
