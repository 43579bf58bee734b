// Calls to partner systems (SPEC §6): POST {baseUrl}/wams/v1/data-requests with a token the
// gateway signs for that provider and request, and the caller's traceparent. TLS certificates
// are always verified: a partner is reached over a connection it proved it owns, or not at all.
//
// A partner that stalls must not stall the gateway (issue 8, bounded answer time). Per partner:
//  - one deadline: the whole call — waiting for a permit, connecting, the answer and its body —
//    is one AbortSignal of `timeoutMs`, so no wait anywhere is outside the timeout;
//  - a bulkhead: at most `maxInFlight` calls at once and `maxQueued` waiting (FIFO, within the
//    deadline); beyond that, or when no permit comes before the deadline, the call is not made and
//    the answer is 503 PARTNER_BUSY with Retry-After (the longest a permit can stay taken);
//  - its own keep-alive pool (not one per origin: partners behind one host must not take each
//    other's connections), sized so the bulkhead, not the pool, is what queues;
//  - one circuit breaker: opossum's state machine (open, half-open after `resetMs` with one trial
//    call, closed), opened by the rule in `SettledWindow` over *settled* calls, where a timeout is
//    a failure. (opossum's own rule divides failures by calls *started*; calls stuck in a stalled
//    partner dilute it, and it opened only after about two timeouts.)
import { rootCertificates } from 'node:tls'
import { readFileSync } from 'node:fs'
import { Pool } from 'undici'
import CircuitBreaker from 'opossum'
import { traceparentOf, type TraceContext } from '@wams/platform'

/** Why a partner call produced no answer the gateway can use; the HTTP status says which of 502/504. */
export type PartnerErrorCode =
  | 'PARTNER_TIMEOUT' // 504: no answer within the deadline (timeoutMs for the whole call)
  | 'PARTNER_BUSY' // 503: the partner's bulkhead is full, or no permit came before the deadline; not called
  | 'PARTNER_UNAVAILABLE' // 502: connection refused or broken
  | 'PARTNER_CIRCUIT_OPEN' // 502: the breaker is open after repeated failures; not called
  | 'PARTNER_FAILED' // 502: the partner answered 5xx
  | 'PARTNER_RESPONSE_INVALID' // 502: an answer that is not the protocol (status, JSON, size)
  | 'PARTNER_SCHEMA_VIOLATION' // 502: data outside the category schema (set by partner-data.ts)

export type PartnerAnswer =
  | { kind: 'data', partnerStatus: 200, data: unknown }
  | { kind: 'not-known', partnerStatus: 404 }
  | { kind: 'refused', partnerStatus: 451, reason: string }
  | { kind: 'error', status: 502 | 503 | 504, error: PartnerErrorCode, partnerStatus: number | null, retryAfterS?: number }

export interface PartnerRequest {
  provider: { oin: string, baseUrl: string }
  requestId: string
  trace: TraceContext
  /** The SPEC body: requestId, caseRef, subject, category, fields, purpose, requester, necessity, legalBasis. */
  body: Record<string, unknown>
}

export interface PartnerClientOptions {
  /** The deadline of one whole call: permit wait, connect, answer and body. */
  timeoutMs: number
  connectTimeoutMs: number
  /** Keep-alive connections per partner. */
  connections: number
  /** Bulkhead per partner: calls in flight at once (default: connections). */
  maxInFlight?: number
  /** Bulkhead per partner: calls waiting for a permit (0: none wait). */
  maxQueued: number
  responseLimit: number
  caFile?: string
  /**
   * Opens when, of the last `volume` calls settled within `windowMs`, at least `errorPercent` %
   * failed (timeout, refused or broken connection, 5xx); stays open `resetMs`, then one trial call.
   */
  breaker: { errorPercent: number, volume: number, windowMs: number, resetMs: number }
  token: (provider: string, requestId: string) => string
}

/** What one partner's bulkhead holds now (health and tests). */
export interface PartnerLoad { inFlight: number, queued: number }

export interface PartnerClient {
  call: (request: PartnerRequest) => Promise<PartnerAnswer>
  /** The breaker state per partner (health and tests). */
  breakerState: (oin: string) => 'closed' | 'open' | 'half-open' | 'none'
  /** Calls in flight and waiting per partner. */
  load: (oin: string) => PartnerLoad
  close: () => Promise<void>
}

/** A failure that counts against the partner's breaker: it says the partner is unwell. */
class PartnerFailure extends Error {
  constructor (readonly answer: Extract<PartnerAnswer, { kind: 'error' }>) { super(answer.error) }
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])
const MAX_REASON = 1000

const failure = (status: 502 | 504, error: PartnerErrorCode, partnerStatus: number | null = null) =>
  ({ kind: 'error', status, error, partnerStatus }) as const

const dataRequestsUrl = (request: PartnerRequest) => new URL(`${request.provider.baseUrl.replace(/\/$/, '')}/wams/v1/data-requests`)

type Permit = 'granted' | 'full' | 'deadline'

/**
 * A semaphore with a bounded FIFO wait queue. A waiter gives up when its deadline signal aborts;
 * a released permit goes straight to the longest waiter that is still waiting.
 */
export class Bulkhead {
  private inFlight = 0
  private readonly waiting: Array<(permit: Permit) => void> = []

  constructor (readonly maxInFlight: number, readonly maxQueued: number) {}

  get load (): PartnerLoad { return { inFlight: this.inFlight, queued: this.waiting.length } }

  acquire (deadline: AbortSignal): Permit | Promise<Permit> {
    if (deadline.aborted) return 'deadline'
    if (this.inFlight < this.maxInFlight) {
      this.inFlight++
      return 'granted'
    }
    if (this.waiting.length >= this.maxQueued) return 'full'
    return new Promise<Permit>((resolve) => {
      const onAbort = () => {
        const at = this.waiting.indexOf(grant)
        if (at >= 0) this.waiting.splice(at, 1)
        resolve('deadline')
      }
      const grant = (permit: Permit) => {
        deadline.removeEventListener('abort', onAbort)
        resolve(permit)
      }
      this.waiting.push(grant)
      deadline.addEventListener('abort', onAbort, { once: true })
    })
  }

  release (): void {
    const next = this.waiting.shift()
    if (next) next('granted') // the permit passes on; inFlight stays
    else this.inFlight--
  }
}

/**
 * The breaker's rule: of the last `volume` settled calls (no older than `windowMs`), at least
 * `errorPercent` % failed. Counting settled calls, not started ones, a stall shows as soon as its
 * first timeouts settle, however many calls are still stuck in it; a count, not a time span, of
 * calls, so a busy partner's earlier successes do not hide a stall for long.
 */
export class SettledWindow {
  private readonly settled: Array<{ at: number, failed: boolean }> = []

  constructor (private readonly options: { errorPercent: number, volume: number, windowMs: number }) {}

  /** Records one settled call; true when the breaker should open. */
  record (failed: boolean, now = Date.now()): boolean {
    this.settled.push({ at: now, failed })
    if (this.settled.length > this.options.volume) this.settled.shift()
    const recent = this.settled.filter((s) => now - s.at <= this.options.windowMs)
    if (recent.length < this.options.volume) return false
    const failures = recent.filter((s) => s.failed).length
    return failures * 100 >= this.options.errorPercent * recent.length
  }

  clear (): void { this.settled.length = 0 }
}

export function createPartnerClient (options: PartnerClientOptions): PartnerClient {
  const ca = options.caFile ? [...rootCertificates, readFileSync(options.caFile, 'utf8')] : undefined
  const maxInFlight = options.maxInFlight ?? options.connections
  // The longest a permit can stay taken: one deadline. A caller told to come back after it finds
  // the calls that filled the bulkhead settled, one way or the other.
  const retryAfterS = Math.max(1, Math.ceil(options.timeoutMs / 1000))
  const busy = { kind: 'error', status: 503, error: 'PARTNER_BUSY', partnerStatus: null, retryAfterS } as const
  // Per partner OIN (its baseUrl comes from the register, loaded once at start).
  const partners = new Map<string, {
    pool: Pool
    bulkhead: Bulkhead
    breaker: CircuitBreaker<[PartnerRequest, AbortSignal], PartnerAnswer>
  }>()

  const newPool = (origin: string) => new Pool(origin, {
    connections: options.connections,
    // Verification always on; an extra CA may be added, never the check switched off.
    connect: { timeout: options.connectTimeoutMs, rejectUnauthorized: true, ...(ca ? { ca } : {}) },
    // Backstops only: the call's deadline signal ends every call first.
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 30_000,
    maxResponseSize: options.responseLimit
  })

  async function send (pool: Pool, request: PartnerRequest, deadline: AbortSignal): Promise<PartnerAnswer> {
    const url = dataRequestsUrl(request)
    let statusCode: number
    let text: string
    try {
      const res = await pool.request({
        method: 'POST',
        path: url.pathname,
        headers: {
          authorization: `Bearer ${options.token(request.provider.oin, request.requestId)}`,
          traceparent: traceparentOf(request.trace),
          'content-type': 'application/json',
          accept: 'application/json'
        },
        body: JSON.stringify(request.body),
        signal: deadline
      })
      statusCode = res.statusCode
      text = await res.body.text()
    } catch (err) {
      const code = (err as { code?: string }).code ?? ''
      if (deadline.aborted || TIMEOUT_CODES.has(code)) throw new PartnerFailure(failure(504, 'PARTNER_TIMEOUT'))
      if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') return failure(502, 'PARTNER_RESPONSE_INVALID')
      throw new PartnerFailure(failure(502, 'PARTNER_UNAVAILABLE'))
    }
    if (statusCode >= 500) throw new PartnerFailure(failure(502, 'PARTNER_FAILED', statusCode))
    if (statusCode === 404) return { kind: 'not-known', partnerStatus: 404 }
    if (statusCode !== 200 && statusCode !== 451) return failure(502, 'PARTNER_RESPONSE_INVALID', statusCode)
    let body: unknown
    try { body = JSON.parse(text) } catch { return failure(502, 'PARTNER_RESPONSE_INVALID', statusCode) }
    if (body === null || typeof body !== 'object') return failure(502, 'PARTNER_RESPONSE_INVALID', statusCode)
    if (statusCode === 451) {
      const reason = (body as { reason?: unknown }).reason
      // A refusal must say why (SPEC §5); one without a reason is outside the protocol.
      if (typeof reason !== 'string' || reason.trim() === '') return failure(502, 'PARTNER_RESPONSE_INVALID', 451)
      return { kind: 'refused', partnerStatus: 451, reason: reason.slice(0, MAX_REASON) }
    }
    if (!('data' in body)) return failure(502, 'PARTNER_RESPONSE_INVALID', 200)
    return { kind: 'data', partnerStatus: 200, data: (body as { data: unknown }).data }
  }

  const partnerFor = (oin: string, origin: string) => {
    let partner = partners.get(oin)
    if (partner === undefined) {
      const pool = newPool(origin)
      const breaker = new CircuitBreaker((request: PartnerRequest, deadline: AbortSignal) => send(pool, request, deadline), {
        timeout: false, // the call's deadline signal bounds every call, permit wait included
        // opossum's own rule (failures ÷ calls started) is switched off: 100 % is never exceeded.
        // It still reopens on a failed half-open trial; SettledWindow below opens it.
        errorThresholdPercentage: 100,
        resetTimeout: options.breaker.resetMs,
        rollingCountTimeout: options.breaker.windowMs,
        rollingCountBuckets: 10,
        rollingPercentilesEnabled: false,
        enableSnapshots: false
      } as CircuitBreaker.Options<[PartnerRequest, AbortSignal]>)
      const settled = new SettledWindow(options.breaker)
      breaker.on('success', () => { settled.record(false) })
      breaker.on('failure', () => { if (settled.record(true) && breaker.closed) breaker.open() })
      // A closed breaker starts afresh: the failures that opened it are history.
      breaker.on('close', () => { settled.clear() })
      partner = { pool, bulkhead: new Bulkhead(maxInFlight, options.maxQueued), breaker }
      partners.set(oin, partner)
    }
    return partner
  }

  async function callWithin (request: PartnerRequest, deadline: AbortSignal): Promise<PartnerAnswer> {
    const { bulkhead, breaker } = partnerFor(request.provider.oin, dataRequestsUrl(request).origin)
    // An open breaker answers at once; nobody queues for a partner that is not called.
    if (breaker.opened) return failure(502, 'PARTNER_CIRCUIT_OPEN')
    const acquired = bulkhead.acquire(deadline)
    const permit = typeof acquired === 'string' ? acquired : await acquired
    if (permit !== 'granted') return busy
    // A permit handed over just as the deadline passed: the partner is not asked (and not blamed).
    if (deadline.aborted) {
      bulkhead.release()
      return busy
    }
    try {
      return await breaker.fire(request, deadline)
    } catch (err) {
      if (err instanceof PartnerFailure) return err.answer
      if ((err as { code?: string }).code === 'EOPENBREAKER') return failure(502, 'PARTNER_CIRCUIT_OPEN')
      return failure(502, 'PARTNER_UNAVAILABLE')
    } finally {
      bulkhead.release()
    }
  }

  return {
    async call (request) {
      const controller = new AbortController()
      const timer = setTimeout(() => controller.abort(), options.timeoutMs)
      try {
        return await callWithin(request, controller.signal)
      } finally {
        clearTimeout(timer)
      }
    },
    breakerState (oin) {
      const breaker = partners.get(oin)?.breaker
      if (breaker === undefined) return 'none'
      return breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed'
    },
    load (oin) {
      return partners.get(oin)?.bulkhead.load ?? { inFlight: 0, queued: 0 }
    },
    async close () {
      for (const { breaker } of partners.values()) breaker.shutdown()
      await Promise.all([...partners.values()].map(({ pool }) => pool.close()))
    }
  }
}
