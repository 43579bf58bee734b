// The record of failed authentication (SPEC §6: every failed attempt is audited), written so that
// an outsider cannot use it to write into the evidence:
// - nothing the caller chose is kept: an org only when a trusted issuer's signature vouches for it
//   and it has the shape of an OIN, a sub only when every claim of the verified token was in
//   bounds, roles only from the closed role list (see vouchedClaims in authentication.ts);
// - the source (the client's address; an IPv6 address by its /64, the unit one party controls) is
//   kept as a keyed pseudonym only, so attempts can be counted per source without storing an
//   address;
// - per source and window, the first AUTH_FAILURE_BURST attempts are recorded one by one; the rest
//   are counted and recorded as ONE aggregate event when the window ends (detail.count), and
//   sources beyond MAX_SOURCES in a window share one aggregate without a source. A flood therefore
//   adds at most MAX_SOURCES × (burst + 1) + 1 events per window, however many requests it sends.
import { isIPv6 } from 'node:net'
import type { FastifyInstance } from 'fastify'
import type { Pool } from 'pg'
import type { Logger } from 'pino'
import { buildAuditEvent, recordAudit, type AuditEvent } from './audit-event.ts'
import type { Pseudonymiser } from './pseudonym.ts'
import type { AuthFailure } from './authentication.ts'
import type { TraceContext } from './trace-context.ts'
import type { Runtime } from './runtime.ts'

/** Sources tracked per window; the rest are counted together. Bounds memory and events alike. */
export const MAX_SOURCES = 1000

export interface FailedAuthenticationOptions {
  pool: Pool
  source: AuditEvent['source']
  pseudonymise: Pseudonymiser
  /** Length of a counting window in ms (AUTH_FAILURE_WINDOW_MS). */
  windowMs: number
  /** Attempts per source and window recorded one by one (AUTH_FAILURE_BURST). */
  burst: number
  log: Logger
  maxSources?: number
}

/** What the authentication plugin needs of a request to record its failure. */
export interface FailedRequest { id: string, ip: string, trace: TraceContext, routeOptions?: { url?: string } }

export interface FailedAuthenticationLog {
  record: (request: FailedRequest, failure: AuthFailure) => Promise<void>
  /** Writes the aggregates of the current window now (at shutdown, and in tests). */
  flush: () => Promise<void>
  close: () => Promise<void>
}

interface Tally { recorded: number, suppressed: number, reasons: Set<string>, trace: TraceContext }

/** The part of an address one party controls: all of an IPv4 address, the /64 of an IPv6 one. */
export function sourceNetwork (ip: string): string {
  const address = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip
  if (!isIPv6(address)) return address
  const [head = '', tail = ''] = address.split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === '' ? [] : tail.split(':')
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left
  return `${groups.slice(0, 4).map((g) => parseInt(g || '0', 16).toString(16)).join(':')}::/64`
}

export function createFailedAuthenticationLog (options: FailedAuthenticationOptions): FailedAuthenticationLog {
  const maxSources = options.maxSources ?? MAX_SOURCES
  let window = { from: new Date(), tallies: new Map<string | null, Tally>() }

  const event = (trace: TraceContext, transactionId: string, reasons: string[], actor: AuditEvent['actor'], detail: Record<string, unknown>) => buildAuditEvent({
    type: 'authentication.failed',
    source: options.source,
    transactionId,
    actor,
    processingActivity: { id: 'wams.authentication', version: '1' },
    outcome: 'rejected',
    reasons,
    detail: detail as AuditEvent['detail']
  }, trace)

  async function flush (): Promise<void> {
    const ended = window
    window = { from: new Date(), tallies: new Map() }
    const to = window.from.toISOString()
    const aggregates = [...ended.tallies].filter(([, tally]) => tally.suppressed > 0).map(([sourceRef, tally]) =>
      event(tally.trace, `auth-failures-${ended.from.getTime()}`, [...tally.reasons].sort(), { org: null, sub: null, roles: [], partyType: null }, {
        route: null,
        ...(sourceRef !== null ? { sourceRef } : {}),
        count: tally.suppressed,
        window: { from: ended.from.toISOString(), to }
      }))
    if (aggregates.length === 0) return
    try {
      await recordAudit(options.pool, aggregates)
    } catch (err) {
      // The counts are lost, not the service: the individual attempts before them are recorded.
      options.log.error({ err: { message: (err as Error).message }, aggregates: aggregates.length }, 'failed-authentication aggregates not recorded')
    }
  }

  const timer = setInterval(() => { void flush() }, options.windowMs)
  timer.unref()

  return {
    async record (request, failure) {
      const network = options.pseudonymise('source', sourceNetwork(request.ip))
      const key = window.tallies.has(network) || window.tallies.size < maxSources ? network : null
      let tally = window.tallies.get(key)
      if (tally === undefined) {
        tally = { recorded: 0, suppressed: 0, reasons: new Set(), trace: request.trace }
        window.tallies.set(key, tally)
      }
      if (key === null || tally.recorded >= options.burst) {
        tally.suppressed++
        tally.reasons.add(failure.reason)
        return
      }
      tally.recorded++
      const { claimed } = failure
      await recordAudit(options.pool, [event(request.trace, request.id, [failure.reason],
        { org: claimed.org, sub: claimed.sub, roles: claimed.roles, partyType: null },
        {
          route: request.routeOptions?.url ?? null,
          sourceRef: network,
          // Claims the event cannot carry (oversized, outside the text policy) are named, not kept.
          ...(claimed.omitted !== undefined && claimed.omitted.length > 0 ? { omittedClaims: claimed.omitted } : {})
        })])
    },
    flush,
    async close () {
      clearInterval(timer)
      await flush()
    }
  }
}

/**
 * The onFailure hook a service gives the authentication plugin: its failed-authentication log,
 * configured from the runtime, flushed when the app closes.
 */
export function recordFailedAuthentication (app: FastifyInstance, runtime: Runtime, source: AuditEvent['source']): FailedAuthenticationLog['record'] {
  const failures = createFailedAuthenticationLog({
    pool: runtime.pool,
    source,
    pseudonymise: runtime.pseudonymise,
    windowMs: runtime.config.AUTH_FAILURE_WINDOW_MS,
    burst: runtime.config.AUTH_FAILURE_BURST,
    log: runtime.logger
  })
  app.addHook('onClose', failures.close)
  return failures.record
}
