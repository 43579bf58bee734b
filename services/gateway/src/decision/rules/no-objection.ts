import { PASS, failsWith } from '../reason-codes.ts';
import type { Rule } from '../rule.ts';

const BOTH = Object.freeze(['OBJECTION_PENDING', 'OBJECTION_UPHELD'] as const);

export const noObjection: Rule = {
  id: 11,
  name: 'the subject has no pending or upheld objection (bezwaar, GDPR art. 21) in this case',
  reasonCodes: BOTH,
  evaluate({ caseState, subjectRef }) {
    if (caseState === null) return PASS;
    let pending = false;
    let upheld = false;
    for (const objection of caseState.objections) {
      if (objection.subjectRef !== subjectRef) continue;
      if (objection.status === 'pending') pending = true;
      else if (objection.status === 'upheld') upheld = true;
    }
    if (pending && upheld) return BOTH;
    if (pending) return failsWith('OBJECTION_PENDING');
    if (upheld) return failsWith('OBJECTION_UPHELD');
    return PASS;
  },
};
