// The check op bekendheid (SPEC §6): in the investigation, which parties know this person? Every
// active party that supplies `involvement` (except the requester itself) gets its own decision for
// purpose onderzoek; the permitted ones are asked in parallel, each with its own request id and
// token, through that partner's bulkhead and breaker and under its own deadline (partner-client.ts),
// so the check takes about as long as the slowest partner and never longer than the deadline; a
// party whose bulkhead is full is a PARTNER_BUSY result. Each party's answer is its own audit
// event; all of them are committed (one insert) before the results leave.
import { randomUUID } from 'node:crypto'
import type { Principal, TraceContext } from '@wams/platform'
import { categoryTable } from '@wams/schemas'
import { decide } from './decision/index.ts'
import { CaseStateUnavailableError } from './case-state-client.ts'
import { auditDurably, auditUnavailable, exchange, exchangeDetail, type ExchangeDeps } from './data-request.ts'
import type { DecisionRecord } from './decision-audit.ts'
import { outcomeProblem, type Outcome } from './outcomes.ts'
import type { Problem } from '@wams/platform'

export const INVOLVEMENT_CATEGORY = 'involvement'
export const INVOLVEMENT_PURPOSE = 'onderzoek'
/** The check asks every field of the category: all are signal-level (known, since, contactPerson). */
export const INVOLVEMENT_FIELDS: readonly string[] = [...categoryTable.involvement.signal]

export interface InvolvementResult {
  provider: string
  name: string
  requestId: string
  outcome: Outcome
  data: Record<string, unknown> | null
  reasons: string[]
  reason?: string
  error?: string
  auditEventId: string
}

export type InvolvementCheckResult =
  | { status: 200, body: { requestId: string, results: InvolvementResult[] } }
  | { status: number, problem: Problem }

export async function handleInvolvementCheck (deps: ExchangeDeps, input: {
  requestId: string, trace: TraceContext, principal: Principal, caseId: string, subject: string, necessity: string
}): Promise<InvolvementCheckResult> {
  const { principal, requestId } = input
  const subjectRef = deps.pseudonymise('bsn', input.subject)
  const partyType = deps.register.partyType(principal.org)
  const base = {
    type: 'involvement-check.decision' as const, trace: input.trace, principal, partyType, caseId: input.caseId, subjectRef,
    category: INVOLVEMENT_CATEGORY, purpose: INVOLVEMENT_PURPOSE, fieldsRequested: INVOLVEMENT_FIELDS,
    necessity: input.necessity, policyVersion: deps.policy.version
  }

  let caseState
  try {
    caseState = await deps.caseStates.get(input.caseId, input.trace)
  } catch (err) {
    if (!(err instanceof CaseStateUnavailableError)) throw err
    deps.log.error({ requestId, why: err.why }, 'consent ledger unavailable; failing closed')
    // One record of the failed check: no party was judged, so there is no provider.
    const failed = { ...base, requestId, provider: null, fieldsReleased: [], outcome: 'error' as const, reasons: [], legalBasis: null, detail: { error: err.code, why: err.why } }
    await auditDurably(deps, requestId, [failed])
    return { status: 503, problem: outcomeProblem(503, 'error', err.code, err.message, requestId) }
  }

  const candidates = deps.register.parties.filter((p) =>
    p.active && p.oin !== principal.org && deps.register.supplies(p.oin, INVOLVEMENT_CATEGORY))

  const settled = await Promise.all(candidates.map(async (party) => {
    const partyRequestId = randomUUID()
    const decision = decide({
      requester: principal, caseState, subjectRef, provider: party.oin, category: INVOLVEMENT_CATEGORY,
      purpose: INVOLVEMENT_PURPOSE, fields: INVOLVEMENT_FIELDS, necessity: input.necessity
    }, deps.policy)
    const common = { ...base, requestId: partyRequestId, provider: party.oin, legalBasis: decision.legalBasis }
    if (decision.outcome === 'deny') {
      const record: DecisionRecord = { ...common, fieldsReleased: [], outcome: 'deny', reasons: decision.reasons, detail: { decision: 'deny', checkRequestId: requestId } }
      return { party, partyRequestId, record, data: null, reason: null, error: null }
    }
    const x = await exchange(deps, {
      requestId: partyRequestId, trace: input.trace, principal, partyType, caseId: input.caseId, provider: party.oin,
      subject: input.subject, category: INVOLVEMENT_CATEGORY, purpose: INVOLVEMENT_PURPOSE, necessity: input.necessity, decision
    })
    const record: DecisionRecord = { ...common, fieldsReleased: x.released, outcome: x.outcome, reasons: [], detail: { ...exchangeDetail(x), checkRequestId: requestId } }
    return { party, partyRequestId, record, data: x.data, reason: x.reason, error: x.error }
  }))

  const ids = await auditDurably(deps, requestId, settled.map((s) => s.record))
  if (ids === null) return { status: 503, problem: auditUnavailable(requestId) }

  const results = settled.map((s, i): InvolvementResult => ({
    provider: s.party.oin,
    name: s.party.name,
    requestId: s.partyRequestId,
    outcome: s.record.outcome,
    data: s.data,
    reasons: [...s.record.reasons],
    ...(s.reason !== null ? { reason: s.reason } : {}),
    ...(s.error !== null ? { error: s.error } : {}),
    auditEventId: ids[i]!
  }))
  return { status: 200, body: { requestId, results } }
}
