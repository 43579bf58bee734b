// The reads: the state (a view per reader), the gateway's decision state, the ledger with its
// hashes, and the verification of the chain. All read committed data by primary key.
import type { FastifyInstance } from 'fastify'
import { verifyChain } from '@wams/platform'
import { decisionState } from '../../case-views.ts'
import { readEvents } from '../../ledger.ts'
import { decisionStateRouteSchema, getCaseSchema, ledgerSchema, verificationSchema } from '../../schemas.ts'
import { notFound } from '../../errors.ts'
import { may, relationsTo } from '../../access.ts'
import { EVENTS_WITH_BSN } from '../../case-state.ts'
import { authorise, authoriseStanding, etagOf, loadCase, viewFor, type CaseRoutesOptions } from './http.ts'

type CaseRequest = { Params: { caseId: string } }

export default async function readRoutes (app: FastifyInstance, opts: CaseRoutesOptions): Promise<void> {
  const { ledger } = opts

  app.get<CaseRequest>('/v1/cases/:caseId', { schema: getCaseSchema, onRequest: app.authenticate }, async (request, reply) => {
    const state = authorise(ledger, request.principal, await loadCase(opts, request.params.caseId), 'read')
    reply.header('etag', etagOf(state.version))
    return viewFor(ledger, request.principal, state)
  })

  app.get<CaseRequest>('/v1/cases/:caseId/decision-state', { schema: decisionStateRouteSchema, onRequest: app.authenticate }, async (request, reply) => {
    authoriseStanding(ledger, request.principal, 'readDecisionState')
    const state = await loadCase(opts, request.params.caseId)
    if (state === null) throw notFound()
    reply.header('etag', etagOf(state.version))
    return decisionState(state)
  })

  app.get<CaseRequest>('/v1/cases/:caseId/ledger', { schema: ledgerSchema, onRequest: app.authenticate }, async (request, reply) => {
    const state = authorise(ledger, request.principal, await loadCase(opts, request.params.caseId), 'readLedger')
    const events = await readEvents(ledger.pool, state.caseId)
    reply.header('etag', etagOf(state.version))
    // The supervisor never sees a BSN: events that carry BSNs come without content (the chain
    // still verifies on the content hash); the state view gives the same facts pseudonymised.
    const owner = may('write', relationsTo(request.principal, state, ledger.register))
    return {
      caseId: state.caseId,
      version: state.version,
      events: owner ? events : events.map((e) => (EVENTS_WITH_BSN as readonly string[]).includes(e.type) ? { ...e, content: null } : e)
    }
  })

  app.get<CaseRequest>('/v1/cases/:caseId/verification', { schema: verificationSchema, onRequest: app.authenticate }, async (request) => {
    const state = authorise(ledger, request.principal, await loadCase(opts, request.params.caseId), 'verify')
    // The projection's version says how long the chain must be: a cut-off tail fails too.
    return verifyChain(await readEvents(ledger.pool, state.caseId), { expectedLength: state.version })
  })
}
