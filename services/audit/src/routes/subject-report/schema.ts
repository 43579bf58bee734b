// POST /v1/audit/subject-report: the inzage report of one person. AuditReportParty is a shared
// schema (added by the routes, ./index.ts), a component of the OpenAPI document.
import type { Language } from '../../subject-report.ts'
import { problems, security, tags } from '../schema.ts'

export interface SubjectReportBody { bsn: string, language?: Language }

export const reportPartySchema = {
  $id: 'AuditReportParty',
  type: 'object',
  additionalProperties: false,
  required: ['org', 'name', 'partyType'],
  properties: { org: { type: ['string', 'null'] }, name: { type: 'string' }, partyType: { type: ['string', 'null'] } }
} as const

const reportEntry = {
  type: 'object',
  additionalProperties: false,
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

const caseEntry = {
  type: 'object',
  additionalProperties: false,
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
  tags,
  security,
  operationId: 'getSubjectReport',
  summary: 'Data-subject access report (inzage): every disclosure about one person, every refused request, and every event of a case about them, in plain words',
  description: 'For the supervisor (everything), or for the college or coordinator of a gemeente that has a case in which the person is a subject, as the consent ledger says (asked with the caller\'s own token; 503 CONSENT_LEDGER_UNAVAILABLE when it cannot be asked, nothing given), and then what that gemeente may see: its cases and its own requests; a resident asks through the municipality\'s portal. The BSN goes in the body only. UAVG art. 41: while a case of route ernstig with clientInformed false is not closed, a municipality\'s report leaves that case\'s events out and counts them only in `withheld` (for the municipality, never to be shown to the resident); the supervisor sees everything. Asking for a report is itself an audit event (subject-report.requested): granted (permit), refused (deny) or undecided (error, the ledger unavailable).',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['bsn'],
    properties: { bsn: { type: 'string', format: 'bsn' }, language: { enum: ['nl', 'en'], default: 'nl' } }
  },
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['language', 'generatedAt', 'summary', 'disclosures', 'refusals', 'caseEvents', 'withheld'],
      properties: {
        language: { enum: ['nl', 'en'] },
        generatedAt: { type: 'string', format: 'date-time' },
        summary: { type: 'string', description: 'For the resident: says nothing about withheld events' },
        disclosures: { type: 'array', items: reportEntry },
        refusals: { type: 'array', items: reportEntry },
        caseEvents: { type: 'array', items: caseEntry, description: 'Events of cases about the person (the case opening, scope, participants, phases, objections, closing)' },
        withheld: {
          type: 'object',
          additionalProperties: false,
          required: ['events', 'cases', 'basis'],
          description: 'For the municipality only, never to be shown to the resident: events left out under UAVG art. 41. Always present; zero for the supervisor.',
          properties: { events: { type: 'integer', minimum: 0 }, cases: { type: 'integer', minimum: 0 }, basis: { type: 'string' } }
        }
      }
    },
    ...problems(400, 401, 403, 415, 503)
  }
} as const
