// GET /v1/audit/stream: server-sent events of newly sequenced events, with the filters of
// GET /v1/audit/events (../events/schema.ts).
import type { EventFilters } from '../../event-query.ts'
import { problems, security, tags } from '../schema.ts'
import { filterProperties } from '../events/schema.ts'

export type StreamQuery = EventFilters
export interface StreamHeaders { 'last-event-id'?: string }

export const streamSchema = {
  tags,
  security,
  operationId: 'streamEvents',
  summary: 'Live stream (server-sent events) of new events, with the filters and the scoping of GET /v1/audit/events',
  description: 'Each event is an SSE message `event: audit-event`, `id: <leafIndex>`, `data: { event, leafIndex, leafHash }`; comments are heartbeats. Reconnect with Last-Event-ID to resume after that leaf.',
  querystring: { type: 'object', additionalProperties: false, properties: filterProperties },
  headers: { type: 'object', properties: { 'last-event-id': { type: 'string', pattern: '^[0-9]{1,15}$' } } },
  response: {
    200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
    ...problems(400, 401, 403)
  }
} as const
