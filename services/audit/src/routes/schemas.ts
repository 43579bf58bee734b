// The HTTP contract of the audit service: a JSON Schema for every parameter, body and response,
// so Fastify validates the input and /v1/openapi.json documents every route.
import inclusionReceiptsSchema from '@wams/schemas/inclusion-receipts.schema.json' with { type: 'json' }
const oin = { type: 'string', pattern: '^[0-9]{20}$', description: 'OIN (20 digits)' } as const
const base64Hash = { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$', description: 'SHA-256 hash, base64' } as const
const problem = { $ref: 'Problem#' } as const
const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, problem]))
const security = [{ bearer: [] }]
const tags = ['audit']

export const OUTCOMES = ['permit', 'deny', 'refused', 'not-known', 'error', 'recorded', 'rejected'] as const

const filterProperties = {
  caseId: { type: 'string', format: 'uuid', description: 'Events of this case' },
  org: { ...oin, description: 'Events where this organisation is the requester (actor.org) or the provider' },
  outcome: { enum: OUTCOMES },
  category: { type: 'string', pattern: '^[a-z-]{1,40}$', description: 'Data category, e.g. health' },
  from: { type: 'string', format: 'date-time', description: 'Events at or after this time' },
  to: { type: 'string', format: 'date-time', description: 'Events before this time' },
  flag: { enum: ['objection-overridden'], description: 'Decisions flagged for the supervisor: objection-overridden = permitted despite a pending objection, to protect another person (rule 11, GDPR art. 18(2))' }
} as const

const pageProperties = {
  cursor: { type: 'string', maxLength: 200, description: 'nextCursor of the previous page (opaque)' },
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 }
} as const

// The event is returned exactly as it was hashed into the log (RFC 8785 of this object), so its
// schema passes every property through unchanged; its contract is schemas/audit-event.schema.json.
const eventSchema = {
  type: ['object', 'null'],
  additionalProperties: true,
  description: 'The audit event (schemas/audit-event.schema.json) exactly as hashed into the log; null once its content was purged after the retention period'
} as const

const eventItem = {
  type: 'object',
  additionalProperties: false,
  required: ['event', 'leafIndex', 'leafHash'],
  properties: {
    event: eventSchema,
    leafIndex: { type: 'integer', minimum: 0, description: 'Place of the event in the Merkle tree log' },
    leafHash: { ...base64Hash, description: 'SHA-256(0x00 ‖ RFC 8785 JSON of event), base64' }
  }
} as const

const eventPage = {
  type: 'object',
  additionalProperties: false,
  required: ['events', 'nextCursor'],
  properties: {
    events: { type: 'array', items: eventItem },
    nextCursor: { type: ['string', 'null'], description: 'Pass as cursor for the next page; null on the last page' }
  }
} as const

export const listEventsSchema = {
  tags, security,
  operationId: 'listEvents',
  summary: 'Audit events in log order, filtered and paged, as far as the caller may see them',
  description: 'A supervisor of the toezichthouder sees every event; any other party the events where it is the requester or the provider; a gemeente also every event of the cases it owns.',
  querystring: { type: 'object', additionalProperties: false, properties: { ...filterProperties, ...pageProperties } },
  response: { 200: eventPage, ...problems(400, 401, 403) }
} as const

export const searchEventsSchema = {
  tags, security,
  operationId: 'searchEventsByPerson',
  summary: 'Audit events about one person: the BSN goes in the body, never in a URL, and is turned into its pseudonym',
  description: 'A read that uses POST, a documented deviation: the BSN must not travel in a URL. It is turned into its keyed pseudonym at once; the filters, paging and scoping are those of GET /v1/audit/events.',
  body: {
    type: 'object', additionalProperties: false, required: ['bsn'],
    properties: { bsn: { type: 'string', format: 'bsn', description: 'BSN of the person (eleven-test)' }, ...filterProperties, ...pageProperties }
  },
  response: { 200: eventPage, ...problems(400, 401, 403, 415) }
} as const

export const eventParams = {
  type: 'object', additionalProperties: false, required: ['eventId'],
  properties: { eventId: { type: 'string', format: 'uuid' } }
} as const

export const getEventSchema = {
  tags, security,
  operationId: 'getEvent',
  summary: 'One event with its inclusion proof against the latest signed checkpoint',
  responseHeaders: { 404: ['Retry-After'] },
  description: 'Verify: SHA-256(0x00 ‖ RFC 8785 JSON of event) is leafHash; the RFC 9162 inclusion proof of leafIndex in a tree of treeSize leaves gives rootHash; signedNote (GET /v1/audit/keys) signs treeSize and rootHash. 404 when the event is unknown, not visible to the caller, or not yet covered by a checkpoint.',
  params: eventParams,
  response: {
    200: {
      type: 'object', additionalProperties: false,
      required: ['event', 'leafIndex', 'leafHash', 'treeSize', 'rootHash', 'inclusionProof', 'signedNote'],
      properties: {
        ...eventItem.properties,
        treeSize: { type: 'integer', minimum: 1 },
        rootHash: base64Hash,
        inclusionProof: { type: 'array', items: base64Hash, description: 'Audit path from the leaf to the root (RFC 9162 §2.1.3)' },
        signedNote: { type: 'string', description: 'The checkpoint (C2SP signed note) of treeSize and rootHash' }
      }
    },
    ...problems(400, 401, 403, 404)
  }
} as const

const checkpointBody = {
  type: 'object', additionalProperties: false,
  required: ['origin', 'treeSize', 'rootHash', 'signedNote', 'signedAt'],
  properties: {
    origin: { type: 'string' },
    treeSize: { type: 'integer', minimum: 0 },
    rootHash: base64Hash,
    signedNote: { type: 'string', description: 'C2SP checkpoint: origin, tree size and root hash, signed with Ed25519' },
    signedAt: { type: 'string', format: 'date-time' }
  }
} as const

export const getCheckpointSchema = {
  tags,
  operationId: 'getLatestCheckpoint',
  summary: 'The latest signed checkpoint (public)',
  description: 'The C2SP signed note of the log\'s latest tree size and root hash, with the same fields apart; 404 before the log signed its first checkpoint.',
  response: { 200: checkpointBody, ...problems(404) }
} as const

export const postCheckpointSchema = {
  tags, security,
  operationId: 'signCheckpoint',
  summary: 'Sign a checkpoint of the log as it is now (supervisor)',
  description: '201 with a new checkpoint when the log grew since the latest one, else 200 with the latest. The log refuses to sign a checkpoint that is not consistent with the previous one.',
  response: { 200: checkpointBody, 201: checkpointBody, ...problems(401, 403, 500) }
} as const

export const keysSchema = {
  tags,
  operationId: 'listKeys',
  summary: 'The public keys that verify the checkpoints (public)',
  description: 'Each key as a signed-note verifier key (the --key of wams verify) and as a PEM public key.',
  response: {
    200: {
      type: 'object', additionalProperties: false, required: ['keys'],
      properties: {
        keys: {
          type: 'array',
          items: {
            type: 'object', additionalProperties: false, required: ['name', 'algorithm', 'verifierKey', 'publicKeyPem'],
            properties: {
              name: { type: 'string' },
              algorithm: { const: 'Ed25519' },
              verifierKey: { type: 'string', description: 'Signed-note verifier key <name>+<key hash>+<base64>, the --key of wams verify' },
              publicKeyPem: { type: 'string' }
            }
          }
        }
      }
    }
  }
} as const

const { $schema: _s, $id: _i, ...receiptsBody } = inclusionReceiptsSchema

export const receiptsSchema = {
  tags,
  operationId: 'getInclusionReceipts',
  summary: 'Inclusion receipts: does the log hold these events under its latest signed checkpoint? (producers)',
  description: 'Producers (gateway, consent ledger) keep each audit event until a receipt proves that the log holds it; they verify the proof and the checkpoint signature themselves. Public like the checkpoint: the answer holds positions and hashes only, never event content.',
  body: {
    type: 'object', additionalProperties: false, required: ['eventIds'],
    properties: { eventIds: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', format: 'uuid' } } }
  },
  response: { 200: receiptsBody, ...problems(400) }
} as const

export const rejectedSchema = {
  tags, security,
  operationId: 'listRejectedMessages',
  summary: 'Messages on the audit topic the log could not store (supervisor)',
  description: 'Never dropped silently: kept, counted, listed here without their content (the newest 100), and while any exist the readiness of the audit service reports degraded.',
  response: {
    200: {
      type: 'object', additionalProperties: false, required: ['count', 'messages'],
      properties: {
        count: { type: 'integer' },
        messages: {
          type: 'array',
          items: {
            type: 'object', additionalProperties: false, required: ['id', 'topic', 'partition', 'offset', 'receivedAt', 'problems'],
            properties: {
              id: { type: 'integer' }, topic: { type: 'string' }, partition: { type: 'integer' }, offset: { type: 'string' },
              receivedAt: { type: 'string', format: 'date-time' }, problems: { type: 'array', items: { type: 'string' } }
            }
          }
        }
      }
    },
    ...problems(401, 403)
  }
} as const

export const consistencySchema = {
  tags, security,
  operationId: 'getConsistencyProof',
  summary: 'Consistency proof between two tree sizes (RFC 9162 §2.1.4)',
  description: 'Proves that the tree of size `to` extends the tree of size `from` without changing it; `to` at most the latest checkpoint\'s tree size.',
  querystring: {
    type: 'object', additionalProperties: false, required: ['from', 'to'],
    properties: {
      from: { type: 'integer', minimum: 0, description: 'The earlier tree size' },
      to: { type: 'integer', minimum: 0, description: 'The later tree size, at most the latest checkpoint\'s' }
    }
  },
  response: {
    200: {
      type: 'object', additionalProperties: false, required: ['from', 'to', 'proof'],
      properties: { from: { type: 'integer' }, to: { type: 'integer' }, proof: { type: 'array', items: base64Hash } }
    },
    ...problems(400, 401, 403)
  }
} as const

export const streamSchema = {
  tags, security,
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

const reportEntry = {
  type: 'object', additionalProperties: false,
  required: ['eventId', 'leafIndex', 'time', 'outcome', 'requester', 'provider', 'category', 'categoryText', 'fields', 'fieldsText', 'purpose', 'purposeText', 'legalBasis', 'reasons', 'providerReason', 'text'],
  properties: {
    eventId: { type: 'string' },
    leafIndex: { type: ['integer', 'null'] },
    time: { type: 'string', format: 'date-time' },
    outcome: { enum: ['permit', 'refused', 'deny'] },
    requester: { $ref: 'AuditReportParty#' },
    provider: { $ref: 'AuditReportParty#' },
    category: { type: ['string', 'null'] },
    categoryText: { type: 'string' },
    fields: { type: 'array', items: { type: 'string' } },
    fieldsText: { type: 'array', items: { type: 'string' } },
    purpose: { type: ['string', 'null'] },
    purposeText: { type: 'string' },
    legalBasis: { type: ['string', 'null'] },
    reasons: { type: 'array', items: { type: 'string' }, description: 'Reason codes of the rules that refused the request' },
    providerReason: { type: ['string', 'null'], description: 'The provider\'s own reason when it refused' },
    text: { type: 'string', description: 'The entry in one sentence' }
  }
} as const

export const reportPartySchema = {
  $id: 'AuditReportParty',
  type: 'object', additionalProperties: false, required: ['org', 'name', 'partyType'],
  properties: { org: { type: ['string', 'null'] }, name: { type: 'string' }, partyType: { type: ['string', 'null'] } }
} as const

const caseEntry = {
  type: 'object', additionalProperties: false,
  required: ['eventId', 'leafIndex', 'time', 'eventType', 'role', 'by', 'legalBasis', 'text'],
  properties: {
    eventId: { type: 'string' },
    leafIndex: { type: ['integer', 'null'] },
    time: { type: 'string', format: 'date-time' },
    eventType: { type: 'string', description: 'The consent-ledger event: case.opened, scope.recorded, participant.added, ..., case.closed, case.purged' },
    role: { type: ['string', 'null'], description: 'The person\'s role in the case: client or household-member' },
    by: { $ref: 'AuditReportParty#' },
    legalBasis: { type: ['string', 'null'] },
    text: { type: 'string', description: 'The entry in one sentence' }
  }
} as const

export const subjectReportSchema = {
  tags, security,
  operationId: 'getSubjectReport',
  summary: 'Data-subject access report (inzage): every disclosure about one person, every refused request, and every event of a case about them, in plain words',
  description: 'For the supervisor (everything), or for the college or coordinator of a gemeente that owns a case of the person (what that gemeente may see: its cases and its own requests); a resident asks through the municipality\'s portal. The BSN goes in the body only. UAVG art. 41: while a case of route ernstig with clientInformed false is not closed, a municipality\'s report leaves that case\'s events out and counts them only in `withheld` (for the municipality, never to be shown to the resident); the supervisor sees everything. Asking for a report is itself an audit event (subject-report.requested), granted or not.',
  body: {
    type: 'object', additionalProperties: false, required: ['bsn'],
    properties: { bsn: { type: 'string', format: 'bsn' }, language: { enum: ['nl', 'en'], default: 'nl' } }
  },
  response: {
    200: {
      type: 'object', additionalProperties: false, required: ['language', 'generatedAt', 'summary', 'disclosures', 'refusals', 'caseEvents', 'withheld'],
      properties: {
        language: { enum: ['nl', 'en'] },
        generatedAt: { type: 'string', format: 'date-time' },
        summary: { type: 'string', description: 'For the resident: says nothing about withheld events' },
        disclosures: { type: 'array', items: reportEntry },
        refusals: { type: 'array', items: reportEntry },
        caseEvents: { type: 'array', items: caseEntry, description: 'Events of cases about the person (the case opening, scope, participants, phases, objections, closing)' },
        withheld: {
          type: 'object', additionalProperties: false, required: ['events', 'cases', 'basis'],
          description: 'For the municipality only, never to be shown to the resident: events left out under UAVG art. 41. Always present; zero for the supervisor.',
          properties: { events: { type: 'integer', minimum: 0 }, cases: { type: 'integer', minimum: 0 }, basis: { type: 'string' } }
        }
      }
    },
    ...problems(400, 401, 403, 415, 503)
  }
} as const

export const exportSchema = {
  tags, security,
  operationId: 'exportLog',
  summary: 'Export of the log as JSONL, one line per leaf in leaf order: the input of wams verify (supervisor)',
  responseHeaders: { 200: ['Content-Disposition'] },
  description: 'Each line is {"leafIndex":n,"leafHash":"<base64>","event":<RFC 8785 JSON of the event, or null when purged>}. Leaves [from, to); to defaults to the latest checkpoint\'s tree size.',
  querystring: {
    type: 'object', additionalProperties: false,
    properties: { from: { type: 'integer', minimum: 0, default: 0 }, to: { type: 'integer', minimum: 0 } }
  },
  response: {
    200: { description: 'application/x-ndjson', content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
    ...problems(400, 401, 403)
  }
} as const
