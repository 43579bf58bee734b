import { PASS, failsWith } from '../reason-codes.ts'
import type { Rule } from '../rule.ts'

export const clientScope: Rule = {
  id: 8,
  name: 'route hulpvraag: the category’s domain and the provider are inside the client’s current scope (for involvement only the provider); no scope, or a withdrawn one, means nothing is in scope',
  reasonCodes: ['OUTSIDE_CLIENT_SCOPE'],
  evaluate ({ caseState, provider, category }, policy) {
    if (caseState === null || !policy.clientScopedRoutes.has(caseState.route)) return PASS
    const scope = caseState.scope
    if (scope === null || scope.withdrawn) return failsWith('OUTSIDE_CLIENT_SCOPE')
    if (!scope.parties.includes(provider)) return failsWith('OUTSIDE_CLIENT_SCOPE')
    const domain = policy.categories.get(category)?.info.domain
    // `own`: the provider's own domain (involvement), covered by the provider being in scope.
    if (domain === 'own') return PASS
    return domain !== undefined && (scope.domains as readonly string[]).includes(domain)
      ? PASS
      : failsWith('OUTSIDE_CLIENT_SCOPE')
  },
}
