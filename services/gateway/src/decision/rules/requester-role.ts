import { actsForMunicipality, isCoordinator, isParticipant } from '../case-relations.ts'
import { PASS, failsWith } from '../reason-codes.ts'
import type { Rule } from '../rule.ts'

export const requesterRole: Rule = {
  id: 5,
  name: 'the requester may act for the purpose: onderzoek by the case’s municipality (college or coordinator); coordinatie by the case’s coordinator; casusoverleg by the coordinator or a participant',
  reasonCodes: ['ROLE_NOT_PERMITTED'],
  evaluate (ctx, policy) {
    const { caseState } = ctx
    if (caseState === null) return PASS
    const actors = policy.actorsByPurpose.get(ctx.purpose)
    if (actors === undefined) return failsWith('ROLE_NOT_PERMITTED')
    if (actors.has('municipality') && actsForMunicipality(ctx.requester, caseState, policy)) return PASS
    if (actors.has('coordinator') && isCoordinator(ctx.requester, caseState)) return PASS
    if (actors.has('participant') && isParticipant(ctx.requester.org, caseState)) return PASS
    return failsWith('ROLE_NOT_PERMITTED')
  },
}
