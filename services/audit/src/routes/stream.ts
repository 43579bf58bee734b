// GET /v1/audit/stream: server-sent events of newly sequenced events (see ../stream.ts).
import type { FastifyInstance } from 'fastify'
import type { EventFilters } from '../event-query.ts'
import { streamSchema } from './schemas.ts'
import { scopeOfRequest, type AuditContext } from './context.ts'

export default async function streamRoutes (app: FastifyInstance, ctx: AuditContext): Promise<void> {
  app.get<{ Querystring: EventFilters, Headers: { 'last-event-id'?: string } }>('/v1/audit/stream',
    { schema: streamSchema, onRequest: app.authenticate },
    async (request, reply) => {
      const scope = scopeOfRequest(ctx, request)
      const lastId = request.headers['last-event-id']
      reply.hijack()
      // The headers the service shell set (API-Version, traceparent, security headers) go along.
      reply.raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no'
      })
      await ctx.hub.add(reply.raw, { scope, filters: request.query, after: lastId === undefined ? null : Number(lastId) })
    })
}
