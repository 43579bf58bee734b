// GET /v1/cases/{caseId}/ledger: the case's events with their hashes, for the college, the
// coordinator and the supervisor.
import type { FastifyInstance } from 'fastify'
import { holdsBsnLikeText } from '@wams/platform'
import { may, relationsTo } from '../../../access.ts'
import { authorise } from '../../../case-authorisation.ts'
import { etagOf } from '../../../case-http.ts'
import { EVENTS_WITH_BSN } from '../../../case-state.ts'
import { readCase, readEvents } from '../../../ledger.ts'
import type { CaseParams } from '../schema.ts'
import { ledgerSchema } from './schema.ts'

export default async function ledgerRoutes (app: FastifyInstance): Promise<void> {
  const ledger = app.consentLedger
  app.get<{ Params: CaseParams }>('/v1/cases/:caseId/ledger', { schema: ledgerSchema }, async (request, reply) => {
    const state = authorise(ledger, request.principal, await readCase(ledger.pool, request.params.caseId), 'readLedger')
    const events = await readEvents(ledger.pool, state.caseId)
    reply.header('etag', etagOf(state.version))
    // The supervisor never sees a BSN: events that carry BSNs, and events whose texts hold a
    // nine-digit run someone may have typed, come without content (the chain still verifies on
    // the content hash); the state view gives the same facts pseudonymised and masked.
    const owner = may('write', relationsTo(request.principal, state, ledger.register))
    const withheld = (e: (typeof events)[number]) => (EVENTS_WITH_BSN as readonly string[]).includes(e.type) || holdsBsnLikeText(e.content)
    return {
      caseId: state.caseId,
      version: state.version,
      events: owner ? events : events.map((e) => withheld(e) ? { ...e, content: null } : e)
    }
  })
}
