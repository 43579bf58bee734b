import { PASS, failsWith } from '../reason-codes.ts'
import type { Rule } from '../rule.ts'

export const purposeInPhase: Rule = {
  id: 4,
  name: 'the purpose fits the phase: onderzoek only in phase onderzoek; casusoverleg and coordinatie only in phase aanpak',
  reasonCodes: ['PURPOSE_NOT_IN_PHASE'],
  evaluate ({ caseState, purpose }, policy) {
    if (caseState === null) return PASS
    return policy.purposesByPhase.get(caseState.phase)?.has(purpose) === true ? PASS : failsWith('PURPOSE_NOT_IN_PHASE')
  },
}
