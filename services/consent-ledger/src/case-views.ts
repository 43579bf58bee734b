// What each reader sees of a case. The projection holds everything; a view holds only what its
// reader needs: the gateway gets the decision facts (schemas/case-state.schema.json, no BSNs, no
// words about the person), a participant gets a reduced view, the owning municipality the full
// state with BSNs, and the supervisor the full state with pseudonyms instead of BSNs.
import type { CaseState } from '@wams/schemas'
import { maskBsns } from '@wams/platform'
import type { LedgerCaseState } from './case-state.ts'

/** Stands in for a necessity statement that the retention purge removed (the contract needs a string). */
export const PURGED_TEXT = '[purged]'

/** The facts the gateway decides on (SPEC section 5), exactly the case-state contract. */
export function decisionState (s: LedgerCaseState): CaseState {
  return {
    caseId: s.caseId,
    version: s.version,
    route: s.route,
    phase: s.phase,
    municipality: s.municipality,
    coordinator: { org: s.coordinator.org, sub: s.coordinator.sub },
    subjects: s.subjects.map((x) => ({ subjectRef: x.subjectRef, role: x.role })),
    problems: s.problems.map((p) => ({ domain: p.domain })),
    seriousGrounds: [...s.seriousGrounds],
    clientInformed: s.clientInformed,
    scope: s.scope && { domains: [...s.scope.domains], parties: [...s.scope.parties], withdrawn: s.scope.withdrawn, recordedAt: s.scope.recordedAt },
    participants: s.participants.map((p) => ({ org: p.org, necessity: p.necessity ?? PURGED_TEXT, addedAt: p.addedAt })),
    objections: s.objections.map((o) => ({ objectionId: o.objectionId, subjectRef: o.subjectRef, status: o.status })),
    openedAt: s.openedAt,
    closedAt: s.closedAt
  }
}

export type ViewKind = 'full' | 'participant'

export interface CaseView {
  view: ViewKind
  caseId: string
  version: number
  route: string
  phase: string
  municipality: string
  coordinator: { org: string, sub: string }
  subjects: Array<{ subjectRef: string, role: string, bsn?: string | null }>
  problems: Array<{ domain: string, description?: string | null }>
  relatedness?: string | null
  seriousGrounds: string[]
  clientInformed: boolean
  notInformedReason?: string | null
  scope: null | { domains: string[], parties: string[], withdrawn: boolean, recordedAt: string, statement?: string | null, recordedBy?: { org: string, sub: string } }
  participants: Array<{ org: string, addedAt: string, necessity?: string | null, addedBy?: { org: string, sub: string } }>
  objections: Array<{ objectionId: string, subjectRef: string, status: string, lodgedAt: string, decidedAt: string | null, reason?: string | null, decisionReason?: string | null }>
  openedAt: string
  closedAt: string | null
  closeReason?: string | null
  purgedAt: string | null
}

/**
 * Everything, for the owning municipality (with BSNs) and the supervisor (pseudonyms only; in
 * the free texts, a nine-digit run someone typed is masked: the supervisor never sees a BSN).
 */
export function fullView (s: LedgerCaseState, options: { withBsn: boolean }): CaseView {
  const view = everything(s, options.withBsn)
  return options.withBsn ? view : maskedTexts(view)
}

const mask = <T extends string | null | undefined>(text: T): T => (typeof text === 'string' ? maskBsns(text) : text) as T

/** The view with every free text masked (maskBsns); ids, codes and times as they are. */
function maskedTexts (v: CaseView): CaseView {
  return {
    ...v,
    problems: v.problems.map((p) => ({ ...p, description: mask(p.description) })),
    relatedness: mask(v.relatedness),
    notInformedReason: mask(v.notInformedReason),
    scope: v.scope && { ...v.scope, statement: mask(v.scope.statement) },
    participants: v.participants.map((p) => ({ ...p, necessity: mask(p.necessity) })),
    objections: v.objections.map((o) => ({ ...o, reason: mask(o.reason), decisionReason: mask(o.decisionReason) })),
    closeReason: mask(v.closeReason)
  }
}

function everything (s: LedgerCaseState, withBsn: boolean): CaseView {
  return {
    view: 'full',
    caseId: s.caseId,
    version: s.version,
    route: s.route,
    phase: s.phase,
    municipality: s.municipality,
    coordinator: { ...s.coordinator },
    subjects: s.subjects.map((x) => withBsn ? { subjectRef: x.subjectRef, role: x.role, bsn: x.bsn } : { subjectRef: x.subjectRef, role: x.role }),
    problems: s.problems.map((p) => ({ domain: p.domain, description: p.description })),
    relatedness: s.relatedness,
    seriousGrounds: [...s.seriousGrounds],
    clientInformed: s.clientInformed,
    notInformedReason: s.notInformedReason,
    scope: s.scope && { ...s.scope, recordedBy: { ...s.scope.recordedBy } },
    participants: s.participants.map((p) => ({ org: p.org, addedAt: p.addedAt, necessity: p.necessity, addedBy: { ...p.addedBy } })),
    objections: s.objections.map((o) => ({ ...o })),
    openedAt: s.openedAt,
    closedAt: s.closedAt,
    closeReason: s.closeReason,
    purgedAt: s.purgedAt
  }
}

/** What a participant needs to take part: no BSNs, no words about the person's problems or objections. */
export function participantView (s: LedgerCaseState): CaseView {
  return {
    view: 'participant',
    caseId: s.caseId,
    version: s.version,
    route: s.route,
    phase: s.phase,
    municipality: s.municipality,
    coordinator: { ...s.coordinator },
    subjects: s.subjects.map((x) => ({ subjectRef: x.subjectRef, role: x.role })),
    problems: s.problems.map((p) => ({ domain: p.domain })),
    seriousGrounds: [...s.seriousGrounds],
    clientInformed: s.clientInformed,
    scope: s.scope && { domains: [...s.scope.domains], parties: [...s.scope.parties], withdrawn: s.scope.withdrawn, recordedAt: s.scope.recordedAt },
    participants: s.participants.map((p) => ({ org: p.org, addedAt: p.addedAt })),
    objections: s.objections.map((o) => ({ objectionId: o.objectionId, subjectRef: o.subjectRef, status: o.status, lodgedAt: o.lodgedAt, decidedAt: o.decidedAt })),
    openedAt: s.openedAt,
    closedAt: s.closedAt,
    purgedAt: s.purgedAt
  }
}
