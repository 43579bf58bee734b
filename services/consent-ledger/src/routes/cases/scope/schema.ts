// PUT /v1/cases/{caseId}/scope: the client's scope on route hulpvraag.
import { DOMAINS, type Domain } from '../../../case-state.ts'
import { caseParams, ifMatch, oin, problems, security, words, writeResult } from '../schema.ts'

export interface ScopeBody { domains: Domain[], parties: string[], statement: string }

export const scopeSchema = {
  tags: ['cases'],
  operationId: 'recordScope',
  summary: 'Record the client\'s scope (route hulpvraag)',
  security,
  responseHeaders: { 200: ['ETag'] },
  description: 'The domains and parties the client decided, with the client\'s statement; replaces the previous scope. Empty domains and parties withdraw it. Participants outside the new scope stop participating.',
  params: caseParams,
  headers: ifMatch,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['domains', 'parties', 'statement'],
    properties: {
      domains: { type: 'array', uniqueItems: true, items: { enum: DOMAINS } },
      parties: { type: 'array', uniqueItems: true, maxItems: 100, items: oin },
      statement: { ...words(), description: 'The client\'s decision in words' }
    }
  },
  response: { 200: writeResult(), ...problems(400, 401, 403, 404, 409) }
} as const
