// The audit event of one decision (SPEC §6 Audit). Written with recordAudit before the answer
// leaves: the commit of the outbox row is what makes it durable, and the outbox relay ships it to
// Kafka. Holds pseudonyms only: the subject as subjectRef, never the BSN.
import { buildAuditEvent, sanitizeText, type AuditEvent, type Principal, type TraceContext } from '@wams/platform'
import type { Outcome } from './outcomes.ts'

export interface DecisionRecord {
  type: 'data-request.decision' | 'involvement-check.decision'
  requestId: string
  trace: TraceContext
  principal: Principal
  partyType: string | null
  caseId: string
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
  detail: Record<string, unknown>
}

// A nine-digit run in free text (a necessity statement, a provider's reason) may be a BSN that
// someone typed; the audit log must never hold one, so it is masked in the recorded copy.
const BSN_IN_TEXT = /(?<![0-9])[0-9]{9}(?![0-9])/g
export const maskBsns = (text: string): string => text.replace(BSN_IN_TEXT, '[bsn]')

const MAX_NECESSITY = 4000
const MAX_DETAIL_TEXT = 1000

// Text in the detail comes from elsewhere (a provider's reason): BSN-like runs are masked and it is
// made to fit the text policy of the audit event contract (forbidden characters become U+FFFD),
// so a partner's odd answer cannot make its own refusal unauditable.
const fitDetail = (detail: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(detail).map(([k, v]) => [k, typeof v === 'string' ? sanitizeText(maskBsns(v), MAX_DETAIL_TEXT) : v]))

export function decisionEvent (r: DecisionRecord): AuditEvent {
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
  }, r.trace)
}
