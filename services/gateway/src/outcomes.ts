// The outcomes of a data request and how each one is answered (SPEC §6): 200 permit with the data;
// every other outcome is problem+json carrying requestId and outcome, so a caller can always
// quote the request and find its audit record.
import { problem, type Problem } from '@wams/platform'
import type { ReasonCode } from './decision/index.ts'

export type Outcome = 'permit' | 'deny' | 'refused' | 'not-known' | 'error'

export interface Permit {
  requestId: string
  outcome: 'permit'
  data: Record<string, unknown>
  legalBasis: string
  auditEventId: string
}

/** Milliseconds per stage (ledger, decide, partner, audit), sent as Server-Timing: where the time went. */
export type Timings = Record<string, number>

/** `headers`: answer headers an outcome needs (Retry-After of 503 PARTNER_BUSY). */
export type DataRequestResult = ({ status: 200, body: Permit } | { status: number, problem: Problem, headers?: Record<string, string> }) & { timings: Timings }

export function serverTiming (timings: Timings): string {
  return Object.entries(timings).map(([stage, ms]) => `${stage};dur=${ms.toFixed(2)}`).join(', ')
}

// A reason a person understands (SPEC §1), next to the code that is the contract.
export const REASON_TEXT: Readonly<Record<ReasonCode, string>> = {
  REQUESTER_NOT_REGISTERED: 'your organisation is not an active party in the register',
  PROVIDER_NOT_REGISTERED: 'the provider is not an active party in the register',
  CASE_NOT_FOUND: 'there is no such case; data are only exchanged within a case',
  CASE_CLOSED: 'the case is closed',
  SUBJECT_NOT_IN_CASE: 'the person is not a client or household member of this case',
  PURPOSE_NOT_IN_PHASE: 'this purpose does not fit the phase the case is in',
  ROLE_NOT_PERMITTED: 'you may not act for this purpose in this case',
  PROVIDER_NOT_PARTICIPANT: 'the provider does not participate in this case',
  CATEGORY_NOT_SUPPLIED: 'the provider does not supply this category of data',
  OUTSIDE_CLIENT_SCOPE: 'the client has not put this party or domain in scope',
  CATEGORY_NOT_PERMITTED: 'this category of data may not be given to you in this case',
  NECESSITY_NOT_STATED: 'state why the data are necessary (at least 20 characters)',
  FIELD_UNKNOWN: 'a requested field does not exist in this category',
  FIELD_NOT_NECESSARY: 'a requested field is more detailed than this purpose and your role allow',
  OBJECTION_PENDING: 'the person has a pending objection in this case',
  OBJECTION_UPHELD: 'the person\'s objection in this case was upheld'
}

export function denyProblem (requestId: string, reasons: readonly ReasonCode[], extra: Record<string, unknown>): Problem {
  const detail = `The request is denied: ${reasons.map((r) => REASON_TEXT[r]).join('; ')}.`
  return problem(403, detail, { code: 'DENIED', requestId, outcome: 'deny', reasons: [...reasons], ...extra })
}

/**
 * The one answer to a caller without standing in the case, and to everyone for a case that does
 * not exist: the same bytes whatever the case holds, apart from the ids of the request and of its
 * audit event. No reasons.
 */
export function noStandingProblem (requestId: string, auditEventId: string): Problem {
  return problem(404, 'There is no such case, or none you may ask about.', { code: 'CASE_NOT_FOUND', requestId, outcome: 'deny', auditEventId })
}

export function outcomeProblem (status: number, outcome: Exclude<Outcome, 'permit' | 'deny'>, code: string, detail: string, requestId: string, extra: Record<string, unknown> = {}): Problem {
  return problem(status, detail, { code, requestId, outcome, ...extra })
}
