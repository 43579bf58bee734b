// POST /v1/cases/{caseId}/involvement-check: the check op bekendheid (SPEC §6).
import { caseParams, necessity, subject } from '../data-requests/schema.ts'

const oin = { type: 'string', pattern: '^[0-9]{20}$', description: 'OIN (20 digits)' } as const

export interface InvolvementCheckBody {
  subject: string
  necessity: string
  /** Only these parties (OINs); otherwise the parties working in the case's problem domains. */
  parties?: string[]
}

const problem = { $ref: 'Problem#' } as const

export const involvementCheckSchema = {
  operationId: 'checkInvolvement',
  summary: 'Ask the parties working in the case\'s problem domains whether they know a person (check op bekendheid)',
  description: 'Minimal and targeted: only the active parties whose party type works in one of the case\'s problem domains (the domain → party-type table of the policy), or only the named `parties`. Each gets its own decision (purpose onderzoek, the rules apply to each) and audit event; the permitted ones are asked in parallel for `known` and `contactPerson` only. Each answer is reduced to known or not and whom to contact; nothing else the partner sends passes. One result per party asked, in register order (named parties: in the order named).',
  tags: ['data requests'],
  // Counted per organisation (public: per address) by plugins/external/rate-limit.ts; documents RateLimit-* and the 429.
  rateLimited: true,
  security: [{ bearer: [] }],
  params: caseParams,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['subject', 'necessity'],
    properties: {
      subject,
      necessity,
      parties: { type: 'array', minItems: 1, maxItems: 32, uniqueItems: true, items: oin, description: 'Ask only these parties (OINs); each must still pass the rules' }
    }
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
            required: ['provider', 'outcome', 'known', 'requestId', 'reasons', 'auditEventId'],
            properties: {
              provider: oin,
              outcome: { enum: ['permit', 'deny', 'refused', 'not-known', 'error'] },
              known: { type: ['boolean', 'null'], description: 'Whether the party knows the person; null when it was not asked (deny) or gave no answer (refused, error)' },
              contactPerson: { type: 'object', additionalProperties: true, description: 'Whom to contact at the party, only when it knows the person (the involvement category\'s contactPerson)' },
              requestId: { type: 'string', description: 'The id of this party\'s request (the partner and the audit event know it)' },
              reasons: { type: 'array', items: { type: 'string' }, description: 'Reason codes when the decision for this party was deny' },
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
    404: { ...problem, description: 'Code CASE_NOT_FOUND, no results: there is no such case, or the caller has no standing in it; the same answer whatever the case holds' },
    429: problem,
    503: problem
  }
} as const
