// GET /v1/cases/{caseId}/decision-state: the facts the gateway decides on, for the gateway (and the
// supervisor), who need no relation to the case. Read by primary key from the committed projection.
import type { FastifyInstance } from 'fastify'
import { authoriseStanding } from '../../../case-authorisation.ts'
import { decisionState } from '../../../case-views.ts'
import { etagOf } from '../../../case-http.ts'
import { CaseNotFoundError } from '../../../errors.ts'
import { readCase } from '../../../ledger.ts'
import type { CaseParams } from '../schema.ts'
import { decisionStateRouteSchema } from './schema.ts'

export default async function decisionStateRoutes (app: FastifyInstance): Promise<void> {
  const ledger = app.consentLedger
  app.get<{ Params: CaseParams }>('/v1/cases/:caseId/decision-state', { schema: decisionStateRouteSchema }, async (request, reply) => {
    authoriseStanding(ledger, request.principal, 'readDecisionState')
    const state = await readCase(ledger.pool, request.params.caseId)
    if (state === null) throw new CaseNotFoundError()
    reply.header('etag', etagOf(state.version))
    return decisionState(state)
  })
}
