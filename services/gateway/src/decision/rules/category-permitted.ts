import type { CaseState } from '@wams/schemas'
import { PASS, failsWith } from '../reason-codes.ts'
import type { Policy } from '../policy.ts'
import type { Rule } from '../rule.ts'

const BOTH = Object.freeze(['CATEGORY_NOT_PERMITTED', 'ROLE_NOT_PERMITTED'] as const)

function criminalDataAllowed (caseState: CaseState, policy: Policy): boolean {
  if (caseState.route !== policy.data.criminalDataRoute) return false
  for (const ground of caseState.seriousGrounds) if (policy.criminalDataGrounds.has(ground)) return true
  return false
}

// The party-type part is an allow-list (the capability table): a requester's party type receives
// special data only when granted mayReceiveSpecial, criminal data only when granted
// mayReceiveCriminal, and personal data at all only when it may own or take part in cases.
export const categoryPermitted: Rule = {
  id: 9,
  name: 'special (art. 9) data only to requester party types the capability table grants mayReceiveSpecial, criminal (art. 10) data only to those it grants mayReceiveCriminal; criminal data only in route ernstig with ground overlast or veiligheid; a party type that may neither own nor take part in cases receives no personal data',
  reasonCodes: BOTH,
  evaluate ({ requester, caseState, category }, policy) {
    // The party-type parts need no case; the route part does. An OIN missing from the register is
    // rule 1's finding; listed parties (active or not) are judged by their party type.
    const partyType = policy.register.byOin.get(requester.org)?.partyType
    const capabilities = partyType === undefined ? undefined : policy.capabilities.of(partyType)
    const noPersonalData = capabilities !== undefined && !capabilities.mayOwnCases && !capabilities.mayParticipate
    const data = policy.categories.get(category)
    let notPermitted = false
    if (data !== undefined) {
      if (capabilities !== undefined) {
        if (data.info.sensitivity === 'special' && !capabilities.mayReceiveSpecial) notPermitted = true
        if (data.criminal && !capabilities.mayReceiveCriminal) notPermitted = true
      }
      if (data.criminal && caseState !== null && !criminalDataAllowed(caseState, policy)) notPermitted = true
    }
    if (notPermitted) return noPersonalData ? BOTH : failsWith('CATEGORY_NOT_PERMITTED')
    return noPersonalData ? failsWith('ROLE_NOT_PERMITTED') : PASS
  },
}
