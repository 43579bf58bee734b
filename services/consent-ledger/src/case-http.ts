// The HTTP side of a case, shared by its routes: the ETag is the case's version, a write may name
// the version it expects in If-Match (409 VERSION_MISMATCH when the case is at another), and a
// write's answer carries the new version as its ETag.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AppendResult, LedgerContext } from './ledger.ts'
import { writeResult, type CaseWrite } from './case-writes.ts'
import { IfMatchInvalidError } from './errors.ts'

export const etagOf = (version: number): string => `"${version}"`

/** If-Match: "<version>" (also W/"<version>" or a bare number); "*" or no header: any version. */
export function expectedVersion (request: FastifyRequest): number | undefined {
  const header = request.headers['if-match']
  if (header === undefined || header.trim() === '*') return undefined
  const match = /^\s*(?:W\/)?"?([0-9]{1,9})"?\s*$/.exec(header)
  if (!match) throw new IfMatchInvalidError()
  return Number(match[1])
}

/** The write a request to /v1/cases/{caseId}/… makes: the caller, the version it expects, the request's trace and id. */
export function caseWriteOf (request: FastifyRequest<{ Params: { caseId: string } }>): CaseWrite {
  return {
    caseId: request.params.caseId,
    expectedVersion: expectedVersion(request),
    actor: request.principal,
    trace: request.trace,
    transactionId: request.id
  }
}

/** The answer to a write (writeResult), with the new version as ETag. */
export function answerWrite (ctx: LedgerContext, request: FastifyRequest, reply: FastifyReply, result: AppendResult, extra: Record<string, unknown> = {}) {
  reply.header('etag', etagOf(result.state.version))
  return writeResult(ctx, request.principal, result, extra)
}
