// Reading the log: the list with filters and cursor pages, the search by person (BSN in the body,
// pseudonymised at once), and one event with its inclusion proof against the latest checkpoint.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { BadRequestError, NotFoundError } from '@wams/platform'
import { decodeCursor, encodeCursor, findEvent, listEvents, type EventFilters } from '../event-query.ts'
import { latestCheckpoint } from '../checkpointer.ts'
import { inclusionProof } from '@wams/transparency-log'
import { PgNodeStore } from '../pg-node-store.ts'
import { getEventSchema, listEventsSchema, searchEventsSchema } from './schemas.ts'
import { scopeOfRequest, type AuditContext } from './context.ts'

type Filters = Omit<EventFilters, 'subjectRef'> & { cursor?: string, limit?: number }

export default async function eventRoutes (app: FastifyInstance, ctx: AuditContext): Promise<void> {
  const page = async (request: FastifyRequest, query: Filters, subjectRef?: string) => {
    const after = query.cursor === undefined ? -1 : decodeCursor(query.cursor)
    if (after === null) throw new BadRequestError('The cursor is not valid; use nextCursor of a previous page')
    const limit = query.limit ?? 100
    const { cursor: _c, limit: _l, ...filters } = query
    const events = await listEvents(ctx.pool, {
      scope: scopeOfRequest(ctx, request),
      filters: { ...filters, ...(subjectRef ? { subjectRef } : {}) },
      afterLeaf: after,
      limit
    })
    return { events, nextCursor: events.length === limit ? encodeCursor(events.at(-1)!.leafIndex) : null }
  }

  app.get<{ Querystring: Filters }>('/v1/audit/events', { schema: listEventsSchema, onRequest: app.authenticate },
    async (request) => page(request, request.query))

  app.post<{ Body: Filters & { bsn: string } }>('/v1/audit/events/search', { schema: searchEventsSchema, onRequest: app.authenticate },
    async (request) => {
      const { bsn, ...query } = request.body
      return page(request, query, ctx.pseudonymise('bsn', bsn))
    })

  app.get<{ Params: { eventId: string } }>('/v1/audit/events/:eventId', { schema: getEventSchema, onRequest: app.authenticate },
    async (request, reply) => {
      const item = await findEvent(ctx.pool, request.params.eventId, scopeOfRequest(ctx, request))
      if (item === null) throw new NotFoundError('No such event in the log, or not one you may see')
      const checkpoint = await latestCheckpoint(ctx.pool)
      if (checkpoint === null || item.leafIndex >= checkpoint.treeSize) {
        reply.header('retry-after', String(Math.ceil(ctx.checkpointIntervalMs / 1000)))
        throw new NotFoundError('The event is in the log but not yet covered by a signed checkpoint; try again shortly')
      }
      const proof = await inclusionProof(new PgNodeStore(ctx.pool), item.leafIndex, checkpoint.treeSize)
      return {
        ...item,
        treeSize: checkpoint.treeSize,
        rootHash: checkpoint.rootHash.toString('base64'),
        inclusionProof: proof.map((h) => h.toString('base64')),
        signedNote: checkpoint.signedNote
      }
    })
}
