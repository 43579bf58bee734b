// One data request, from the verified token to the answer (SPEC §5 and §6):
//   pseudonymise the BSN at the edge → the case state from the ledger → decide → on deny: audit,
//   403 → on permit: call the partner → validate its data against the category schema → release
//   only the decision's releaseFields → audit → answer.
// The audit record is committed before any answer leaves; when it cannot be, the answer is 503
// and nothing is released (SPEC §7, fail closed). The BSN goes nowhere but the partner's body.
import type { DataRequestBody } from './routes/cases/data-requests/schema.ts'
import { performance } from 'node:perf_hooks'
import type { Logger } from 'pino'
import { maskBsns, recordAudit, type AuditBatcher, type PartyRegisterIndex, type Pool, type Principal, type Pseudonymiser, type TraceContext } from '@wams/platform'
import { decide, standingIn, RECORDED_CODE_FLAGS, type Decision, type Policy } from './decision/index.ts'
import { CaseStateUnavailableError, type CaseStateClient } from './case-state-client.ts'
import type { PartnerAnswer, PartnerClient, PartnerErrorCode } from './partner-client.ts'
import { validateAndMinimise } from './partner-data.ts'
import { decisionEvent, type DecisionDetail, type DecisionRecord } from './decision-audit.ts'
import { denyProblem, noStandingProblem, outcomeProblem, type DataRequestResult, type Outcome, type Permit, type Timings } from './outcomes.ts'
import { problem, type Problem } from '@wams/platform'

export interface ExchangeDeps {
  policy: Policy
  register: PartyRegisterIndex
  caseStates: CaseStateClient
  partners: PartnerClient
  pool: Pool
  /**
   * Group commit of the audit rows (AUDIT_GROUP_COMMIT_MAX_EVENTS): concurrent decisions share one
   * INSERT and commit, each still answered only after that commit. Absent: one INSERT per decision.
   */
  audit?: AuditBatcher
  pseudonymise: Pseudonymiser
  log: Logger
}

/** The request body as the route validated it, plus what the route knows about the call. */
export interface DataRequestInput extends DataRequestBody {
  requestId: string
  trace: TraceContext
  principal: Principal
  caseId: string
  /**
   * When the gateway received the request (a performance.now() value; the route derives it from
   * Fastify's reply.elapsedTime): the audit record's detail.durationMs counts from here. Default:
   * when the handler starts.
   */
  receivedAt?: number
}

const PARTNER_ERROR_TEXT: Readonly<Record<PartnerErrorCode, string>> = {
  PARTNER_TIMEOUT: 'The provider did not answer in time',
  PARTNER_BUSY: 'Too many requests to this provider are under way; it was not asked. Try again after Retry-After seconds.',
  PARTNER_UNAVAILABLE: 'The provider\'s system could not be reached',
  PARTNER_CIRCUIT_OPEN: 'The provider\'s system is failing; it is not called for a short while',
  PARTNER_FAILED: 'The provider\'s system failed',
  PARTNER_RESPONSE_INVALID: 'The provider\'s answer does not follow the protocol',
  PARTNER_SCHEMA_VIOLATION: 'The provider\'s answer does not match the category schema; nothing of it is passed on'
}

/** The outcome of asking a partner under a permit: what is released, what is answered, what is recorded. */
export interface Exchanged {
  outcome: Exclude<Outcome, 'deny'>
  status: number
  data: Record<string, unknown> | null
  released: string[]
  reason: string | null
  error: PartnerErrorCode | null
  partnerStatus: number | null
  /** Seconds for Retry-After (PARTNER_BUSY). */
  retryAfterS: number | null
}

/** Carries out a permit: asks the provider and applies the obligations to its answer. */
export async function exchange (deps: ExchangeDeps, input: {
  requestId: string,
  trace: TraceContext,
  principal: Principal,
  partyType: string | null,
  caseId: string,
  provider: string,
  subject: string,
  category: string,
  purpose: string,
  necessity: string,
  decision: Decision
}): Promise<Exchanged> {
  const party = deps.register.active(input.provider)!
  const answer: PartnerAnswer = await deps.partners.call({
    provider: { oin: party.oin, baseUrl: party.baseUrl },
    requestId: input.requestId,
    trace: input.trace,
    body: {
      requestId: input.requestId,
      // A pseudonym per provider: partners cannot link their requests across providers by case.
      caseRef: deps.pseudonymise('case', input.caseId, input.provider),
      subject: input.subject,
      category: input.category,
      fields: [...input.decision.releaseFields],
      purpose: input.purpose,
      requester: { org: input.principal.org, partyType: input.partyType },
      necessity: input.necessity,
      legalBasis: input.decision.legalBasis
    }
  })
  const none = { data: null, released: [], reason: null, error: null, retryAfterS: null }
  switch (answer.kind) {
    case 'not-known':
      return { ...none, outcome: 'not-known', status: 404, partnerStatus: 404 }
    case 'refused':
      return { ...none, outcome: 'refused', status: 451, reason: answer.reason, partnerStatus: 451 }
    case 'error':
      return { ...none, outcome: 'error', status: answer.status, error: answer.error, partnerStatus: answer.partnerStatus, retryAfterS: answer.retryAfterS ?? null }
    case 'data': {
      const minimised = validateAndMinimise(input.category, answer.data, input.decision.releaseFields)
      if (!minimised.valid) {
        deps.log.warn({ requestId: input.requestId, provider: input.provider, category: input.category, schemaErrors: minimised.errors }, 'partner answer outside the category schema')
        return { ...none, outcome: 'error', status: 502, error: 'PARTNER_SCHEMA_VIOLATION', partnerStatus: 200 }
      }
      return { ...none, outcome: 'permit', status: 200, data: minimised.data, released: minimised.released, partnerStatus: 200 }
    }
  }
}

export function exchangeDetail (x: Exchanged): DecisionDetail {
  return {
    decision: 'permit',
    partnerStatus: x.partnerStatus,
    ...(x.reason !== null ? { providerReason: maskBsns(x.reason) } : {}),
    ...(x.error !== null ? { error: x.error } : {})
  }
}

/**
 * What a permit by an exception of the law adds to its audit event: the supervisor's flags and,
 * for rule 11's exception, the requester's statement of whom the request protects.
 */
export function exceptionDetail (decision: Decision, protectsOthers: { reason: string } | null | undefined): DecisionDetail {
  if (decision.recorded.length === 0) return {}
  return {
    flags: decision.recorded.map((code) => RECORDED_CODE_FLAGS[code]),
    ...(decision.recorded.includes('OBJECTION_PENDING_OVERRIDDEN') && protectsOthers ? { protectsOthers: { reason: protectsOthers.reason } } : {})
  }
}

/**
 * Writes the audit events; false when they could not be made durable (the caller answers 503).
 * `receivedAt` (performance.now() when the request arrived): each record's detail.durationMs is
 * the time from then to now, what the caller waited apart from the final send.
 */
export async function auditDurably (deps: ExchangeDeps, requestId: string, records: DecisionRecord[], receivedAt?: number): Promise<string[] | null> {
  try {
    const durationMs = receivedAt === undefined ? undefined : Math.max(0, Math.round(performance.now() - receivedAt))
    const events = records.map((r) => decisionEvent(durationMs === undefined ? r : { ...r, detail: { ...r.detail, durationMs } }))
    await (deps.audit ? deps.audit.record(events) : recordAudit(deps.pool, events))
    return events.map((e) => e.eventId)
  } catch (err) {
    deps.log.error({ requestId, err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'audit record not written; failing closed')
    return null
  }
}

/**
 * How an attempt without standing is recorded: not in the named case's trail (no caseId), the
 * named id kept for the supervisor, flagged. Its reasons are the decision's, every one of them.
 */
export function withoutStanding (caseId: string): Pick<DecisionRecord, 'caseId' | 'detail'> {
  return { caseId: null, detail: { decision: 'deny', flags: ['no-standing'], namedCaseId: caseId } }
}

export function auditUnavailable (requestId: string) {
  return problem(503, 'The audit record could not be written; nothing was released. Try again later.', { code: 'AUDIT_UNAVAILABLE', requestId, outcome: 'error' })
}

export async function handleDataRequest (deps: ExchangeDeps, input: DataRequestInput): Promise<DataRequestResult> {
  const timings: Timings = {}
  let mark = performance.now()
  const lap = (stage: string) => { const now = performance.now(); timings[stage] = now - mark; mark = now }
  // The audit record carries the total so far (detail.durationMs): from the request's arrival.
  const result = await dataRequest(deps, input, lap, Math.min(input.receivedAt ?? mark, mark))
  // Where the time went would tell a caller without standing how far its request got: not for it.
  if ('untimed' in result) return { status: result.status, problem: result.problem, timings: {} }
  return { ...result, timings } as DataRequestResult
}

type Answer = { status: 200, body: Permit } | { status: number, problem: Problem, headers?: Record<string, string>, untimed?: true }

async function dataRequest (deps: ExchangeDeps, input: DataRequestInput, lap: (stage: string) => void, receivedAt: number): Promise<Answer> {
  const { requestId, principal } = input
  const subjectRef = deps.pseudonymise('bsn', input.subject)
  const partyType = deps.register.partyType(principal.org)
  const record = (outcome: Outcome, rest: Partial<DecisionRecord>): DecisionRecord => ({
    type: 'data-request.decision',
    requestId,
    trace: input.trace,
    principal,
    partyType,
    caseId: input.caseId,
    subjectRef,
    provider: input.provider,
    category: input.category,
    purpose: input.purpose,
    fieldsRequested: input.fields,
    fieldsReleased: [],
    outcome,
    reasons: [],
    necessity: input.necessity,
    legalBasis: null,
    policyVersion: deps.policy.version,
    detail: {},
    ...rest
  })

  let caseState
  try {
    caseState = await deps.caseStates.get(input.caseId, input.trace)
    lap('ledger')
  } catch (err) {
    if (!(err instanceof CaseStateUnavailableError)) throw err
    lap('ledger')
    deps.log.error({ requestId, why: err.why }, 'consent ledger unavailable; failing closed')
    const ids = await auditDurably(deps, requestId, [record('error', { detail: { error: err.code, why: err.why } })], receivedAt)
    return { status: 503, problem: outcomeProblem(503, 'error', err.code, err.message, requestId, ids ? { auditEventId: ids[0] } : {}) }
  }

  const decision = decide({
    requester: principal,
    caseState,
    subjectRef,
    provider: input.provider,
    category: input.category,
    purpose: input.purpose,
    fields: input.fields,
    necessity: input.necessity,
    protectsOthers: input.protectsOthers ?? null
  }, deps.policy)
  const legalBasis = decision.legalBasis
  lap('decide')

  // No standing in the case (or no case): the answer of a case that does not exist, whatever the
  // case holds; every reason goes to the audit record only, flagged and outside the case's trail.
  if (standingIn(principal, caseState, deps.policy) === null) {
    const ids = await auditDurably(deps, requestId, [record('deny', { ...withoutStanding(input.caseId), reasons: decision.reasons, legalBasis })], receivedAt)
    lap('audit')
    if (ids === null) return { status: 503, problem: auditUnavailable(requestId) }
    return { status: 404, problem: noStandingProblem(requestId, ids[0]!), untimed: true }
  }

  if (decision.outcome === 'deny') {
    const ids = await auditDurably(deps, requestId, [record('deny', { reasons: decision.reasons, legalBasis, detail: { decision: 'deny' } })], receivedAt)
    lap('audit')
    if (ids === null) return { status: 503, problem: auditUnavailable(requestId) }
    return { status: 403, problem: denyProblem(requestId, decision.reasons, { auditEventId: ids[0] }) }
  }

  const x = await exchange(deps, { ...input, partyType, decision })
  lap('partner')
  // A permit by an exception (rule 11, GDPR art. 18(2)) is recorded with its code and the stated
  // reason, whatever the partner then answers, and flagged for the supervisor.
  const ids = await auditDurably(deps, requestId, [record(x.outcome, {
    fieldsReleased: x.released, legalBasis, reasons: decision.recorded, detail: { ...exchangeDetail(x), ...exceptionDetail(decision, input.protectsOthers) }
  })], receivedAt)
  lap('audit')
  if (ids === null) return { status: 503, problem: auditUnavailable(requestId) }
  const auditEventId = ids[0]!

  switch (x.outcome) {
    case 'permit':
      return { status: 200, body: { requestId, outcome: 'permit', data: x.data!, legalBasis, auditEventId } }
    case 'not-known':
      return { status: 404, problem: outcomeProblem(404, 'not-known', 'SUBJECT_NOT_KNOWN', 'The provider does not know this person', requestId, { auditEventId }) }
    case 'refused':
      return { status: 451, problem: outcomeProblem(451, 'refused', 'PROVIDER_REFUSED', 'The provider refused for weighty reasons', requestId, { reason: x.reason, auditEventId }) }
    default: {
      const problem = outcomeProblem(x.status, 'error', x.error!, PARTNER_ERROR_TEXT[x.error!], requestId, { auditEventId })
      // PARTNER_BUSY: audited like every partner outcome above, then answered with when to retry.
      return x.retryAfterS === null ? { status: x.status, problem } : { status: x.status, problem, headers: { 'retry-after': String(x.retryAfterS) } }
    }
  }
}
