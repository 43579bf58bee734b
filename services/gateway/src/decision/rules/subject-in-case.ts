import { PASS, failsWith } from '../reason-codes.ts'
import type { Rule } from '../rule.ts'

export const subjectInCase: Rule = {
  id: 3,
  name: 'the subject is a client or household member of the case',
  reasonCodes: ['SUBJECT_NOT_IN_CASE'],
  evaluate ({ caseState, subjectRef }) {
    // Without a case, rule 2 has said all there is to say.
    if (caseState === null) return PASS
    for (const subject of caseState.subjects) if (subject.subjectRef === subjectRef) return PASS
    return failsWith('SUBJECT_NOT_IN_CASE')
  },
}
