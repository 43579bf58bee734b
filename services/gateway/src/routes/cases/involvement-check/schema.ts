// POST /v1/cases/{caseId}/involvement-check: the check op bekendheid (SPEC §6).
import { caseParams, necessity, subject } from '../data-requests/schema.ts'

export interface InvolvementCheckBody {
  subject: string
  necessity: string
}

const problem = { $ref: 'Problem#' } as const

export const involvementCheckSchema = {
  summary: 'Ask every party that may be asked which of them know a person (check op bekendheid)',
  description: 'Each active party that supplies `involvement` gets its own decision (purpose onderzoek) and audit event; the permitted ones are asked in parallel. One result per party, in register order.',
  tags: ['data requests'],
  security: [{ bearer: [] }],
  params: caseParams,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['subject', 'necessity'],
    properties: { subject, necessity }
  },
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['requestId', 'results'],
      properties: {
        requestId: { type: 'string' },
        results: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['provider', 'name', 'requestId', 'outcome', 'data', 'reasons', 'auditEventId'],
            properties: {
              provider: { type: 'string' },
              name: { type: 'string' },
              requestId: { type: 'string', description: 'The id of this party\'s request (the partner and the audit event know it)' },
              outcome: { enum: ['permit', 'deny', 'refused', 'not-known', 'error'] },
              data: { anyOf: [{ type: 'null' }, { type: 'object', additionalProperties: true }] },
              reasons: { type: 'array', items: { type: 'string' }, description: 'Reason codes when the decision for this party was deny' },
              reason: { type: 'string', description: 'The provider\'s reason when it refused' },
              error: { type: 'string', description: 'Why the provider gave no answer (outcome error)' },
              auditEventId: { type: 'string' }
            }
          }
        }
      }
    },
    400: problem,
    401: problem,
    403: problem,
    429: problem,
    503: problem
  }
} as const
