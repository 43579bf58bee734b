// Who may do what with a case, as a table of data. A caller's relations to a case follow from the
// verified token, the register and the case itself; an action is allowed when one of the caller's
// relations is listed for it. Someone with no relation to a case does not learn that it exists
// (404); someone who knows the case but may not do this gets 403.
import type { Principal, PartyRegisterIndex } from '@wams/platform'
import type { LedgerCaseState } from './case-state.ts'

export type Relation =
  | 'college' // role college of the active party (a type that may own cases: gemeente) that owns the case
  | 'coordinator' // the person the case names: token org and sub equal case.coordinator
  | 'participant' // the token's org is an active party participating in the case
  | 'supervisor' // role supervisor of a party type that supervises (the toezichthouder, the AP)
  | 'gateway' // the gateway's system role, for decision-state reads and case-state leases

export type Action = 'open' | 'write' | 'read' | 'readLedger' | 'verify' | 'readDecisionState' | 'holdLease'

export const PERMISSIONS: Readonly<Record<Action, readonly Relation[]>> = {
  open: ['college'],
  write: ['college', 'coordinator'],
  read: ['college', 'coordinator', 'supervisor', 'participant'],
  readLedger: ['college', 'coordinator', 'supervisor'],
  verify: ['college', 'coordinator', 'supervisor'],
  readDecisionState: ['gateway', 'supervisor'],
  holdLease: ['gateway']
}

/** Which view of GET /v1/cases/{caseId} a relation gets, best first. BSNs only for the owning municipality. */
export const VIEWS: ReadonlyArray<{ relation: Relation, view: 'full', withBsn: boolean } | { relation: Relation, view: 'participant', withBsn: false }> = [
  { relation: 'college', view: 'full', withBsn: true },
  { relation: 'coordinator', view: 'full', withBsn: true },
  { relation: 'supervisor', view: 'full', withBsn: false },
  { relation: 'participant', view: 'participant', withBsn: false }
]

/** Relations that hold whatever the case: the supervisor and the gateway know every case. */
export function standingRelations (principal: Principal, register: PartyRegisterIndex): Set<Relation> {
  const out = new Set<Relation>()
  if (principal.roles.includes('supervisor') && register.can(principal.org, 'supervises')) out.add('supervisor')
  if (principal.roles.includes('gateway')) out.add('gateway')
  return out
}

/**
 * The college of an active party whose type may own cases (the capability table: the gemeente):
 * the only one who opens a case, for its own municipality.
 */
export function isCollegeOfGemeente (principal: Principal, register: PartyRegisterIndex): boolean {
  return principal.roles.includes('college') && register.can(principal.org, 'mayOwnCases')
}

export function relationsTo (principal: Principal, state: LedgerCaseState, register: PartyRegisterIndex): Set<Relation> {
  const out = standingRelations(principal, register)
  if (isCollegeOfGemeente(principal, register) && principal.org === state.municipality) out.add('college')
  if (principal.org === state.coordinator.org && principal.sub === state.coordinator.sub) out.add('coordinator')
  if (register.isActive(principal.org) && state.participants.some((p) => p.org === principal.org)) out.add('participant')
  return out
}

/**
 * Who may ask in which cases a person is a subject (POST /v1/subjects/cases), and over which
 * cases — a question across cases, so not a relation to one case: the supervisor over every case;
 * the college or a coordinator of an active party whose type may own cases (the gemeente) over the
 * cases its own municipality owns. Anyone else may not ask (403). The audit service asks it with
 * the caller's own token before it gives a municipality a person's inzage report.
 */
export const SUBJECT_CASES: ReadonlyArray<{ who: string, applies: (principal: Principal, register: PartyRegisterIndex) => boolean, cases: 'all' | 'own-municipality' }> = [
  { who: 'the supervisor', applies: (p, register) => standingRelations(p, register).has('supervisor'), cases: 'all' },
  {
    who: 'the college or a coordinator of a party type that may own cases (the gemeente)',
    applies: (p, register) => register.can(p.org, 'mayOwnCases') && p.roles.some((r) => r === 'college' || r === 'coordinator'),
    cases: 'own-municipality'
  }
]

/** The cases the caller may ask about: all, those of one municipality, or none (null: may not ask). */
export function subjectCasesScope (principal: Principal, register: PartyRegisterIndex): { municipality: string | null } | null {
  const rule = SUBJECT_CASES.find((r) => r.applies(principal, register))
  if (rule === undefined) return null
  return { municipality: rule.cases === 'all' ? null : principal.org }
}

export function may (action: Action, relations: ReadonlySet<Relation>): boolean {
  return PERMISSIONS[action].some((r) => relations.has(r))
}

export function viewOf (relations: ReadonlySet<Relation>): { view: 'full' | 'participant', withBsn: boolean } | null {
  return VIEWS.find((v) => relations.has(v.relation)) ?? null
}
