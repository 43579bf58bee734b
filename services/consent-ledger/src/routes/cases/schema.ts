// The HTTP contract of a case: a JSON Schema for every body, parameter and response, so Fastify
// validates input, serialises output (nothing unlisted leaves) and the OpenAPI document at
// /v1/openapi.json describes every route. This file holds the schemas of the cases resource itself
// (POST /v1/cases, GET /v1/cases/{caseId}) and the components its sub-resources share: the case
// parameters, If-Match, the case view and the answer to a write. Each sub-resource keeps its own
// route schemas in its folder's schema.ts.
import type { Domain, Route, SeriousGround, SubjectRole } from '../../case-state.ts'
import { DOMAINS, EVENT_TYPES, PHASES, ROUTES, SERIOUS_GROUNDS, SUBJECT_ROLES } from '../../case-state.ts'
import { MIN_STATEMENT_LENGTH } from '../../case-rules.ts'

// ---- components shared by the case's resources -----------------------------------------------

export const oin = { type: 'string', pattern: '^[0-9]{20}$', description: 'OIN (20 digits)' } as const
export const uuid = { type: 'string', format: 'uuid' } as const
export const dateTime = { type: 'string', format: 'date-time' } as const
export const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const
export const nullableText = { type: ['string', 'null'] } as const
export const words = (max = 4000) => ({ type: 'string', minLength: 1, maxLength: max }) as const
export const partyRef = {
  type: 'object',
  additionalProperties: false,
  required: ['org', 'sub'],
  properties: { org: oin, sub: { type: 'string', minLength: 1, maxLength: 256 } }
} as const
const problemResponse = { $ref: 'Problem#' } as const
export const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, problemResponse]))
export const security = [{ bearer: [] }]

export const caseParams = {
  type: 'object',
  additionalProperties: false,
  required: ['caseId'],
  properties: { caseId: uuid }
} as const

export interface CaseParams { caseId: string }

export const ifMatch = {
  type: 'object',
  properties: { 'if-match': { type: 'string', description: 'The version the change expects, as returned in ETag ("<version>"); 409 when the case is at another version' } }
} as const

export const caseViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['view', 'caseId', 'version', 'route', 'phase', 'municipality', 'coordinator', 'subjects', 'problems', 'seriousGrounds',
    'clientInformed', 'scope', 'participants', 'objections', 'openedAt', 'closedAt', 'purgedAt'],
  description: 'The state of a case. view "full": the owning municipality (with BSNs) and the supervisor (pseudonyms only); view "participant": no BSNs and no words about the person.',
  properties: {
    view: { enum: ['full', 'participant'] },
    caseId: uuid,
    version: { type: 'integer', minimum: 1, description: 'Number of ledger events; also the ETag' },
    route: { enum: ROUTES },
    phase: { enum: PHASES },
    municipality: oin,
    coordinator: partyRef,
    subjects: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['subjectRef', 'role'],
        properties: {
          subjectRef: { type: 'string', description: 'Keyed pseudonym of the BSN' },
          role: { enum: SUBJECT_ROLES },
          bsn: { type: ['string', 'null'], description: 'Only for the owning municipality; null after the retention purge' }
        }
      }
    },
    problems: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['domain'], properties: { domain: { enum: DOMAINS }, description: nullableText } }
    },
    relatedness: nullableText,
    seriousGrounds: { type: 'array', items: { enum: SERIOUS_GROUNDS } },
    clientInformed: { type: 'boolean' },
    notInformedReason: nullableText,
    scope: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['domains', 'parties', 'withdrawn', 'recordedAt'],
      properties: {
        domains: { type: 'array', items: { enum: DOMAINS } },
        parties: { type: 'array', items: oin },
        withdrawn: { type: 'boolean' },
        recordedAt: dateTime,
        statement: nullableText,
        recordedBy: partyRef
      }
    },
    participants: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['org', 'addedAt'],
        properties: { org: oin, addedAt: dateTime, necessity: nullableText, addedBy: partyRef }
      }
    },
    objections: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['objectionId', 'subjectRef', 'status', 'lodgedAt', 'decidedAt'],
        properties: {
          objectionId: uuid,
          subjectRef: { type: 'string' },
          status: { enum: ['pending', 'upheld', 'rejected'] },
          lodgedAt: dateTime,
          decidedAt: nullableDateTime,
          reason: nullableText,
          decisionReason: nullableText
        }
      }
    },
    openedAt: dateTime,
    closedAt: nullableDateTime,
    closeReason: nullableText,
    purgedAt: nullableDateTime
  }
} as const

const eventSummary = {
  type: 'object',
  additionalProperties: false,
  required: ['seq', 'eventId', 'type', 'hash', 'recordedAt'],
  properties: { seq: { type: 'integer' }, eventId: uuid, type: { enum: EVENT_TYPES }, hash: { type: 'string' }, recordedAt: dateTime }
} as const

/** The answer to a write (see case-writes.ts): the recorded event and the case as the writer may see it. */
export const writeResult = (extra: Record<string, unknown> = {}) => ({
  type: 'object',
  additionalProperties: false,
  required: ['caseId', 'version', 'event', 'state', ...Object.keys(extra)],
  description: 'The recorded event and the case as it is now (committed: every later read sees it).',
  properties: { caseId: uuid, version: { type: 'integer' }, event: eventSummary, state: caseViewSchema, ...extra }
}) as const

// ---- POST /v1/cases -------------------------------------------------------------------------

/** The body of POST /v1/cases once it passed its schema and the opening rules. */
export interface OpenCaseBody {
  route: Route
  subjects: Array<{ bsn: string, role: SubjectRole }>
  problems: Array<{ domain: Domain, description: string }>
  relatedness: string
  seriousGrounds?: SeriousGround[]
  clientInformed: boolean
  notInformedReason?: string
  coordinator: { org: string, sub: string }
}

export const openCaseSchema = {
  tags: ['cases'],
  operationId: 'openCase',
  summary: 'Open a case (gecoördineerde aanpak)',
  responseHeaders: { 201: ['Location', 'ETag'] },
  description: 'Only the college of an active gemeente; the case belongs to the token\'s municipality. Checks the body and the problem rules of SPEC section 2 in one pass and reports every violation at once (400, errors[].code). Then residence: every client must be registered in the BRP (Haal Centraal BRP Personen Bevragen) as living in the opening municipality, else 403 SUBJECT_NOT_RESIDENT (without saying where the person lives; household members may live elsewhere); when the BRP cannot be asked, 503 BRP_UNAVAILABLE with Retry-After and nothing is recorded.',
  security,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['route', 'subjects', 'problems', 'clientInformed', 'coordinator'],
    properties: {
      route: { enum: ROUTES },
      subjects: {
        type: 'array',
        maxItems: 20,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['bsn', 'role'],
          // The eleven-test runs as rule BSN_INVALID, so a wrong BSN is reported once, by pointer, never echoed.
          properties: { bsn: { type: 'string', maxLength: 32, description: 'BSN: nine digits passing the eleven-test' }, role: { enum: SUBJECT_ROLES } }
        }
      },
      problems: {
        type: 'array',
        maxItems: 20,
        items: { type: 'object', additionalProperties: false, required: ['domain', 'description'], properties: { domain: { enum: DOMAINS }, description: words() } }
      },
      relatedness: { type: 'string', maxLength: 4000, description: `How the problems are related (samenhang), at least ${MIN_STATEMENT_LENGTH} characters` },
      seriousGrounds: { type: 'array', uniqueItems: true, items: { enum: SERIOUS_GROUNDS }, description: 'Route ernstig: at least one; route hulpvraag: none' },
      clientInformed: { type: 'boolean' },
      notInformedReason: { type: 'string', maxLength: 4000, description: 'Required when clientInformed is false' },
      coordinator: partyRef
    }
  },
  response: { 201: writeResult(), ...problems(400, 401, 403, 503) }
} as const

// ---- GET /v1/cases/{caseId} -----------------------------------------------------------------

export const getCaseSchema = {
  tags: ['cases'],
  operationId: 'getCase',
  summary: 'The current state of a case',
  security,
  responseHeaders: { 200: ['ETag'] },
  description: 'College and coordinator of the municipality (with BSNs), the supervisor (pseudonyms), participants (reduced view). ETag = version.',
  params: caseParams,
  response: { 200: caseViewSchema, ...problems(400, 401, 403, 404) }
} as const
