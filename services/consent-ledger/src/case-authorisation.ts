// The access table of access.ts applied to a case: whoever has no relation to it gets 404, as if
// it did not exist (a stranger does not learn which cases exist); whoever knows it but may not do
// the action gets 403; and each reader gets the view of the case their relation allows.
import type { PartyRegisterIndex, Principal } from '@wams/platform'
import { may, relationsTo, standingRelations, viewOf, type Action } from './access.ts'
import { fullView, participantView, type CaseView } from './case-views.ts'
import type { LedgerCaseState } from './case-state.ts'
import { ActionForbiddenError, CaseNotFoundError } from './errors.ts'

export interface AuthorisationContext { register: PartyRegisterIndex }

const MAY_NOT = 'You may not do this with this case'

/** Throws 404 to whoever has no relation to the case (or when there is none), 403 to whoever may not do `action`. */
export function authorise (ctx: AuthorisationContext, principal: Principal, state: LedgerCaseState | null, action: Action): LedgerCaseState {
  if (state === null) throw new CaseNotFoundError()
  const relations = relationsTo(principal, state, ctx.register)
  if (relations.size === 0) throw new CaseNotFoundError()
  if (!may(action, relations)) throw new ActionForbiddenError(MAY_NOT)
  return state
}

/** Actions that need no case relation (the gateway's and the supervisor's reads). */
export function authoriseStanding (ctx: AuthorisationContext, principal: Principal, action: Action): void {
  if (!may(action, standingRelations(principal, ctx.register))) throw new ActionForbiddenError(MAY_NOT)
}

/** The view of GET /v1/cases/{caseId} the caller gets. */
export function viewFor (ctx: AuthorisationContext, principal: Principal, state: LedgerCaseState): CaseView {
  const v = viewOf(relationsTo(principal, state, ctx.register))
  if (v === null) throw new CaseNotFoundError()
  return v.view === 'full' ? fullView(state, { withBsn: v.withBsn }) : participantView(state)
}
