import type { CaseState } from '@wams/schemas';
import { PASS, failsWith } from '../reason-codes.ts';
import type { Policy } from '../policy.ts';
import type { Rule } from '../rule.ts';

const BOTH = Object.freeze(['CATEGORY_NOT_PERMITTED', 'ROLE_NOT_PERMITTED'] as const);

function criminalDataAllowed(caseState: CaseState, policy: Policy): boolean {
  if (caseState.route !== policy.data.criminalDataRoute) return false;
  for (const ground of caseState.seriousGrounds) if (policy.criminalDataGrounds.has(ground)) return true;
  return false;
}

export const categoryPermitted: Rule = {
  id: 9,
  name: 'special and criminal data never go to woningcorporatie, energieleverancier, zorgverzekeraar, school, uwv; criminal data only in route ernstig with ground overlast or veiligheid; the toezichthouder never receives personal data',
  reasonCodes: BOTH,
  evaluate({ requester, caseState, category }, policy) {
    // The party-type parts need no case; the route part does.
    const partyType = policy.register.byOin.get(requester.org)?.partyType;
    const noPersonalData = partyType !== undefined && policy.noPersonalDataPartyTypes.has(partyType);
    const data = policy.categories.get(category);
    let notPermitted = false;
    if (data !== undefined) {
      if (data.sensitive && partyType !== undefined && policy.noSensitiveDataPartyTypes.has(partyType)) notPermitted = true;
      if (data.criminal && caseState !== null && !criminalDataAllowed(caseState, policy)) notPermitted = true;
    }
    if (notPermitted) return noPersonalData ? BOTH : failsWith('CATEGORY_NOT_PERMITTED');
    return noPersonalData ? failsWith('ROLE_NOT_PERMITTED') : PASS;
  },
};
