import type { CaseState } from '@wams/schemas'
import { actsForMunicipality, isCoordinator, isParticipant } from './case-relations.ts'
import type { Requester } from './context.ts'
import type { Policy } from './policy.ts'

// Who may learn why a request about a case was denied (SPEC section 6): only a caller with
// standing in the case. Everyone else gets the answer of a case that does not exist, whatever
// the case holds, so that the reasons cannot be used as an oracle (does the case exist, is this
// person in it, has this person objected). The audit record keeps every reason either way.

/** The ways a caller can stand in a case, in the order the SPEC names them. */
export type Standing = 'municipality' | 'coordinator' | 'participant' | 'supervisor'

const STANDINGS: ReadonlyArray<{ standing: Standing, holds: (requester: Requester, caseState: CaseState, policy: Policy) => boolean }> = [
  { standing: 'municipality', holds: (requester, caseState, policy) => actsForMunicipality(requester, caseState, policy) },
  { standing: 'coordinator', holds: (requester, caseState) => isCoordinator(requester, caseState) },
  { standing: 'participant', holds: (requester, caseState) => isParticipant(requester.org, caseState) },
  {
    standing: 'supervisor',
    holds: (requester, _caseState, policy) => requester.roles.includes('supervisor') &&
      policy.capabilities.grants(policy.register.partyType(requester.org), 'supervises'),
  },
]

/**
 * How the requester stands in the case; null when it has none. No case: nobody has standing. A
 * party that is not active in the register has none either: it is told nothing about any case.
 */
export function standingIn (requester: Requester, caseState: CaseState | null, policy: Policy): Standing | null {
  if (caseState === null) return null
  if (policy.register.active(requester.org) === undefined) return null
  for (const { standing, holds } of STANDINGS) if (holds(requester, caseState, policy)) return standing
  return null
}
