// The audit event of one decision (SPEC §6 Audit). Written with recordAudit before the answer
// leaves: the commit of the outbox row is what makes it durable, and the outbox relay ships it to
// Kafka. Holds pseudonyms only: the subject as subjectRef, never the BSN.
//
// decisionEvent is the ONE builder of decision events: the gateway writes its events with it, and
// the audit tests build theirs with it too, so the report and the queries are tested against the
// fields the gateway really writes (detail.providerReason, detail.flags, ...), typed by the
// contract's DecisionDetail.
import { buildAuditEvent, maskBsns, sanitizeText, type AuditEvent, type Principal, type TraceContext } from '@wams/platform'
import type { DecisionDetail } from '@wams/schemas'
import type { Outcome } from './outcomes.ts'

export interface DecisionRecord {
  type: 'data-request.decision' | 'involvement-check.decision'
  requestId: string
  trace: TraceContext
  principal: Principal
  partyType: string | null
  /** null for an attempt without standing (detail.namedCaseId holds the id it named). */
  caseId: string | null
  subjectRef: string
  /** null only for a check that judged no party (the ledger was unavailable). */
  provider: string | null
  category: string
  purpose: string
  fieldsRequested: readonly string[]
  fieldsReleased: readonly string[]
  outcome: Outcome
  reasons: readonly string[]
  necessity: string
  legalBasis: string | null
  policyVersion: string
  detail: DecisionDetail
}

export type { DecisionDetail }

// A nine-digit run in free text (a necessity statement, a provider's reason) may be a BSN that
// someone typed; the audit log must never hold one, so it is masked in the recorded copy (maskBsns).

const MAX_NECESSITY = 4000
const MAX_DETAIL_TEXT = 1000

// Text in the detail comes from elsewhere (a provider's reason, a requester's protectsOthers
// statement): BSN-like runs are masked and it is made to fit the text policy of the audit event
// contract (forbidden characters become U+FFFD), so a partner's odd answer cannot make its own
// refusal unauditable.
const MAX_PROTECTS_OTHERS = 2000
const fit = (text: string, max: number): string => sanitizeText(maskBsns(text), max)
function fitDetail (d: DecisionDetail): DecisionDetail {
  return {
    ...d,
    ...(d.providerReason !== undefined ? { providerReason: fit(d.providerReason, MAX_DETAIL_TEXT) } : {}),
    ...(d.why !== undefined ? { why: fit(d.why, 200) } : {}),
    ...(d.protectsOthers !== undefined ? { protectsOthers: { reason: fit(d.protectsOthers.reason, MAX_PROTECTS_OTHERS) } } : {})
  }
}

/** `now`: the event's time (tests of time filters set it; the gateway uses the clock). */
export function decisionEvent (r: DecisionRecord, now?: Date): AuditEvent {
  return buildAuditEvent({
    type: r.type,
    source: 'gateway',
    transactionId: r.requestId,
    actor: { org: r.principal.org, sub: r.principal.sub, roles: [...r.principal.roles], partyType: r.partyType },
    // Logboek Dataverwerkingen: the processing activity, versioned by the policy it was judged on.
    processingActivity: { id: `wams.data-request.${r.purpose}`, version: r.policyVersion.slice(0, 12) },
    legalBasis: r.legalBasis === '' ? null : r.legalBasis,
    caseId: r.caseId,
    subjectRef: r.subjectRef,
    provider: r.provider,
    category: r.category,
    purpose: r.purpose as AuditEvent['purpose'],
    fieldsRequested: [...r.fieldsRequested],
    fieldsReleased: [...r.fieldsReleased],
    outcome: r.outcome,
    reasons: [...r.reasons],
    necessity: sanitizeText(maskBsns(r.necessity), MAX_NECESSITY),
    policyVersion: r.policyVersion,
    detail: fitDetail(r.detail)
  }, r.trace, now)
}
