// What every case route shares: the options they are registered with, access checks against the
// table in access.ts, If-Match/ETag handling, and the shape of a write's answer.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Principal, Pseudonymiser } from '@wams/platform'
import type { BrpClient } from '../../brp.ts'
import { may, relationsTo, standingRelations, viewOf, type Action } from '../../access.ts'
import { fullView, participantView, type CaseView } from '../../case-views.ts'
import type { LedgerCaseState } from '../../case-state.ts'
import { appendEvent, readCase, type AppendResult, type Decided, type LedgerContext } from '../../ledger.ts'
import { badRequest, conflict, forbidden, notFound } from '../../errors.ts'

export interface CaseRoutesOptions {
  ledger: LedgerContext
  pseudonymise: Pseudonymiser
  /** The BRP, for the residence check when a case is opened. */
  brp: BrpClient
}

export const etagOf = (version: number): string => `"${version}"`

/** If-Match: "<version>" (also W/"<version>" or a bare number); "*" or no header: any version. */
export function expectedVersion (request: FastifyRequest): number | undefined {
  const header = request.headers['if-match']
  if (header === undefined || header.trim() === '*') return undefined
  const match = /^\s*(?:W\/)?"?([0-9]{1,9})"?\s*$/.exec(header)
  if (!match) throw badRequest('IF_MATCH_INVALID', 'If-Match must be the ETag of the case: "<version>"')
  return Number(match[1])
}

/** Throws 404 to whoever has no relation to the case (or when there is none), 403 to whoever may not do `action`. */
export function authorise (ctx: LedgerContext, principal: Principal, state: LedgerCaseState | null, action: Action): LedgerCaseState {
  if (state === null) throw notFound()
  const relations = relationsTo(principal, state, ctx.register)
  if (relations.size === 0) throw notFound()
  if (!may(action, relations)) throw forbidden()
  return state
}

/** Actions that need no case relation (the gateway's and the supervisor's reads). */
export function authoriseStanding (ctx: LedgerContext, principal: Principal, action: Action): void {
  if (!may(action, standingRelations(principal, ctx.register))) throw forbidden()
}

/** The view of GET /v1/cases/{caseId} the caller gets. */
export function viewFor (ctx: LedgerContext, principal: Principal, state: LedgerCaseState): CaseView {
  const v = viewOf(relationsTo(principal, state, ctx.register))
  if (v === null) throw notFound()
  return v.view === 'full' ? fullView(state, { withBsn: v.withBsn }) : participantView(state)
}

export function assertOpen (state: LedgerCaseState): void {
  if (state.phase === 'afgesloten') throw conflict('CASE_CLOSED', 'The case is closed; nothing changes a closed case')
}

/** Appends an event to an existing case as the college or coordinator, honouring If-Match. */
export async function writeCase (
  opts: CaseRoutesOptions,
  request: FastifyRequest<{ Params: { caseId: string } }>,
  decide: (state: LedgerCaseState) => Decided
): Promise<AppendResult> {
  return appendEvent(opts.ledger, {
    caseId: request.params.caseId,
    expectedVersion: expectedVersion(request),
    actor: request.principal,
    trace: request.trace,
    transactionId: request.id,
    authorize: (state) => { authorise(opts.ledger, request.principal, state, 'write') },
    decide: (state) => {
      // authorize ran first on this same state: it exists and the actor may write it.
      assertOpen(state!)
      return decide(state!)
    }
  })
}

/** The answer to a write: the event, and the case as the writer may see it; ETag is the new version. */
export function answerWrite (opts: CaseRoutesOptions, request: FastifyRequest, reply: FastifyReply, result: AppendResult, extra: Record<string, unknown> = {}) {
  reply.header('etag', etagOf(result.state.version))
  const { seq, eventId, type, hash, recordedAt } = result.event
  return {
    caseId: result.state.caseId,
    version: result.state.version,
    event: { seq, eventId, type, hash, recordedAt },
    state: viewFor(opts.ledger, request.principal, result.state),
    ...extra
  }
}

export async function loadCase (opts: CaseRoutesOptions, caseId: string): Promise<LedgerCaseState | null> {
  return readCase(opts.ledger.pool, caseId)
}
