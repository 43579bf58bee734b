// What the routes share: the service's database, the party register, the pseudonymiser, the
// signing key and the log's moving parts. Passed to each route plugin as its options.
import type { FastifyRequest } from 'fastify'
import { ForbiddenError, type PartyRegisterIndex, type Pool, type Pseudonymiser } from '@wams/platform'
import type { Checkpointer } from '../checkpointer.ts'
import type { SigningKey } from '../signing-key.ts'
import type { StreamHub } from '../stream.ts'
import { scopeOf, seesAll, type Scope } from '../scope.ts'

export interface AuditContext {
  pool: Pool
  register: PartyRegisterIndex
  pseudonymise: Pseudonymiser
  key: SigningKey
  origin: string
  checkpointer: Checkpointer
  hub: StreamHub
  checkpointIntervalMs: number
  now: () => Date
}

export function scopeOfRequest (ctx: AuditContext, request: FastifyRequest): Scope {
  return scopeOf(request.principal, ctx.register)
}

/** The supervisor-only routes (export, on-demand checkpoint). */
export function requireSupervisor (ctx: AuditContext, request: FastifyRequest): Scope {
  const scope = scopeOfRequest(ctx, request)
  if (!seesAll(scope)) throw new ForbiddenError('Only a supervisor of the toezichthouder may do this')
  return scope
}
