// GET /v1/parties: the register as public data, like the OIN register. No personal data, and no
// partner base URLs: partner systems are reached through the gateway only.
import { CATEGORY_NAMES } from '@wams/schemas'

export const partySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['oin', 'name', 'partyType', 'categories'],
  properties: {
    oin: { type: 'string', pattern: '^[0-9]{20}$', description: 'OIN (20 digits)' },
    name: { type: 'string' },
    partyType: { type: 'string' },
    categories: { type: 'array', items: { enum: CATEGORY_NAMES }, description: 'Data categories the party supplies' }
  }
} as const

export const listPartiesSchema = {
  operationId: 'listParties',
  summary: 'The party register (AMvB): active parties, their type and the categories they supply',
  description: 'Public, like the OIN register: no personal data and no partner addresses (partner systems are reached through the gateway only). Built once at start: the register does not change while the service runs.',
  tags: ['register'],
  // Counted per organisation (public: per address) by plugins/external/rate-limit.ts; documents RateLimit-* and the 429.
  rateLimited: true,
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['version', 'validFrom', 'parties'],
      properties: {
        version: { type: 'string', description: 'Register version in force' },
        validFrom: { type: 'string', format: 'date' },
        parties: { type: 'array', items: partySchema }
      }
    }
  }
} as const
