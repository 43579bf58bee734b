// The audit service's one question to the consent ledger: in which cases of the caller's
// municipality is this person a subject? (POST /v1/subjects/cases, the BSN in the body.) Asked
// before a municipality gets a person's inzage report, because the ledger, not the audit log, knows
// who is in a case: the log only knows which pseudonyms its events name, and an event naming a BSN
// (a denied request, say) says nothing about whether that person is in the case.
//
// The caller's own bearer token goes along: the ledger decides with the caller's own rights (its
// municipality's cases; every case for the supervisor), so the audit service needs no key of its
// own and no trust in "asking on behalf of" — it cannot learn more than the caller could ask
// itself. Every service verifies the same audience (JWT_AUDIENCE, default `wams`), so the token
// the audit service accepted is one the ledger accepts. (With MTLS_REQUIRED on the ledger, a
// forwarded token would not match the audit service's client certificate: that deployment needs a
// service token with an on-behalf-of claim instead; there is no service-to-service mTLS yet.)
//
// Fail closed: no answer within the deadline, or an answer outside the contract, is
// LedgerUnavailableError, and the report is refused (503).
import { Pool } from 'undici'
import { traceparentOf, type TraceContext } from '@wams/platform'

export class LedgerUnavailableError extends Error {
  constructor (readonly why: string) {
    super(`the consent ledger could not be asked (${why})`)
  }
}

/** The ledger's answer: the case ids, or that the caller may not ask (401/403: no cases for it). */
export type SubjectCases = { kind: 'cases', caseIds: string[] } | { kind: 'not-permitted', status: number }

export interface SubjectCasesClient {
  /** The cases of the caller's municipality (all, for the supervisor) in which the person is a subject. */
  casesOf: (bsn: string, caller: { authorization: string, trace: TraceContext }) => Promise<SubjectCases>
  close: () => Promise<void>
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function caseIdsOf (body: unknown): string[] | null {
  const cases = (body as { cases?: unknown } | null)?.cases
  if (!Array.isArray(cases)) return null
  const ids = cases.map((c) => (c as { caseId?: unknown } | null)?.caseId)
  return ids.every((id): id is string => typeof id === 'string' && UUID.test(id)) ? ids : null
}

export function createSubjectCasesClient (options: { baseUrl: string, timeoutMs: number }): SubjectCasesClient {
  const base = new URL(options.baseUrl)
  const path = `${base.pathname.replace(/\/$/, '')}/v1/subjects/cases`
  const pool = new Pool(base.origin, {
    connections: 8,
    connect: { timeout: options.timeoutMs, rejectUnauthorized: true },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 30_000
  })
  return {
    async casesOf (bsn, caller) {
      let statusCode: number
      let body: unknown = null
      try {
        const res = await pool.request({
          method: 'POST',
          path,
          headers: { authorization: caller.authorization, traceparent: traceparentOf(caller.trace), 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ bsn }),
          // One deadline for the whole question, body included.
          signal: AbortSignal.timeout(options.timeoutMs)
        })
        statusCode = res.statusCode
        if (statusCode === 200) body = await res.body.json()
        else await res.body.dump()
      } catch (err) {
        throw new LedgerUnavailableError((err as { code?: string }).code ?? (err as Error).name)
      }
      if (statusCode === 401 || statusCode === 403) return { kind: 'not-permitted', status: statusCode }
      if (statusCode !== 200) throw new LedgerUnavailableError(`status ${statusCode}`)
      const caseIds = caseIdsOf(body)
      if (caseIds === null) throw new LedgerUnavailableError('answer outside the contract')
      return { kind: 'cases', caseIds }
    },
    close: () => pool.close()
  }
}
