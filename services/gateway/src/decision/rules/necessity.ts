import { isCoordinator, isParticipant } from '../case-relations.ts'
import { PASS, failsWith, type ReasonCode } from '../reason-codes.ts'
import type { Rule } from '../rule.ts'

export const necessity: Rule = {
  id: 10,
  name: 'necessity: a statement of at least 20 characters; every field exists in the category; signal fields only for onderzoek; detail fields only for the coordinator or a participant whose party type works in the category’s domain',
  reasonCodes: ['NECESSITY_NOT_STATED', 'FIELD_UNKNOWN', 'FIELD_NOT_NECESSARY'],
  evaluate (ctx, policy) {
    const notStated = ctx.necessity.trim().length < policy.data.minNecessityLength
    const category = policy.categories.get(ctx.category)
    // A request must name the fields it needs: an empty list names no field of the category.
    let unknown = ctx.fields.length === 0
    let detailAsked = false
    for (const field of ctx.fields) {
      const level = category?.fieldLevels.get(field)
      if (level === undefined) unknown = true
      else if (level === 'detail') detailAsked = true
    }
    // Whether a detail field is necessary depends on the case; without one, rule 2 reports.
    let notNecessary = false
    const { caseState } = ctx
    if (detailAsked && category !== undefined && caseState !== null) {
      if (policy.signalOnlyPurposes.has(ctx.purpose)) notNecessary = true
      else if (!isCoordinator(ctx.requester, caseState)) {
        const partyType = policy.register.byOin.get(ctx.requester.org)?.partyType
        const worksInDomain = partyType !== undefined && category.detailPartyTypes.has(partyType)
        notNecessary = !(worksInDomain && isParticipant(ctx.requester.org, caseState))
      }
    }
    if (!notStated && !unknown && !notNecessary) return PASS
    const count = Number(notStated) + Number(unknown) + Number(notNecessary)
    if (count === 1) {
      return failsWith(notStated ? 'NECESSITY_NOT_STATED' : unknown ? 'FIELD_UNKNOWN' : 'FIELD_NOT_NECESSARY')
    }
    const codes: ReasonCode[] = []
    if (notStated) codes.push('NECESSITY_NOT_STATED')
    if (unknown) codes.push('FIELD_UNKNOWN')
    if (notNecessary) codes.push('FIELD_NOT_NECESSARY')
    return codes
  },
}
