// Who gets which view of the audit log (SPEC section 6), as a small rule table. A caller's grants
// are the union of the rules that apply to it; what each grant shows — which events, in which
// projection — is the view table of views.ts, which turns the grants into ONE SQL predicate and
// one projection, used by every read (list, search, by id, stream, subject report), so the scoping
// cannot differ between them. Who supervises and who owns cases comes from the party-type
// capability table (an allow-list), not from names.
import type { PartyTypeCapabilityIndex, Principal, PartyRegisterIndex, PartyType } from '@wams/platform'

/** What a grant makes visible. */
export type Grant =
  | 'all'          // every event
  | 'as-requester' // events the caller's organisation caused (actor.org)
  | 'as-provider'  // requests the gateway sent to the caller's organisation (provider), as it received them
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
