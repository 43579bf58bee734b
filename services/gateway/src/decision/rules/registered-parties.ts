import { PASS, failsWith } from '../reason-codes.ts'
import type { Rule } from '../rule.ts'

const BOTH = Object.freeze(['REQUESTER_NOT_REGISTERED', 'PROVIDER_NOT_REGISTERED'] as const)

export const registeredParties: Rule = {
  id: 1,
  name: 'requester and provider are active parties in the register',
  reasonCodes: BOTH,
  evaluate (ctx, policy) {
    const requester = policy.register.active(ctx.requester.org) !== undefined
    const provider = policy.register.active(ctx.provider) !== undefined
    if (requester && provider) return PASS
    if (requester) return failsWith('PROVIDER_NOT_REGISTERED')
    if (provider) return failsWith('REQUESTER_NOT_REGISTERED')
    return BOTH
  },
}
