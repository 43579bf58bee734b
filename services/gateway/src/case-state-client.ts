// The case as the consent ledger holds it at the moment of the read: one GET of the ledger's
// decision state, over a keep-alive pool, with short timeouts.
//
// This client keeps nothing. Copies are kept only under a lease (case-state-lease.ts, which calls
// this client on a miss): the ledger acknowledges a change only after it committed and every
// leased copy was dropped, and this read goes to the ledger after the request arrived, so every
// request that starts after a change was acknowledged sees it (SPEC §6, read-after-write).
//
// Fail closed: when the ledger cannot answer, there is no decision, and the caller answers 503.
import { Pool } from 'undici'
import { traceparentOf, type TraceContext } from '@wams/platform'
import { createWamsAjv, caseStateSchema, type CaseState } from '@wams/schemas'

export class CaseStateUnavailableError extends Error {
  readonly code = 'CASE_STATE_UNAVAILABLE'
  readonly statusCode = 503
  constructor (readonly why: string) {
    super(`The consent ledger could not give the state of the case (${why}); no decision was made`)
  }
}

export interface CaseStateClient {
  /** The case's decision state; null when the ledger does not know the case. */
  get: (caseId: string, trace: TraceContext) => Promise<CaseState | null>
  close: () => Promise<void>
}

export interface CaseStateClientOptions {
  baseUrl: string
  timeoutMs: number
  connections: number
  /** The gateway's bearer token for the ledger (role `gateway`). */
  token: () => string
}

// The ledger's answer is checked against the contract before any rule reads it: a malformed state
// would be a decision on guesswork.
const validate = createWamsAjv({ strict: false }).compile<CaseState>(caseStateSchema)

export function createCaseStateClient (options: CaseStateClientOptions): CaseStateClient {
  const base = new URL(options.baseUrl)
  const prefix = base.pathname.replace(/\/$/, '')
  const pool = new Pool(base.origin, {
    connections: options.connections,
    connect: { timeout: options.timeoutMs, rejectUnauthorized: true },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 30_000
  })

  return {
    async get (caseId, trace) {
      let statusCode: number
      let body: unknown
      try {
        const res = await pool.request({
          method: 'GET',
          path: `${prefix}/v1/cases/${encodeURIComponent(caseId)}/decision-state`,
          headers: { authorization: `Bearer ${options.token()}`, traceparent: traceparentOf(trace), accept: 'application/json' }
        })
        statusCode = res.statusCode
        body = statusCode === 200 ? await res.body.json() : (await res.body.dump(), null)
      } catch (err) {
        throw new CaseStateUnavailableError((err as { code?: string }).code ?? (err as Error).name)
      }
      if (statusCode === 404) return null
      if (statusCode !== 200) throw new CaseStateUnavailableError(`status ${statusCode}`)
      if (!validate(body)) throw new CaseStateUnavailableError('answer outside the case-state contract')
      return body
    },
    close: () => pool.close()
  }
}
