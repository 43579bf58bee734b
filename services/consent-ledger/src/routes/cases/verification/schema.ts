// GET /v1/cases/{caseId}/verification: the case's hash chain, recomputed.
import { caseParams, nullableText, problems, security } from '../schema.ts'

export const verificationSchema = {
  tags: ['cases'],
  operationId: 'verifyCaseLedger',
  summary: 'Verify the case\'s hash chain',
  security,
  description: 'Recomputes every content hash and chain hash and checks the length against the case version.',
  params: caseParams,
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['valid', 'length', 'firstInvalidSeq', 'reason'],
      properties: { valid: { type: 'boolean' }, length: { type: 'integer' }, firstInvalidSeq: { type: ['integer', 'null'] }, reason: nullableText }
    },
    ...problems(400, 401, 403, 404)
  }
} as const
