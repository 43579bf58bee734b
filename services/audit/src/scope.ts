// Who sees which audit events (SPEC section 6), as a small rule table. A caller's grants are the
// union of the rules that apply to it; the grants become ONE SQL predicate, used by every read
// (list, search, by id, stream, export), so the scoping cannot differ between them.
import type { Principal, PartyRegisterIndex, PartyType } from '@wams/platform'

/** What a grant makes visible. */
export type Grant =
  | 'all'          // every event
  | 'as-requester' // events the caller's organisation caused (actor.org)
  | 'as-provider'  // events about requests to the caller's organisation (provider)
  | 'own-cases'    // every event of the cases the caller's organisation owns (opened)

interface ScopeRule {
  who: string
  applies: (principal: Principal, partyType: PartyType | null) => boolean
  grants: Grant[]
}

export const SCOPE_RULES: readonly ScopeRule[] = [
  { who: 'a supervisor of a toezichthouder (the AP)', applies: (p, type) => type === 'toezichthouder' && p.roles.includes('supervisor'), grants: ['all'] },
  { who: 'any active party', applies: (_p, type) => type !== null, grants: ['as-requester', 'as-provider'] },
  { who: 'a gemeente', applies: (_p, type) => type === 'gemeente', grants: ['own-cases'] }
]

export interface Scope {
  org: string
  partyType: PartyType | null
  grants: ReadonlySet<Grant>
}

export function scopeOf (principal: Principal, register: PartyRegisterIndex): Scope {
  const partyType = register.partyType(principal.org)
  const grants = new Set<Grant>()
  for (const rule of SCOPE_RULES) if (rule.applies(principal, partyType)) rule.grants.forEach((g) => grants.add(g))
  return { org: principal.org, partyType, grants }
}

export function seesAll (scope: Scope): boolean {
  return scope.grants.has('all')
}

/** The SQL predicate over audit_events aliased `e`; appends its parameters to `params`. */
export function scopePredicate (scope: Scope, params: unknown[]): string {
  if (scope.grants.has('all')) return 'TRUE'
  const parts: string[] = []
  const org = () => { params.push(scope.org); return `$${params.length}` }
  if (scope.grants.has('as-requester')) parts.push(`e.actor_org = ${org()}`)
  if (scope.grants.has('as-provider')) parts.push(`e.provider = ${org()}`)
  if (scope.grants.has('own-cases')) parts.push(`EXISTS (SELECT 1 FROM case_owners c WHERE c.case_id = e.case_id AND c.org = ${org()})`)
  return parts.length === 0 ? 'FALSE' : `(${parts.join(' OR ')})`
}
