// POST /v1/case-state-leases: the gateway instances' lease polls (../../case-state-leases.ts).
import type { FastifyInstance } from 'fastify'
import { authoriseStanding } from '../../case-authorisation.ts'
import { leasePollSchema, type LeasePollBody } from './schema.ts'

export default async function caseStateLeaseRoutes (app: FastifyInstance): Promise<void> {
  const ledger = app.consentLedger
  app.post<{ Body: LeasePollBody }>('/v1/case-state-leases', { schema: leasePollSchema }, async (request) => {
    authoriseStanding(ledger, request.principal, 'holdLease')
    // A held poll ends when its gateway goes away.
    const gone = new AbortController()
    request.raw.once('close', () => gone.abort())
    return ledger.leases.poll(request.body.instanceId, request.body.ackedSeq, gone.signal)
  })
}
