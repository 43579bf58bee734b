// GET /v1/audit/events, POST /v1/audit/events/search and GET /v1/audit/events/{eventId}: the
// events in log order with filters and cursor pages, the search by person, one event with its
// inclusion proof. The filters are shared with the live stream (../stream/schema.ts).
import type { EventFilters } from '../../event-query.ts'
import { base64Hash, oin, problems, security, tags } from '../schema.ts'

export const OUTCOMES = ['permit', 'deny', 'refused', 'not-known', 'error', 'recorded', 'rejected'] as const

export const filterProperties = {
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

/** The filters and the page of a list (querystring) or a search (body, with the BSN). */
export type EventsQuery = Omit<EventFilters, 'subjectRef'> & { cursor?: string, limit?: number }
export type SearchEventsBody = EventsQuery & { bsn: string }
export interface EventParams { eventId: string }

// An event seen in full is returned exactly as it was hashed into the log (RFC 8785 of this
// object), so its schema passes every property through unchanged; its contract is
// schemas/audit-event.schema.json. A provider gets what it received (../../views.ts), listed
// property by property: nothing else leaves.
const eventSchema = {
  type: ['object', 'null'],
  additionalProperties: true,
  description: 'The audit event (schemas/audit-event.schema.json) exactly as hashed into the log; null once its content was purged after the retention period'
} as const

const nullableString = { type: ['string', 'null'] } as const

const providerEventSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['eventId', 'time', 'type', 'traceId', 'transactionId', 'actor', 'caseRef', 'provider', 'category', 'purpose', 'fieldsRequested', 'outcome', 'legalBasis', 'necessity', 'detail'],
  description: 'A request the gateway sent to the provider, as the provider received it: the caseRef it was sent (not the case id), the requesting organisation and party type (not the person), what was asked and what it answered. Not the subject\'s pseudonym, no reason codes, no flags.',
  properties: {
    eventId: { type: 'string', format: 'uuid' },
    time: { type: 'string', format: 'date-time' },
    type: { enum: ['data-request.decision', 'involvement-check.decision'] },
    traceId: { type: 'string', description: 'W3C trace id of the call (the traceparent it received)' },
    transactionId: { type: 'string', description: 'The requestId it received' },
    actor: {
      type: 'object',
      additionalProperties: false,
      required: ['org', 'partyType'],
      description: 'The requesting organisation',
      properties: { org: nullableString, partyType: nullableString }
    },
    caseRef: { ...nullableString, description: 'The per-provider pseudonym of the case it received' },
    provider: nullableString,
    category: nullableString,
    purpose: nullableString,
    fieldsRequested: { type: 'array', items: { type: 'string' }, description: 'The fields it was asked for' },
    outcome: { enum: ['permit', 'refused', 'not-known', 'error'] },
    legalBasis: nullableString,
    necessity: { ...nullableString, description: 'The necessity statement it received (BSN-like digits masked)' },
    detail: {
      type: 'object',
      additionalProperties: false,
      required: ['partnerStatus'],
      properties: {
        partnerStatus: { type: ['integer', 'null'], description: 'The HTTP status of its answer; null when none came back' },
        error: { type: 'string', description: 'Why its answer could not be used (PARTNER_TIMEOUT, PARTNER_FAILED, PARTNER_RESPONSE_INVALID, PARTNER_SCHEMA_VIOLATION)' },
        providerReason: { type: 'string', description: 'Its own stated reason when it refused' }
      }
    }
  }
} as const

const fullItemProperties = {
  view: { enum: ['full'], description: 'The event in full, as hashed into the log' },
  event: eventSchema,
  leafIndex: { type: 'integer', minimum: 0, description: 'Place of the event in the Merkle tree log' },
  leafHash: { ...base64Hash, description: 'SHA-256(0x00 ‖ RFC 8785 JSON of event), base64' }
} as const

const fullItem = {
  type: 'object',
  additionalProperties: false,
  required: ['view', 'event', 'leafIndex', 'leafHash'],
  properties: fullItemProperties
} as const

const providerItem = {
  type: 'object',
  additionalProperties: false,
  required: ['view', 'event', 'leafIndex'],
  description: 'A provider\'s view of a request sent to it. No leaf hash and no inclusion proof: the leaf hash is over the full event, which the provider does not get; the supervisor can open the leaf at leafIndex.',
  properties: {
    view: { enum: ['provider'], description: 'What the provider received' },
    event: providerEventSchema,
    leafIndex: { type: 'integer', minimum: 0, description: 'Place of the (full) event in the Merkle tree log' }
  }
} as const

const eventItem = { oneOf: [fullItem, providerItem] } as const

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
  tags,
  security,
  operationId: 'listEvents',
  summary: 'Audit events in log order, filtered and paged, as far as the caller may see them',
  description: 'A supervisor of the toezichthouder sees every event in full; any other party the events it caused (as requester) in full, except attempts without standing, and the requests the gateway sent to it (as provider) as it received them (view provider: the caseRef, the requesting organisation); a gemeente also every event of the cases it owns, in full. Filters on caseId and flag match only events seen in full.',
  querystring: { type: 'object', additionalProperties: false, properties: { ...filterProperties, ...pageProperties } },
  response: { 200: eventPage, ...problems(400, 401, 403) }
} as const

export const searchEventsSchema = {
  tags,
  security,
  operationId: 'searchEventsByPerson',
  summary: 'Audit events about one person: the BSN goes in the body, never in a URL, and is turned into its pseudonym',
  description: 'A read that uses POST, a documented deviation: the BSN must not travel in a URL. It is turned into its keyed pseudonym at once; the filters, paging and scoping are those of GET /v1/audit/events.',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['bsn'],
    properties: { bsn: { type: 'string', format: 'bsn', description: 'BSN of the person (eleven-test)' }, ...filterProperties, ...pageProperties }
  },
  response: { 200: eventPage, ...problems(400, 401, 403, 415) }
} as const

export const eventParams = {
  type: 'object',
  additionalProperties: false,
  required: ['eventId'],
  properties: { eventId: { type: 'string', format: 'uuid' } }
} as const

export const getEventSchema = {
  tags,
  security,
  operationId: 'getEvent',
  summary: 'One event with its inclusion proof against the latest signed checkpoint (a provider: what it received, without a proof)',
  responseHeaders: { 404: ['Retry-After'] },
  description: 'view full — verify: SHA-256(0x00 ‖ RFC 8785 JSON of event) is leafHash; the RFC 9162 inclusion proof of leafIndex in a tree of treeSize leaves gives rootHash; signedNote (GET /v1/audit/keys) signs treeSize and rootHash. view provider (a request sent to the caller as provider, shown only as it received it): no proof, since the leaf hash is over the full event. 404 when the event is unknown, not visible to the caller, or (view full) not yet covered by a checkpoint.',
  params: eventParams,
  response: {
    200: {
      oneOf: [{
        type: 'object',
        additionalProperties: false,
        required: ['view', 'event', 'leafIndex', 'leafHash', 'treeSize', 'rootHash', 'inclusionProof', 'signedNote'],
        properties: {
          ...fullItemProperties,
          treeSize: { type: 'integer', minimum: 1 },
          rootHash: base64Hash,
          inclusionProof: { type: 'array', items: base64Hash, description: 'Audit path from the leaf to the root (RFC 9162 §2.1.3)' },
          signedNote: { type: 'string', description: 'The checkpoint (C2SP signed note) of treeSize and rootHash' }
        }
      }, providerItem]
    },
    ...problems(400, 401, 403, 404)
  }
} as const
