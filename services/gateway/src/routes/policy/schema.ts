// GET /v1/policy: the rules and tables the gateway enforces now, public like the register (no
// token, no personal data). Every table is declared here so that the serializer passes it whole.
import { CATEGORY_NAMES, commonSchema } from '@wams/schemas'

const defs = commonSchema.$defs
const strings = { type: 'array', items: { type: 'string' } } as const
const listPerKey = (description: string) => ({ type: 'object', description, additionalProperties: strings } as const)

const capabilitiesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['mayOwnCases', 'mayParticipate', 'mayReceiveSpecial', 'mayReceiveCriminal', 'domains', 'supervises'],
  properties: {
    mayOwnCases: { type: 'boolean', description: 'Its college opens cases, which belong to it' },
    mayParticipate: { type: 'boolean', description: 'It may take part in a case (participant, client scope, coordinator\'s organisation)' },
    mayReceiveSpecial: { type: 'boolean', description: 'As requester it may receive special-category data (GDPR art. 9)' },
    mayReceiveCriminal: { type: 'boolean', description: 'As requester it may receive criminal-law data (GDPR art. 10)' },
    domains: { type: 'array', items: { enum: defs.domain.enum }, description: 'Problem domains it works in' },
    supervises: { type: 'boolean', description: 'A supervisory authority: reads every audit event, never personal data' }
  }
} as const

export const policyResponseSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['policyVersion', 'lawVersion', 'registerVersion', 'rules', 'categories', 'partyTypeCapabilities', 'domainPartyTypes', 'purposesPerPhase', 'actorsPerPurpose', 'criminalData', 'minNecessityLength', 'signalOnlyPurposes', 'objectionOverride', 'legalBasis'],
  properties: {
    policyVersion: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the canonical policy data, register version, category table and capability table; every decision and audit record names it' },
    lawVersion: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'reference', 'amendments', 'inForce'],
      description: 'The law text the rules follow',
      properties: {
        name: { type: 'string' },
        reference: { type: 'string', description: 'Parliamentary paper (Kamerstuk)' },
        amendments: { type: 'string', description: 'The amendments the rules include' },
        inForce: { type: 'boolean', description: 'false while it is a bill' }
      }
    },
    registerVersion: { type: 'string', description: 'Version of the party register (GET /v1/parties)' },
    rules: {
      type: 'array',
      description: 'The eleven rules of the decision, in order; every failing rule is reported',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['number', 'rule', 'reasonCodes'],
        properties: {
          number: { type: 'integer', minimum: 1 },
          rule: { type: 'string' },
          reasonCodes: { ...strings, description: 'Codes of a denial by this rule' },
          recordedCodes: { ...strings, description: 'Codes recorded when the rule lets a request pass by an exception of the law' }
        }
      }
    },
    categories: {
      type: 'array',
      description: 'Data categories: domain, sensitivity and the fields per level',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'domain', 'sensitivity', 'signal', 'detail', 'detailPartyTypes', 'detailPartyTypesFrom'],
        properties: {
          name: { enum: CATEGORY_NAMES },
          domain: { type: 'string', description: 'A problem domain, or own (involvement: the provider\'s own)' },
          sensitivity: { enum: ['ordinary', 'special', 'criminal'] },
          signal: { ...strings, description: 'Fields enough to investigate' },
          detail: { ...strings, description: 'Fields needed to act together' },
          detailPartyTypes: { ...strings, description: 'Party types whose participants may ask the detail fields (rule 10)' },
          detailPartyTypesFrom: { enum: ['domain', 'suppliers'], description: 'domain: the party types that work in the category\'s domain (capability table); suppliers: those that supply it (register)' }
        }
      }
    },
    partyTypeCapabilities: {
      type: 'object',
      additionalProperties: false,
      required: ['version', 'partyTypes'],
      description: 'What each party type may do: an allow-list (what is not granted is not held)',
      properties: {
        version: { type: 'string' },
        partyTypes: { type: 'object', additionalProperties: capabilitiesSchema }
      }
    },
    domainPartyTypes: {
      type: 'object',
      additionalProperties: false,
      required: ['version', 'domains'],
      description: 'The involvement check: problem domain → the party types asked whether they know the person (each must work in that domain per partyTypeCapabilities)',
      properties: {
        version: { type: 'string' },
        domains: listPerKey('Party types per problem domain')
      }
    },
    purposesPerPhase: listPerKey('Rule 4: the purposes allowed in each phase'),
    actorsPerPurpose: listPerKey('Rule 5: who may act for each purpose (municipality, coordinator, participant)'),
    criminalData: {
      type: 'object',
      additionalProperties: false,
      required: ['route', 'grounds'],
      description: 'Rule 9: criminal data only in this route with one of these grounds',
      properties: { route: { type: 'string' }, grounds: strings }
    },
    minNecessityLength: { type: 'integer', description: 'Rule 10: least characters of a necessity statement' },
    signalOnlyPurposes: { ...strings, description: 'Rule 10: purposes that may ask signal fields only' },
    objectionOverride: {
      type: 'object',
      additionalProperties: false,
      required: ['route', 'grounds', 'namedCoordinator', 'municipalityRoles', 'minReasonLength'],
      description: 'Rule 11: a pending objection does not block a request that protects others (GDPR art. 18(2)) when all hold: the route, one of the grounds, made by the named coordinator (when true) or the municipality with one of the roles, with a protectsOthers.reason of at least minReasonLength characters. An upheld objection always blocks.',
      properties: {
        route: { enum: defs.route.enum },
        grounds: { type: 'array', items: { enum: defs.seriousGround.enum } },
        namedCoordinator: { type: 'boolean' },
        municipalityRoles: { type: 'array', items: { type: 'string' } },
        minReasonLength: { type: 'integer' }
      }
    },
    legalBasis: {
      type: 'object',
      additionalProperties: false,
      required: ['purposes', 'lawfulness', 'special', 'criminal'],
      description: 'Article references of a decision\'s legalBasis; placeholders until the law\'s numbering is final',
      properties: {
        purposes: { type: 'object', additionalProperties: { type: 'string' } },
        lawfulness: { type: 'string' },
        special: { type: 'string' },
        criminal: { type: 'string' }
      }
    }
  }
} as const

export const getPolicySchema = {
  operationId: 'getPolicy',
  summary: 'The policy in force: the rules, their tables and the law version, with the policyVersion every decision names',
  description: 'Public, like the register: no token, no personal data. Built from the same policy object the decisions use.',
  tags: ['policy'],
  // Counted per organisation (public: per address) by plugins/external/rate-limit.ts; documents RateLimit-* and the 429.
  rateLimited: true,
  response: { 200: policyResponseSchema }
} as const
