// POST /v1/cases/{caseId}/objections and POST /v1/cases/{caseId}/objections/{objectionId}/decision.
import { caseParams, ifMatch, problems, security, uuid, words, writeResult } from '../schema.ts'

export interface LodgeObjectionBody { subject: string, reason: string }
export interface ObjectionParams { caseId: string, objectionId: string }
export interface DecideObjectionBody { upheld: boolean, reason: string }

export const lodgeObjectionSchema = {
  tags: ['cases'],
  operationId: 'lodgeObjection',
  summary: 'Lodge an objection (bezwaar, GDPR art. 21)',
  security,
  responseHeaders: { 201: ['ETag'] },
  description: 'subject: the BSN of the person objecting (in the body, never in a URL), a subject of the case. Stored as its pseudonym.',
  params: caseParams,
  headers: ifMatch,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['subject', 'reason'],
    properties: { subject: { type: 'string', format: 'bsn', description: 'BSN of the person objecting' }, reason: words() }
  },
  response: { 201: writeResult({ objectionId: uuid }), ...problems(400, 401, 403, 404, 409) }
} as const

export const decideObjectionSchema = {
  tags: ['cases'],
  operationId: 'decideObjection',
  summary: 'Decide an objection',
  security,
  description: 'Upheld or rejected, with a reason, once: 409 OBJECTION_ALREADY_DECIDED for an objection already decided, 404 OBJECTION_NOT_FOUND for one the case does not hold.',
  responseHeaders: { 200: ['ETag'] },
  params: { type: 'object', additionalProperties: false, required: ['caseId', 'objectionId'], properties: { caseId: uuid, objectionId: uuid } },
  headers: ifMatch,
  body: { type: 'object', additionalProperties: false, required: ['upheld', 'reason'], properties: { upheld: { type: 'boolean' }, reason: words() } },
  response: { 200: writeResult(), ...problems(400, 401, 403, 404, 409) }
} as const
