// GET /v1/cases/{caseId}/ledger: the case's events with their hashes.
import { EVENT_TYPES } from '../../../case-state.ts'
import { caseParams, dateTime, nullableDateTime, problems, security, uuid } from '../schema.ts'

export const ledgerSchema = {
  tags: ['cases'],
  operationId: 'getCaseLedger',
  summary: 'The case\'s append-only event history with its hash chain',
  security,
  responseHeaders: { 200: ['ETag'] },
  description: 'College and coordinator of the municipality, and the supervisor (who gets events holding BSNs without content). content is null once purged; the hashes stay, so the chain verifies.',
  params: caseParams,
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['caseId', 'version', 'events'],
      properties: {
        caseId: uuid,
        version: { type: 'integer' },
        events: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['seq', 'eventId', 'type', 'recordedAt', 'content', 'contentHash', 'prevHash', 'hash', 'purgedAt'],
            properties: {
              seq: { type: 'integer' },
              eventId: uuid,
              type: { enum: EVENT_TYPES },
              recordedAt: dateTime,
              content: { type: ['object', 'null'], additionalProperties: true, description: '{ caseId, seq, eventId, type, data, actor, reason, recordedAt }; null once purged, and for the supervisor on events that hold BSNs' },
              contentHash: { type: 'string', description: 'SHA-256 (hex) of the RFC 8785 canonical JSON of content' },
              prevHash: { type: 'string' },
              hash: { type: 'string', description: 'SHA-256 (hex) of prevHash ‖ contentHash' },
              purgedAt: nullableDateTime
            }
          }
        }
      }
    },
    ...problems(400, 401, 403, 404)
  }
} as const
