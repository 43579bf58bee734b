// The HTTP contract of the consent ledger: a JSON Schema for every body, parameter and response,
// so Fastify validates input, serialises output (nothing unlisted leaves) and the OpenAPI document
// at /v1/openapi.json describes every route. The decision-state response is the contract
// schemas/case-state.schema.json (the tests check it against that file).
import { DOMAINS, EVENT_TYPES, PHASES, ROUTES, SERIOUS_GROUNDS, SUBJECT_ROLES } from './case-state.ts'
import { MIN_STATEMENT_LENGTH } from './case-rules.ts'

const oin = { type: 'string', pattern: '^[0-9]{20}$', description: 'OIN (20 digits)' } as const
const uuid = { type: 'string', format: 'uuid' } as const
const dateTime = { type: 'string', format: 'date-time' } as const
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const
const nullableText = { type: ['string', 'null'] } as const
const words = (max = 4000) => ({ type: 'string', minLength: 1, maxLength: max }) as const
const partyRef = {
  type: 'object', additionalProperties: false, required: ['org', 'sub'],
  properties: { org: oin, sub: { type: 'string', minLength: 1, maxLength: 256 } }
} as const
const problemResponse = { $ref: 'Problem#' } as const
const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, problemResponse]))
const security = [{ bearer: [] }]

export const caseParams = {
  type: 'object', additionalProperties: false, required: ['caseId'],
  properties: { caseId: uuid }
} as const

const ifMatch = {
  type: 'object',
  properties: { 'if-match': { type: 'string', description: 'The version the change expects, as returned in ETag ("<version>"); 409 when the case is at another version' } }
} as const

// ---- views ----------------------------------------------------------------------------------

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
        type: 'object', additionalProperties: false, required: ['subjectRef', 'role'],
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
        type: 'object', additionalProperties: false, required: ['org', 'addedAt'],
        properties: { org: oin, addedAt: dateTime, necessity: nullableText, addedBy: partyRef }
      }
    },
    objections: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['objectionId', 'subjectRef', 'status', 'lodgedAt', 'decidedAt'],
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

/** schemas/case-state.schema.json, written out for Fastify's serialiser (draft 2020-12 refs resolved). */
export const decisionStateSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'The facts the gateway decides on (schemas/case-state.schema.json): pseudonyms, never a BSN, no words about the person.',
  required: ['caseId', 'version', 'route', 'phase', 'municipality', 'coordinator', 'subjects', 'problems', 'seriousGrounds',
    'clientInformed', 'scope', 'participants', 'objections', 'openedAt', 'closedAt'],
  properties: {
    caseId: uuid,
    version: { type: 'integer', minimum: 1 },
    route: { enum: ROUTES },
    phase: { enum: PHASES },
    municipality: oin,
    coordinator: partyRef,
    subjects: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['subjectRef', 'role'], properties: { subjectRef: { type: 'string', minLength: 16 }, role: { enum: SUBJECT_ROLES } } }
    },
    problems: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['domain'], properties: { domain: { enum: DOMAINS } } } },
    seriousGrounds: { type: 'array', items: { enum: SERIOUS_GROUNDS } },
    clientInformed: { type: 'boolean' },
    scope: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['domains', 'parties', 'withdrawn', 'recordedAt'],
      properties: { domains: { type: 'array', items: { enum: DOMAINS } }, parties: { type: 'array', items: oin }, withdrawn: { type: 'boolean' }, recordedAt: dateTime }
    },
    participants: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, required: ['org', 'necessity', 'addedAt'], properties: { org: oin, necessity: { type: 'string' }, addedAt: dateTime } }
    },
    objections: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['objectionId', 'subjectRef', 'status'],
        properties: { objectionId: uuid, subjectRef: { type: 'string' }, status: { enum: ['pending', 'upheld', 'rejected'] } }
      }
    },
    openedAt: dateTime,
    closedAt: nullableDateTime
  }
} as const

const eventSummary = {
  type: 'object', additionalProperties: false, required: ['seq', 'eventId', 'type', 'hash', 'recordedAt'],
  properties: { seq: { type: 'integer' }, eventId: uuid, type: { enum: EVENT_TYPES }, hash: { type: 'string' }, recordedAt: dateTime }
} as const

const writeResult = (extra: Record<string, unknown> = {}) => ({
  type: 'object',
  additionalProperties: false,
  required: ['caseId', 'version', 'event', 'state', ...Object.keys(extra)],
  description: 'The recorded event and the case as it is now (committed: every later read sees it).',
  properties: { caseId: uuid, version: { type: 'integer' }, event: eventSummary, state: caseViewSchema, ...extra }
}) as const

// ---- routes ---------------------------------------------------------------------------------

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
        type: 'array', maxItems: 20,
        items: {
          type: 'object', additionalProperties: false, required: ['bsn', 'role'],
          // The eleven-test runs as rule BSN_INVALID, so a wrong BSN is reported once, by pointer, never echoed.
          properties: { bsn: { type: 'string', maxLength: 32, description: 'BSN: nine digits passing the eleven-test' }, role: { enum: SUBJECT_ROLES } }
        }
      },
      problems: {
        type: 'array', maxItems: 20,
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

export const getCaseSchema = {
  tags: ['cases'], operationId: 'getCase', summary: 'The current state of a case', security,
  responseHeaders: { 200: ['ETag'] },
  description: 'College and coordinator of the municipality (with BSNs), the supervisor (pseudonyms), participants (reduced view). ETag = version.',
  params: caseParams,
  response: { 200: caseViewSchema, ...problems(400, 401, 403, 404) }
} as const

export const decisionStateRouteSchema = {
  tags: ['cases'], operationId: 'getDecisionState', summary: 'The case state the gateway decides on', security,
  responseHeaders: { 200: ['ETag'] },
  description: 'Role gateway (and the supervisor). Read synchronously from the committed projection: every change acknowledged before the read started is in it.',
  params: caseParams,
  response: { 200: decisionStateSchema, ...problems(400, 401, 403, 404) }
} as const

export const ledgerSchema = {
  tags: ['cases'], operationId: 'getCaseLedger', summary: 'The case\'s append-only event history with its hash chain', security,
  responseHeaders: { 200: ['ETag'] },
  description: 'College and coordinator of the municipality, and the supervisor (who gets events holding BSNs without content). content is null once purged; the hashes stay, so the chain verifies.',
  params: caseParams,
  response: {
    200: {
      type: 'object', additionalProperties: false, required: ['caseId', 'version', 'events'],
      properties: {
        caseId: uuid,
        version: { type: 'integer' },
        events: {
          type: 'array',
          items: {
            type: 'object', additionalProperties: false,
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

export const verificationSchema = {
  tags: ['cases'], operationId: 'verifyCaseLedger', summary: 'Verify the case\'s hash chain', security,
  description: 'Recomputes every content hash and chain hash and checks the length against the case version.',
  params: caseParams,
  response: {
    200: {
      type: 'object', additionalProperties: false, required: ['valid', 'length', 'firstInvalidSeq', 'reason'],
      properties: { valid: { type: 'boolean' }, length: { type: 'integer' }, firstInvalidSeq: { type: ['integer', 'null'] }, reason: nullableText }
    },
    ...problems(400, 401, 403, 404)
  }
} as const

export const scopeSchema = {
  tags: ['cases'], operationId: 'recordScope', summary: 'Record the client\'s scope (route hulpvraag)', security,
  responseHeaders: { 200: ['ETag'] },
  description: 'The domains and parties the client decided, with the client\'s statement; replaces the previous scope. Empty domains and parties withdraw it. Participants outside the new scope stop participating.',
  params: caseParams,
  headers: ifMatch,
  body: {
    type: 'object', additionalProperties: false, required: ['domains', 'parties', 'statement'],
    properties: {
      domains: { type: 'array', uniqueItems: true, items: { enum: DOMAINS } },
      parties: { type: 'array', uniqueItems: true, maxItems: 100, items: oin },
      statement: { ...words(), description: 'The client\'s decision in words' }
    }
  },
  response: { 200: writeResult(), ...problems(400, 401, 403, 404, 409) }
} as const

export const addParticipantSchema = {
  tags: ['cases'], operationId: 'addParticipant', summary: 'Add a participant', security,
  responseHeaders: { 201: ['ETag'] },
  description: 'An active party with a necessity statement; on route hulpvraag only a party inside the client\'s current scope.',
  params: caseParams,
  headers: ifMatch,
  body: {
    type: 'object', additionalProperties: false, required: ['org', 'necessity'],
    properties: { org: oin, necessity: { type: 'string', minLength: MIN_STATEMENT_LENGTH, maxLength: 4000 } }
  },
  response: { 201: writeResult(), ...problems(400, 401, 403, 404, 409) }
} as const

export const removeParticipantSchema = {
  tags: ['cases'], operationId: 'removeParticipant', summary: 'Remove a participant', security,
  description: 'The party stops participating in the case, with an optional reason; 404 PARTICIPANT_NOT_FOUND when it does not participate.',
  responseHeaders: { 200: ['ETag'] },
  params: { type: 'object', additionalProperties: false, required: ['caseId', 'org'], properties: { caseId: uuid, org: oin } },
  headers: ifMatch,
  body: { type: 'object', additionalProperties: false, properties: { reason: words() } },
  response: { 200: writeResult(), ...problems(400, 401, 403, 404, 409) }
} as const

export const phaseSchema = {
  tags: ['cases'], operationId: 'changePhase', summary: 'Move the case to the next phase', security,
  responseHeaders: { 200: ['ETag'] },
  description: 'Only forward: onderzoek → aanpak. Closing is POST /close with a reason.',
  params: caseParams,
  headers: ifMatch,
  body: { type: 'object', additionalProperties: false, required: ['phase'], properties: { phase: { enum: PHASES }, reason: words() } },
  response: { 200: writeResult(), ...problems(400, 401, 403, 404, 409) }
} as const

export const closeSchema = {
  tags: ['cases'], operationId: 'closeCase', summary: 'Close the case', security,
  responseHeaders: { 200: ['ETag'] },
  description: 'Starts the retention period; nothing changes a closed case afterwards.',
  params: caseParams,
  headers: ifMatch,
  body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: words() } },
  response: { 200: writeResult(), ...problems(400, 401, 403, 404, 409) }
} as const

export const lodgeObjectionSchema = {
  tags: ['cases'], operationId: 'lodgeObjection', summary: 'Lodge an objection (bezwaar, GDPR art. 21)', security,
  responseHeaders: { 201: ['ETag'] },
  description: 'subject: the BSN of the person objecting (in the body, never in a URL), a subject of the case. Stored as its pseudonym.',
  params: caseParams,
  headers: ifMatch,
  body: {
    type: 'object', additionalProperties: false, required: ['subject', 'reason'],
    properties: { subject: { type: 'string', format: 'bsn', description: 'BSN of the person objecting' }, reason: words() }
  },
  response: { 201: writeResult({ objectionId: uuid }), ...problems(400, 401, 403, 404, 409) }
} as const

export const decideObjectionSchema = {
  tags: ['cases'], operationId: 'decideObjection', summary: 'Decide an objection', security,
  description: 'Upheld or rejected, with a reason, once: 409 OBJECTION_ALREADY_DECIDED for an objection already decided, 404 OBJECTION_NOT_FOUND for one the case does not hold.',
  responseHeaders: { 200: ['ETag'] },
  params: { type: 'object', additionalProperties: false, required: ['caseId', 'objectionId'], properties: { caseId: uuid, objectionId: uuid } },
  headers: ifMatch,
  body: { type: 'object', additionalProperties: false, required: ['upheld', 'reason'], properties: { upheld: { type: 'boolean' }, reason: words() } },
  response: { 200: writeResult(), ...problems(400, 401, 403, 404, 409) }
} as const
