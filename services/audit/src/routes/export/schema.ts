// GET /v1/audit/export: the log as JSONL, the input of wams verify (supervisor).
import { problems, security, tags } from '../schema.ts'

export interface ExportQuery { from: number, to?: number }

export const exportSchema = {
  tags,
  security,
  operationId: 'exportLog',
  summary: 'Export of the log as JSONL, one line per leaf in leaf order: the input of wams verify (supervisor)',
  responseHeaders: { 200: ['Content-Disposition'] },
  description: 'Each line is {"leafIndex":n,"leafHash":"<base64>","event":<RFC 8785 JSON of the event, or null when purged>}. Leaves [from, to); to defaults to the latest checkpoint\'s tree size.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { from: { type: 'integer', minimum: 0, default: 0 }, to: { type: 'integer', minimum: 0 } }
  },
  response: {
    200: { description: 'application/x-ndjson', content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
    ...problems(400, 401, 403)
  }
} as const
