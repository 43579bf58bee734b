// POST /v1/cases/{caseId}/data-requests: the contract of SPEC §6. The BSN travels in the body only
// (never in a URL), checked with the eleven-test. Category and purpose are closed lists; field
// names are free (the decision reports unknown ones as FIELD_UNKNOWN) but shaped like field names,
// so nothing else can slip into the audit record through them.
import { CATEGORY_NAMES } from '@wams/schemas'

export const PURPOSES = ['onderzoek', 'casusoverleg', 'coordinatie'] as const

export const caseParams = {
  type: 'object',
  additionalProperties: false,
  required: ['caseId'],
  properties: { caseId: { type: 'string', format: 'uuid', description: 'The case (consent ledger) the request is made in' } }
} as const

export const subject = { type: 'string', format: 'bsn', description: 'BSN of the person (eleven-test); never put it in a URL' } as const
export const necessity = { type: 'string', maxLength: 4000, description: 'Why the data are necessary (rule 10: at least 20 characters)' } as const
const oin = { type: 'string', pattern: '^[0-9]{20}$', description: 'OIN (20 digits)' } as const
const problem = { $ref: 'Problem#' } as const

export interface DataRequestBody {
  provider: string
  subject: string
  category: string
  purpose: string
  fields: string[]
  necessity: string
  /** Rule 11's exception (GDPR art. 18(2)): the request protects another person. */
  protectsOthers?: { reason: string }
}

const outcomeProblem = (description: string) => ({ description, ...problem })

export const dataRequestSchema = {
  operationId: 'requestData',
  summary: 'Ask a partner for data about a person in a case',
  description: 'Decided on the eleven rules of the Wams (SPEC §5) against the case as the consent ledger holds it now. 200 permit with exactly the permitted requested fields; every other outcome is problem+json with requestId and outcome.',
  tags: ['data requests'],
  // Counted per organisation (public: per address) by plugins/external/rate-limit.ts; documents RateLimit-* and the 429.
  rateLimited: true,
  security: [{ bearer: [] }],
  params: caseParams,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['provider', 'subject', 'category', 'purpose', 'fields', 'necessity'],
    properties: {
      provider: oin,
      subject,
      category: { enum: CATEGORY_NAMES },
      purpose: { enum: PURPOSES },
      fields: { type: 'array', maxItems: 32, items: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]{0,63}$' } },
      necessity,
      protectsOthers: {
        type: 'object',
        additionalProperties: false,
        required: ['reason'],
        description: 'Only for the exception of rule 11 (GDPR art. 18(2)): a pending objection of the subject does not block a request that protects another person, in route ernstig with ground veiligheid, made by the case\'s coordinator or its municipality\'s college. The permit is recorded with OBJECTION_PENDING_OVERRIDDEN and this reason, and flagged for the supervisor.',
        properties: { reason: { type: 'string', maxLength: 2000, description: 'Whom the request protects and from what (at least 20 characters)' } }
      }
    }
  },
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['requestId', 'outcome', 'data', 'legalBasis', 'auditEventId'],
      properties: {
        requestId: { type: 'string' },
        outcome: { const: 'permit' },
        data: { type: 'object', additionalProperties: true, description: 'Exactly the permitted requested fields the provider holds' },
        legalBasis: { type: 'string' },
        auditEventId: { type: 'string', description: 'The audit event of this decision (UUIDv7)' }
      }
    },
    400: problem,
    401: problem,
    403: outcomeProblem('outcome deny, with reasons (reason codes of SPEC §5); or a token of an organisation that is not an active party'),
    404: outcomeProblem('outcome not-known (code SUBJECT_NOT_KNOWN): the provider does not know the person; or outcome deny with code CASE_NOT_FOUND and no reasons: there is no such case, or the caller has no standing in it (only its municipality\'s college or coordinator, the named coordinator, a participant and the supervisor are told reasons), the same answer whatever the case holds'),
    429: problem,
    451: outcomeProblem('outcome refused: the provider refused for weighty reasons, given in reason'),
    502: outcomeProblem('outcome error: the provider failed, is unreachable or answered outside its schema'),
    503: outcomeProblem('outcome error: the consent ledger or the audit record is unavailable, nothing was released; or PARTNER_BUSY, with Retry-After: too many requests to this provider are under way, it was not asked'),
    504: outcomeProblem('outcome error: the provider did not answer in time')
  }
} as const
