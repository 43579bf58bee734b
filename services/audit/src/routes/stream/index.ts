// GET /v1/audit/stream: server-sent events of newly sequenced events (see ../../stream.ts).
import type { FastifyInstance } from 'fastify'
import { streamSchema, type StreamHeaders, type StreamQuery } from './schema.ts'

export default async function streamRoutes (app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: StreamQuery, Headers: StreamHeaders }>('/v1/audit/stream', { schema: streamSchema },
    async (request, reply) => {
      const scope = app.auditScope(request)
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
      await app.auditStream.add(reply.raw, { scope, filters: request.query, after: lastId === undefined ? null : Number(lastId) })
    })
}
