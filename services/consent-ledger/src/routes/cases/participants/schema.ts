// POST /v1/cases/{caseId}/participants and DELETE /v1/cases/{caseId}/participants/{org}.
import { MIN_STATEMENT_LENGTH } from '../../../case-rules.ts'
import { caseParams, ifMatch, oin, problems, security, uuid, words, writeResult } from '../schema.ts'

export interface AddParticipantBody { org: string, necessity: string }
export interface ParticipantParams { caseId: string, org: string }
export interface RemoveParticipantBody { reason?: string }

export const addParticipantSchema = {
  tags: ['cases'],
  operationId: 'addParticipant',
  summary: 'Add a participant',
  security,
  responseHeaders: { 201: ['ETag'] },
  description: 'An active party with a necessity statement; on route hulpvraag only a party inside the client\'s current scope.',
  params: caseParams,
  headers: ifMatch,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['org', 'necessity'],
    properties: { org: oin, necessity: { type: 'string', minLength: MIN_STATEMENT_LENGTH, maxLength: 4000 } }
  },
  response: { 201: writeResult(), ...problems(400, 401, 403, 404, 409) }
} as const

export const removeParticipantSchema = {
  tags: ['cases'],
  operationId: 'removeParticipant',
  summary: 'Remove a participant',
  security,
  description: 'The party stops participating in the case, with an optional reason; 404 PARTICIPANT_NOT_FOUND when it does not participate.',
  responseHeaders: { 200: ['ETag'] },
  params: { type: 'object', additionalProperties: false, required: ['caseId', 'org'], properties: { caseId: uuid, org: oin } },
  headers: ifMatch,
  body: { type: 'object', additionalProperties: false, properties: { reason: words() } },
  response: { 200: writeResult(), ...problems(400, 401, 403, 404, 409) }
} as const
