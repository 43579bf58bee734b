// POST /partners/{oin}/wams/v1/data-requests: the partner interface of SPEC section 6, served for
// every party of the register under its own path. The subject (a BSN) travels in the body only and
// never reaches a log line; answers are 200 { data }, 404 (subject not known) or 451 { reason }.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { commonSchema, type CategoryName, type PartyType, type Purpose } from '@wams/schemas'
import { problem, sendProblem, type PartyRegisterIndex } from '@wams/platform'
import { delay, outsideSchema, withExtraFields, type PartnerFaults } from './faults.ts'
import type { GatewayTokenVerifier } from './gateway-token.ts'
import { partnerAnswer } from './partner-answer.ts'

export interface DataRequestOptions {
  register: PartyRegisterIndex
  verifier: GatewayTokenVerifier
  faults: PartnerFaults
  /** Aborts when the app closes, so a configured delay does not hold the shutdown. */
  closing: AbortSignal
}

interface DataRequestBody {
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

type DataRequest = FastifyRequest<{ Params: { oin: string }, Body: DataRequestBody }>

const defs = commonSchema.$defs
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

const problemRef = { $ref: 'Problem#' } as const

/** The verified claims of the request's token, for the handler (no request decoration to collide with). */
const claimsOf = new WeakMap<FastifyRequest, Record<string, unknown>>()

export default async function dataRequestRoutes (app: FastifyInstance, opts: DataRequestOptions): Promise<void> {
  const { register, verifier, faults, closing } = opts

  // Before the body is read: an unknown partner path is 404, a call without a valid gateway token 401.
  async function authenticateGateway (request: DataRequest, reply: FastifyReply) {
    const { oin } = request.params
    if (register.get(oin) === undefined) {
      return sendProblem(reply, problem(404, 'No partner system is served at this path', { code: 'PARTNER_NOT_FOUND' }))
    }
    const check = verifier.verify(request.headers.authorization, oin)
    if (!check.ok) {
      reply.header('WWW-Authenticate', check.failure === 'TOKEN_MISSING' ? 'Bearer' : 'Bearer error="invalid_token"')
      const detail = check.failure === 'TOKEN_MISSING' ? 'A bearer token signed by the gateway is required' : 'The bearer token is not a valid gateway token for this partner'
      return sendProblem(reply, problem(401, detail, { code: check.failure }))
    }
    claimsOf.set(request, check.claims)
  }

  app.post<{ Params: { oin: string }, Body: DataRequestBody }>('/partners/:oin/wams/v1/data-requests', {
    onRequest: authenticateGateway,
    schema: {
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
    }
  }, async (request, reply) => {
    const party = register.get(request.params.oin)!
    const { requestId, subject, category } = request.body
    // The gateway binds each token to one request; a token for another request is not accepted here.
    const bound = claimsOf.get(request)?.requestId
    if (bound !== undefined && bound !== requestId) {
      reply.header('WWW-Authenticate', 'Bearer error="invalid_token"')
      return sendProblem(reply, problem(401, 'The bearer token was issued for another request', { code: 'TOKEN_INVALID' }))
    }

    const fault = faults[party.oin] ?? {}
    if (fault.delayMs) await delay(fault.delayMs, closing)
    if (fault.status === 503) {
      reply.header('Retry-After', '30')
      return sendProblem(reply, problem(503, 'The source system is temporarily unavailable', { code: 'SOURCE_UNAVAILABLE', requestId }))
    }
    if (fault.status === 500) {
      return sendProblem(reply, problem(500, 'The source system failed to answer', { code: 'SOURCE_FAILED', requestId }))
    }

    if (!party.categories.includes(category)) {
      return sendProblem(reply, problem(400, `${party.name} does not supply category ${category}`, { code: 'CATEGORY_NOT_SUPPLIED', requestId }))
    }
    const answer = partnerAnswer(party, subject, category)
    if (answer.outcome === 'not-known') {
      return sendProblem(reply, problem(404, `${party.name} does not know the subject`, { code: 'SUBJECT_NOT_KNOWN', requestId }))
    }
    if (answer.outcome === 'refused') {
      return sendProblem(reply, problem(451, `${party.name} refuses for weighty reasons`, { code: 'REFUSED', requestId, reason: answer.reason }))
    }
    let data = answer.data
    if (fault.extraFields) data = withExtraFields(data)
    if (fault.invalid) data = outsideSchema(data)
    return reply.code(200).send({ data })
  })
}
