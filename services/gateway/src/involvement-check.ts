// The check op bekendheid (SPEC §6): in the investigation, which parties know this person? Minimal
// and targeted: only the parties whose party type works in one of the case's problem domains (the
// domain → party-type table, schemas/domain-party-types.json, part of the policy version), or,
// when the requester names `parties`, only those. Each gets its own decision for purpose
// onderzoek — the rules still apply to every one of them — and the permitted ones are asked in
// parallel, each with its own request id and token, through that partner's bulkhead and breaker
// and under its own deadline (partner-client.ts), so the check takes about as long as the slowest
// partner and never longer than the deadline; a party whose bulkhead is full is a PARTNER_BUSY
// result. Only `known` and `contactPerson` are asked, and each answer is reduced to
// { provider, outcome, known, contactPerson? }: nothing else the partner sends (not `since`, not a
// refusal's wording) passes. Each party's answer is its own audit event; all of them are committed
// (one insert) before the results leave.
import { randomUUID } from 'node:crypto'
import type { Principal, TraceContext } from '@wams/platform'
import type { CaseState } from '@wams/schemas'
import { decide, standingIn, type Policy } from './decision/index.ts'
import { CaseStateUnavailableError } from './case-state-client.ts'
import { auditDurably, auditUnavailable, exchange, exchangeDetail, withoutStanding, type ExchangeDeps } from './data-request.ts'
import type { DecisionRecord } from './decision-audit.ts'
import { noStandingProblem, outcomeProblem, type Outcome } from './outcomes.ts'
import type { Problem } from '@wams/platform'

export const INVOLVEMENT_CATEGORY = 'involvement'
export const INVOLVEMENT_PURPOSE = 'onderzoek'
/** Known or not, and whom to contact: the minimum (not `since`); anything more is a separate, purpose-bound data request. */
export const INVOLVEMENT_FIELDS: readonly string[] = ['known', 'contactPerson']
/** Reasons about a provider: meaningless in the record of a check that judged no provider. */
const PROVIDER_REASONS: ReadonlySet<string> = new Set(['PROVIDER_NOT_REGISTERED', 'PROVIDER_NOT_PARTICIPANT', 'CATEGORY_NOT_SUPPLIED', 'OUTSIDE_CLIENT_SCOPE'])

export interface InvolvementResult {
  provider: string
  outcome: Outcome
  /** true or false when the party answered (permit, not-known); null when it was not asked or gave no answer. */
  known: boolean | null
  /** Whom to contact, only when the party knows the person and named someone. */
  contactPerson?: Record<string, unknown>
  /** The id of this party's request (the partner and the audit event know it). */
  requestId: string
  /** Reason codes when the decision for this party was deny. */
  reasons: string[]
  /** Why the party gave no answer (outcome error). */
  error?: string
  auditEventId: string
}

export type InvolvementCheckResult =
  | { status: 200, body: { requestId: string, results: InvolvementResult[] } }
  | { status: number, problem: Problem }

/**
 * The parties to ask, in register order: the named ones (each once, registered or not, so that
 * the rules can refuse what may not be asked), else the active parties whose party type the
 * domain table lists for a domain of the case's problems, leaving out the requester itself. No
 * case: nobody is targeted by domain (the named parties are still decided, and denied).
 */
export function involvementTargets (policy: Policy, caseState: CaseState | null, requesterOrg: string, named: readonly string[] | undefined): string[] {
  if (named !== undefined) return [...new Set(named)]
  if (caseState === null) return []
  const partyTypes = new Set<string>()
  for (const problem of caseState.problems) for (const partyType of policy.data.domainPartyTypes[problem.domain] ?? []) partyTypes.add(partyType)
  return policy.register.parties
    .filter((p) => p.active && p.oin !== requesterOrg && partyTypes.has(p.partyType))
    .map((p) => p.oin)
}

/** The minimum of an answer: known or not, and whom to contact when known. */
function reduce (outcome: Outcome, data: Record<string, unknown> | null): Pick<InvolvementResult, 'known' | 'contactPerson'> {
  if (outcome === 'not-known') return { known: false }
  if (outcome !== 'permit' || data === null) return { known: null }
  const known = typeof data.known === 'boolean' ? data.known : null
  const contact = data.contactPerson
  return known === true && contact !== null && typeof contact === 'object' && !Array.isArray(contact)
    ? { known, contactPerson: contact as Record<string, unknown> }
    : { known }
}

/** `receivedAt`: when the gateway received the request (performance.now()); the records' detail.durationMs counts from here. Default: now. */
export async function handleInvolvementCheck (deps: ExchangeDeps, input: {
  requestId: string, trace: TraceContext, principal: Principal, caseId: string, subject: string, necessity: string, parties?: string[], receivedAt?: number
}): Promise<InvolvementCheckResult> {
  const { principal, requestId } = input
  const receivedAt = Math.min(input.receivedAt ?? performance.now(), performance.now())
  const subjectRef = deps.pseudonymise('bsn', input.subject)
  const partyType = deps.register.partyType(principal.org)
  const base = {
    type: 'involvement-check.decision' as const,
    trace: input.trace,
    principal,
    partyType,
    caseId: input.caseId,
    subjectRef,
    category: INVOLVEMENT_CATEGORY,
    purpose: INVOLVEMENT_PURPOSE,
    fieldsRequested: INVOLVEMENT_FIELDS,
    necessity: input.necessity,
    policyVersion: deps.policy.version
  }

  let caseState
  try {
    caseState = await deps.caseStates.get(input.caseId, input.trace)
  } catch (err) {
    if (!(err instanceof CaseStateUnavailableError)) throw err
    deps.log.error({ requestId, why: err.why }, 'consent ledger unavailable; failing closed')
    // One record of the failed check: no party was judged, so there is no provider.
    const failed: DecisionRecord = { ...base, requestId, provider: null, fieldsReleased: [], outcome: 'error', reasons: [], legalBasis: null, detail: { error: err.code, why: err.why } }
    await auditDurably(deps, requestId, [failed], receivedAt)
    return { status: 503, problem: outcomeProblem(503, 'error', err.code, err.message, requestId) }
  }

  const targets = involvementTargets(deps.policy, caseState, principal.org, input.parties)

  // No standing in the case (or no case): nobody is asked, and the answer is that of a case that
  // does not exist. The records keep each party's full decision, flagged, outside the case's trail
  // (one record without a provider when there was no party to judge).
  if (standingIn(principal, caseState, deps.policy) === null) {
    const judged = (targets.length > 0 ? targets : [null]).map((provider): DecisionRecord => {
      const decision = decide({
        requester: principal,
        caseState,
        subjectRef,
        provider: provider ?? '',
        category: INVOLVEMENT_CATEGORY,
        purpose: INVOLVEMENT_PURPOSE,
        fields: INVOLVEMENT_FIELDS,
        necessity: input.necessity
      }, deps.policy)
      const { caseId, detail } = withoutStanding(input.caseId)
      return {
        ...base,
        requestId: provider === null ? requestId : randomUUID(),
        provider,
        caseId,
        legalBasis: decision.legalBasis,
        fieldsReleased: [],
        outcome: 'deny',
        reasons: provider === null ? decision.reasons.filter((r) => !PROVIDER_REASONS.has(r)) : decision.reasons,
        detail: { ...detail, checkRequestId: requestId }
      }
    })
    const ids = await auditDurably(deps, requestId, judged, receivedAt)
    if (ids === null) return { status: 503, problem: auditUnavailable(requestId) }
    return { status: 404, problem: noStandingProblem(requestId, ids[0]!) }
  }

  const settled = await Promise.all(targets.map(async (provider) => {
    const partyRequestId = randomUUID()
    const decision = decide({
      requester: principal,
      caseState,
      subjectRef,
      provider,
      category: INVOLVEMENT_CATEGORY,
      purpose: INVOLVEMENT_PURPOSE,
      fields: INVOLVEMENT_FIELDS,
      necessity: input.necessity
    }, deps.policy)
    const common = { ...base, requestId: partyRequestId, provider, legalBasis: decision.legalBasis }
    if (decision.outcome === 'deny') {
      const record: DecisionRecord = { ...common, fieldsReleased: [], outcome: 'deny', reasons: decision.reasons, detail: { decision: 'deny', checkRequestId: requestId } }
      return { provider, partyRequestId, record, answer: reduce('deny', null), error: null }
    }
    const x = await exchange(deps, {
      requestId: partyRequestId,
      trace: input.trace,
      principal,
      partyType,
      caseId: input.caseId,
      provider,
      subject: input.subject,
      category: INVOLVEMENT_CATEGORY,
      purpose: INVOLVEMENT_PURPOSE,
      necessity: input.necessity,
      decision
    })
    // The audit names exactly what passes: the reduced answer, not everything the partner sent.
    const answer = reduce(x.outcome, x.data)
    const released = x.released.filter((f) => (f === 'known' && answer.known !== null) || (f === 'contactPerson' && answer.contactPerson !== undefined))
    const record: DecisionRecord = { ...common, fieldsReleased: released, outcome: x.outcome, reasons: [], detail: { ...exchangeDetail(x), checkRequestId: requestId } }
    return { provider, partyRequestId, record, answer, error: x.error }
  }))

  const ids = await auditDurably(deps, requestId, settled.map((s) => s.record), receivedAt)
  if (ids === null) return { status: 503, problem: auditUnavailable(requestId) }

  const results = settled.map((s, i): InvolvementResult => ({
    provider: s.provider,
    outcome: s.record.outcome,
    ...s.answer,
    requestId: s.partyRequestId,
    reasons: [...s.record.reasons],
    ...(s.error !== null ? { error: s.error } : {}),
    auditEventId: ids[i]!
  }))
  return { status: 200, body: { requestId, results } }
}
