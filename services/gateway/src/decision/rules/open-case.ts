import { PASS, failsWith } from '../reason-codes.ts'
import type { Rule } from '../rule.ts'

export const openCase: Rule = {
  id: 2,
  name: 'the case exists and is not closed (no request without a case: no bulk matching, no profiling)',
  reasonCodes: ['CASE_NOT_FOUND', 'CASE_CLOSED'],
  evaluate ({ caseState }) {
    if (caseState === null) return failsWith('CASE_NOT_FOUND')
    if (caseState.phase === 'afgesloten' || caseState.closedAt !== null) return failsWith('CASE_CLOSED')
    return PASS
  },
}
