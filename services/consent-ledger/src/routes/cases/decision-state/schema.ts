// GET /v1/cases/{caseId}/decision-state: the facts the gateway decides on. The response is the
// contract schemas/case-state.schema.json (the tests check it against that file).
import { DOMAINS, PHASES, ROUTES, SERIOUS_GROUNDS, SUBJECT_ROLES } from '../../../case-state.ts'
import { caseParams, dateTime, nullableDateTime, oin, partyRef, problems, security, uuid } from '../schema.ts'

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
        type: 'object',
        additionalProperties: false,
        required: ['objectionId', 'subjectRef', 'status'],
        properties: { objectionId: uuid, subjectRef: { type: 'string' }, status: { enum: ['pending', 'upheld', 'rejected'] } }
      }
    },
    openedAt: dateTime,
    closedAt: nullableDateTime
  }
} as const

export const decisionStateRouteSchema = {
  tags: ['cases'],
  operationId: 'getDecisionState',
  summary: 'The case state the gateway decides on',
  security,
  responseHeaders: { 200: ['ETag'] },
  description: 'Role gateway (and the supervisor). Read synchronously from the committed projection: every change acknowledged before the read started is in it.',
  params: caseParams,
  response: { 200: decisionStateSchema, ...problems(400, 401, 403, 404) }
} as const
