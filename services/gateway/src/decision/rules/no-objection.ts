import type { CaseState } from '@wams/schemas'
import type { DecisionContext } from '../context.ts'
import { actsForMunicipalityAs, isCoordinator } from '../case-relations.ts'
import type { Policy } from '../policy.ts'
import { PASS, failsWith, passesWith } from '../reason-codes.ts'
import type { Rule } from '../rule.ts'

const BOTH = Object.freeze(['OBJECTION_PENDING', 'OBJECTION_UPHELD'] as const)

/**
 * GDPR art. 18(2): a pending objection does not block a request that protects another person —
 * only when ALL of policy.data.objectionOverride hold: the case's route (ernstig) with one of its
 * grounds (veiligheid), made by the case's named coordinator or its municipality's college, with
 * a `protectsOthers.reason` of at least minReasonLength characters.
 */
export function objectionOverrideApplies (ctx: DecisionContext, caseState: CaseState, policy: Policy): boolean {
  const o = policy.data.objectionOverride
  if (ctx.protectsOthers == null || ctx.protectsOthers.reason.trim().length < o.minReasonLength) return false
  if (caseState.route !== o.route) return false
  if (!caseState.seriousGrounds.some((g) => o.grounds.includes(g))) return false
  return (o.namedCoordinator && isCoordinator(ctx.requester, caseState)) || actsForMunicipalityAs(ctx.requester, caseState, o.municipalityRoles)
}

export const noObjection: Rule = {
  id: 11,
  name: 'the subject has no pending or upheld objection (bezwaar, GDPR art. 21) in this case; a pending one does not block a request that protects another person (GDPR art. 18(2))',
  reasonCodes: BOTH,
  recordedCodes: ['OBJECTION_PENDING_OVERRIDDEN'],
  evaluate (ctx, policy) {
    const { caseState, subjectRef } = ctx
    if (caseState === null) return PASS
    let pending = false
    let upheld = false
    for (const objection of caseState.objections) {
      if (objection.subjectRef !== subjectRef) continue
      if (objection.status === 'pending') pending = true
      else if (objection.status === 'upheld') upheld = true
    }
    // An upheld objection always blocks, whatever is stated.
    if (pending && upheld) return BOTH
    if (upheld) return failsWith('OBJECTION_UPHELD')
    if (pending) return objectionOverrideApplies(ctx, caseState, policy) ? passesWith('OBJECTION_PENDING_OVERRIDDEN') : failsWith('OBJECTION_PENDING')
    return PASS
  },
}
