// Who sees what, per request: the caller's scope from the rule table (../../scope.ts) and the
// register, and the check of the supervisor-only routes (export, on-demand checkpoint, rejected
// messages).
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { scopeOf, seesAll, type Scope } from '../../scope.ts'
import { AuditSupervisorOnlyError } from '../../errors.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The scope of the authenticated caller. */
    auditScope: (request: FastifyRequest) => Scope
    /** The scope of a supervisor of the toezichthouder; anyone else: AUDIT_SUPERVISOR_ONLY (403). */
    requireSupervisor: (request: FastifyRequest) => Scope
  }
}

async function scopePlugin (app: FastifyInstance): Promise<void> {
  const register = app.partyRegister
  const auditScope = (request: FastifyRequest): Scope => scopeOf(request.principal, register)
  app.decorate('auditScope', auditScope)
  app.decorate('requireSupervisor', (request: FastifyRequest): Scope => {
    const scope = auditScope(request)
    if (!seesAll(scope)) throw new AuditSupervisorOnlyError()
    return scope
  })
}

export default fp(scopePlugin, { name: 'audit-scope', dependencies: ['audit-register'] })
