// Who sees which audit events (SPEC section 6), as a small rule table. A caller's grants are the
// union of the rules that apply to it; the grants become ONE SQL predicate, used by every read
// (list, search, by id, stream, export), so the scoping cannot differ between them. Who supervises
// and who owns cases comes from the party-type capability table (an allow-list), not from names.
import type { PartyTypeCapabilityIndex, Principal, PartyRegisterIndex, PartyType } from '@wams/platform'

/** What a grant makes visible. */
export type Grant =
  | 'all'          // every event
  | 'as-requester' // events the caller's organisation caused (actor.org)
  | 'as-provider'  // events about requests to the caller's organisation (provider)
  | 'own-cases'    // every event of the cases the caller's organisation owns (opened)

interface ScopeRule {
  who: string
  applies: (principal: Principal, partyType: PartyType | null, capabilities: PartyTypeCapabilityIndex) => boolean
  grants: Grant[]
}

export const SCOPE_RULES: readonly ScopeRule[] = [
  { who: 'a supervisor of a party type that supervises (the toezichthouder, the AP)', applies: (p, type, caps) => caps.grants(type, 'supervises') && p.roles.includes('supervisor'), grants: ['all'] },
  { who: 'any active party', applies: (_p, type) => type !== null, grants: ['as-requester', 'as-provider'] },
  { who: 'a party type that may own cases (the gemeente)', applies: (_p, type, caps) => caps.grants(type, 'mayOwnCases'), grants: ['own-cases'] }
]

export interface Scope {
  org: string
  partyType: PartyType | null
  grants: ReadonlySet<Grant>
}

export function scopeOf (principal: Principal, register: PartyRegisterIndex): Scope {
  const partyType = register.partyType(principal.org)
  const grants = new Set<Grant>()
  for (const rule of SCOPE_RULES) if (rule.applies(principal, partyType, register.capabilities)) rule.grants.forEach((g) => grants.add(g))
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
