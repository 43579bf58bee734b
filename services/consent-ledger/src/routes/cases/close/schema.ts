// POST /v1/cases/{caseId}/close: closing, with a reason.
import { caseParams, ifMatch, problems, security, words, writeResult } from '../schema.ts'

export interface CloseBody { reason: string }

export const closeSchema = {
  tags: ['cases'],
  operationId: 'closeCase',
  summary: 'Close the case',
  security,
  responseHeaders: { 200: ['ETag'] },
  description: 'Starts the retention period; nothing changes a closed case afterwards.',
  params: caseParams,
  headers: ifMatch,
  body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: words() } },
  response: { 200: writeResult(), ...problems(400, 401, 403, 404, 409) }
} as const
