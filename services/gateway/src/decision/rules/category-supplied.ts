import { PASS, failsWith } from '../reason-codes.ts'
import type { Rule } from '../rule.ts'

export const categorySupplied: Rule = {
  id: 7,
  name: 'the provider supplies the category',
  reasonCodes: ['CATEGORY_NOT_SUPPLIED'],
  evaluate ({ provider, category }, policy) {
    // A provider missing from the register is rule 1's finding; it would only repeat here.
    if (!policy.register.byOin.has(provider)) return PASS
    return policy.register.supplies(provider, category) ? PASS : failsWith('CATEGORY_NOT_SUPPLIED')
  },
}
