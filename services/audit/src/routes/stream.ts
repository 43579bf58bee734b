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
      const headers = {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no'
      }
      // HEAD (Fastify's automatic HEAD route runs this handler): the GET's status and headers
      // (after the same authentication and validation), no body, and the answer ends.
      if (request.method === 'HEAD') {
        reply.raw.writeHead(200, headers)
        reply.raw.end()
        return
      }
      reply.raw.writeHead(200, { ...headers, connection: 'keep-alive' })
      await ctx.hub.add(reply.raw, { scope, filters: request.query, after: lastId === undefined ? null : Number(lastId) })
    })
}
