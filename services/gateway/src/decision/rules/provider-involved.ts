import { isParticipant } from '../case-relations.ts'
import { PASS, failsWith } from '../reason-codes.ts'
import type { Rule } from '../rule.ts'

export const providerInvolved: Rule = {
  id: 6,
  name: 'the provider is involved: for onderzoek any registered party; otherwise a participant of the case',
  reasonCodes: ['PROVIDER_NOT_PARTICIPANT'],
  evaluate ({ caseState, provider, purpose }, policy) {
    if (caseState === null) return PASS
    // The college may ask any party during the investigation, as far as necessary (rule 10).
    if (policy.anyProviderPurposes.has(purpose)) return PASS
    // The municipality owns the case, so it is involved for every purpose.
    if (provider === caseState.municipality) return PASS
    return isParticipant(provider, caseState) ? PASS : failsWith('PROVIDER_NOT_PARTICIPANT')
  },
}
