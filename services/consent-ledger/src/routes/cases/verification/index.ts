// GET /v1/cases/{caseId}/verification: the case's hash chain recomputed, for the college, the
// coordinator and the supervisor.
import type { FastifyInstance } from 'fastify'
import { verifyChain } from '@wams/platform'
import { authorise } from '../../../case-authorisation.ts'
import { readCase, readEvents } from '../../../ledger.ts'
import type { CaseParams } from '../schema.ts'
import { verificationSchema } from './schema.ts'

export default async function verificationRoutes (app: FastifyInstance): Promise<void> {
  const ledger = app.consentLedger
  app.get<{ Params: CaseParams }>('/v1/cases/:caseId/verification', { schema: verificationSchema }, async (request) => {
    const state = authorise(ledger, request.principal, await readCase(ledger.pool, request.params.caseId), 'verify')
    // The projection's version says how long the chain must be: a cut-off tail fails too.
    return verifyChain(await readEvents(ledger.pool, state.caseId), { expectedLength: state.version })
  })
}
