// POST /partners/{oin}/wams/v1/data-requests: the partner interface of SPEC section 6, as the
// gateway calls it. The subject (a BSN) travels in the body only.
import { commonSchema, type CategoryName, type PartyType, type Purpose } from '@wams/schemas'

export interface DataRequestBody {
  requestId: string
  caseRef: string
  subject: string
  category: CategoryName
  fields: string[]
  purpose: Purpose
  requester: { org: string, partyType: PartyType }
  necessity: string
  legalBasis: string
}

const defs = commonSchema.$defs
const problemRef = { $ref: 'Problem#' } as const

const bodySchema = {
  type: 'object',
  required: ['requestId', 'caseRef', 'subject', 'category', 'fields', 'purpose', 'requester', 'necessity', 'legalBasis'],
  properties: {
    requestId: { type: 'string', minLength: 1, maxLength: 100, description: 'The gateway\'s id of the request' },
    caseRef: { type: 'string', minLength: 1, maxLength: 200, description: 'Pseudonym of the case for this provider' },
    subject: { type: 'string', format: 'bsn', description: 'BSN of the person; in the body only, never logged' },
    category: { type: 'string', enum: defs.categoryName.enum },
    fields: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 100 }, description: 'Informative: the partner answers with its whole record; the gateway minimises' },
    purpose: { type: 'string', enum: defs.purpose.enum },
    requester: {
      type: 'object',
      required: ['org', 'partyType'],
      properties: { org: { type: 'string', pattern: defs.oin.pattern }, partyType: { type: 'string', enum: defs.partyType.enum } }
    },
    necessity: { type: 'string', minLength: 1, maxLength: 4000 },
    legalBasis: { type: 'string', minLength: 1, maxLength: 1000 }
  }
} as const

export const dataRequestSchema = {
  summary: 'A data request from the Wams gateway to a partner system',
  description: 'Answers with the whole record the partner holds for the category; the gateway validates it against the category schema and releases only the permitted requested fields.',
  tags: ['partner'],
  security: [{ bearer: [] }],
  params: { type: 'object', required: ['oin'], properties: { oin: { type: 'string', pattern: defs.oin.pattern } } },
  body: bodySchema,
  response: {
    200: {
      description: 'The record; `data` follows schemas/categories/<category>.schema.json',
      type: 'object',
      required: ['data'],
      properties: { data: { type: 'object', additionalProperties: true } }
    },
    400: problemRef,
    401: problemRef,
    404: problemRef,
    451: { description: 'Refused for weighty reasons; `reason` in plain Dutch', ...problemRef },
    500: problemRef,
    503: problemRef
  }
} as const
