import type { CaseState } from '@wams/schemas'
import type { Requester } from './context.ts'
import type { Policy } from './policy.ts'

// How the requester stands to the case (SPEC section 5). Plain loops: a case has a handful
// of participants, and a decision must not allocate.

/** The person the case names: the token's org and sub equal the case's coordinator. */
export function isCoordinator (requester: Requester, caseState: CaseState): boolean {
  return requester.org === caseState.coordinator.org && requester.sub === caseState.coordinator.sub
}

/** A token whose org is a participant of the case. */
export function isParticipant (org: string, caseState: CaseState): boolean {
  for (const participant of caseState.participants) if (participant.org === org) return true
  return false
}

/** The case's municipality acting through one of its municipal roles (college, coordinator). */
export function actsForMunicipality (requester: Requester, caseState: CaseState, policy: Policy): boolean {
  if (requester.org !== caseState.municipality) return false
  for (const role of requester.roles) if (policy.municipalityRoles.has(role)) return true
  return false
}

/** The case's municipality acting through one of `roles` (rule 11's exception: the college). */
export function actsForMunicipalityAs (requester: Requester, caseState: CaseState, roles: readonly string[]): boolean {
  if (requester.org !== caseState.municipality) return false
  for (const role of requester.roles) if (roles.includes(role)) return true
  return false
}
