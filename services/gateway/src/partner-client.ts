// Calls to partner systems (SPEC §6): POST {baseUrl}/wams/v1/data-requests with a token the
// gateway signs for that provider and request, and the caller's traceparent. One keep-alive pool
// per partner origin, connect and response timeouts, and one circuit breaker per partner, so a
// partner that is down costs its callers a fast 502 instead of a slow pile-up. TLS certificates
// are always verified: a partner is reached over a connection it proved it owns, or not at all.
import { rootCertificates } from 'node:tls'
import { readFileSync } from 'node:fs'
import { Pool } from 'undici'
import CircuitBreaker from 'opossum'
import { traceparentOf, type TraceContext } from '@wams/platform'

/** Why a partner call produced no answer the gateway can use; the HTTP status says which of 502/504. */
export type PartnerErrorCode =
  | 'PARTNER_TIMEOUT' // 504: no answer within the connect or response timeout
  | 'PARTNER_UNAVAILABLE' // 502: connection refused or broken
  | 'PARTNER_CIRCUIT_OPEN' // 502: the breaker is open after repeated failures; not called
  | 'PARTNER_FAILED' // 502: the partner answered 5xx
  | 'PARTNER_RESPONSE_INVALID' // 502: an answer that is not the protocol (status, JSON, size)
  | 'PARTNER_SCHEMA_VIOLATION' // 502: data outside the category schema (set by partner-data.ts)

export type PartnerAnswer =
  | { kind: 'data', partnerStatus: 200, data: unknown }
  | { kind: 'not-known', partnerStatus: 404 }
  | { kind: 'refused', partnerStatus: 451, reason: string }
  | { kind: 'error', status: 502 | 504, error: PartnerErrorCode, partnerStatus: number | null }

export interface PartnerRequest {
  provider: { oin: string, baseUrl: string }
  requestId: string
  trace: TraceContext
  /** The SPEC body: requestId, caseRef, subject, category, fields, purpose, requester, necessity, legalBasis. */
  body: Record<string, unknown>
}

export interface PartnerClientOptions {
  timeoutMs: number
  connectTimeoutMs: number
  connections: number
  responseLimit: number
  caFile?: string
  breaker: { errorPercent: number, volume: number, resetMs: number }
  token: (provider: string, requestId: string) => string
}

export interface PartnerClient {
  call: (request: PartnerRequest) => Promise<PartnerAnswer>
  /** The breaker state per partner (health and tests). */
  breakerState: (oin: string) => 'closed' | 'open' | 'half-open' | 'none'
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

export function createPartnerClient (options: PartnerClientOptions): PartnerClient {
  const ca = options.caFile ? [...rootCertificates, readFileSync(options.caFile, 'utf8')] : undefined
  const pools = new Map<string, Pool>()
  const breakers = new Map<string, CircuitBreaker<[PartnerRequest], PartnerAnswer>>()

  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin)
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: options.connections,
        // Verification always on; an extra CA may be added, never the check switched off.
        connect: { timeout: options.connectTimeoutMs, rejectUnauthorized: true, ...(ca ? { ca } : {}) },
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        keepAliveTimeout: 30_000,
        maxResponseSize: options.responseLimit
      })
      pools.set(origin, pool)
    }
    return pool
  }

  async function send (request: PartnerRequest): Promise<PartnerAnswer> {
    const url = new URL(`${request.provider.baseUrl.replace(/\/$/, '')}/wams/v1/data-requests`)
    let statusCode: number
    let text: string
    try {
      const res = await poolFor(url.origin).request({
        method: 'POST',
        path: url.pathname,
        headers: {
          authorization: `Bearer ${options.token(request.provider.oin, request.requestId)}`,
          traceparent: traceparentOf(request.trace),
          'content-type': 'application/json',
          accept: 'application/json'
        },
        body: JSON.stringify(request.body)
      })
      statusCode = res.statusCode
      text = await res.body.text()
    } catch (err) {
      const code = (err as { code?: string }).code ?? ''
      if (TIMEOUT_CODES.has(code)) throw new PartnerFailure(failure(504, 'PARTNER_TIMEOUT'))
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

  const breakerFor = (oin: string) => {
    let breaker = breakers.get(oin)
    if (breaker === undefined) {
      breaker = new CircuitBreaker(send, {
        timeout: false, // undici's connect and response timeouts bound every call
        errorThresholdPercentage: options.breaker.errorPercent,
        volumeThreshold: options.breaker.volume,
        resetTimeout: options.breaker.resetMs,
        rollingCountTimeout: 10_000,
        rollingCountBuckets: 10,
        rollingPercentilesEnabled: false,
        enableSnapshots: false
      } as CircuitBreaker.Options<[PartnerRequest]>)
      breakers.set(oin, breaker)
    }
    return breaker
  }

  return {
    async call (request) {
      try {
        return await breakerFor(request.provider.oin).fire(request)
      } catch (err) {
        if (err instanceof PartnerFailure) return err.answer
        if ((err as { code?: string }).code === 'EOPENBREAKER') return failure(502, 'PARTNER_CIRCUIT_OPEN')
        return failure(502, 'PARTNER_UNAVAILABLE')
      }
    },
    breakerState (oin) {
      const breaker = breakers.get(oin)
      if (breaker === undefined) return 'none'
      return breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed'
    },
    async close () {
      for (const breaker of breakers.values()) breaker.shutdown()
      await Promise.all([...pools.values()].map((pool) => pool.close()))
    }
  }
}
