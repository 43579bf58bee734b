// Reading the log: the list with filters and cursor pages, the search by person (BSN in the body,
// pseudonymised at once), and one event with its inclusion proof against the latest checkpoint —
// each as the caller sees it (../../views.ts): in full with the proof, or, for a provider, what it
// received, without a proof (the leaf hash is over the full event, which it does not get).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { inclusionProof } from '@wams/transparency-log'
import { decodeCursor, encodeCursor, findEvent, listEvents } from '../../event-query.ts'
import { latestCheckpoint } from '../../checkpointer.ts'
import { PgNodeStore } from '../../pg-node-store.ts'
import { AuditCursorInvalidError, AuditEventNotFoundError, AuditEventNotYetSignedError } from '../../errors.ts'
import {
  getEventSchema, listEventsSchema, searchEventsSchema,
  type EventParams, type EventsQuery, type SearchEventsBody
} from './schema.ts'

export default async function eventRoutes (app: FastifyInstance): Promise<void> {
  const { pool } = app.auditLog

  const page = async (request: FastifyRequest, query: EventsQuery, subjectRef?: string) => {
    const after = query.cursor === undefined ? -1 : decodeCursor(query.cursor)
    if (after === null) throw new AuditCursorInvalidError()
    const limit = query.limit ?? 100
    const { cursor: _c, limit: _l, ...filters } = query
    const events = await listEvents(pool, {
      scope: app.auditScope(request),
      pseudonymise: app.pseudonymise,
      filters: { ...filters, ...(subjectRef ? { subjectRef } : {}) },
      afterLeaf: after,
      limit
    })
    return { events, nextCursor: events.length === limit ? encodeCursor(events.at(-1)!.leafIndex) : null }
  }

  app.get<{ Querystring: EventsQuery }>('/v1/audit/events', { schema: listEventsSchema },
    async (request) => page(request, request.query))

  app.post<{ Body: SearchEventsBody }>('/v1/audit/events/search', { schema: searchEventsSchema },
    async (request) => {
      const { bsn, ...query } = request.body
      return page(request, query, app.pseudonymise('bsn', bsn))
    })

  app.get<{ Params: EventParams }>('/v1/audit/events/:eventId', { schema: getEventSchema },
    async (request, reply) => {
      const item = await findEvent(pool, request.params.eventId, { scope: app.auditScope(request), pseudonymise: app.pseudonymise })
      if (item === null) throw new AuditEventNotFoundError()
      // What a provider received: no leaf hash to prove, so no checkpoint to wait for.
      if (item.view === 'provider') return item
      const checkpoint = await latestCheckpoint(pool)
      if (checkpoint === null || item.leafIndex >= checkpoint.treeSize) {
        reply.header('retry-after', String(Math.ceil(app.auditLog.checkpointIntervalMs / 1000)))
        throw new AuditEventNotYetSignedError()
      }
      const proof = await inclusionProof(new PgNodeStore(pool), item.leafIndex, checkpoint.treeSize)
      return {
        ...item,
        treeSize: checkpoint.treeSize,
        rootHash: checkpoint.rootHash.toString('base64'),
        inclusionProof: proof.map((h) => h.toString('base64')),
        signedNote: checkpoint.signedNote
      }
    })
}
