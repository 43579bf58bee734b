// POST /partners/{oin}/wams/v1/data-requests, served for every party of the register under its own
// path. The subject (a BSN) travels in the body only and never reaches a log line. The partner's
// answers (SPEC section 6) are 200 { data }, 404 SUBJECT_NOT_KNOWN or 451 REFUSED with a reason;
// a configured fault answers 500 or 503 as a failing source system would; what is wrong with the
// call itself is an error (errors.ts): 404 PARTNER_NOT_FOUND, 401, 400 CATEGORY_NOT_SUPPLIED.
import type { FastifyInstance } from 'fastify'
import { problem, sendProblem, withProblemMembers } from '@wams/platform'
import { CategoryNotSuppliedError, TokenForAnotherRequestError } from '../../errors.ts'
import { delay, outsideSchema, withExtraFields } from '../../faults.ts'
import { partnerAnswer } from '../../partner-answer.ts'
import { gatewayClaims } from '../../plugins/external/gateway-authentication.ts'
import { dataRequestSchema, type DataRequestBody } from './schema.ts'

type DataRequest = { Params: { oin: string }, Body: DataRequestBody }

export default async function dataRequestRoutes (app: FastifyInstance): Promise<void> {
  const { register, faults, closing } = app.partnerSystems

  app.post<DataRequest>('/partners/:oin/wams/v1/data-requests', { onRequest: app.authenticateGateway, schema: dataRequestSchema }, async (request, reply) => {
    const party = register.get(request.params.oin)!
    const { requestId, subject, category } = request.body
    // The gateway binds each token to one request; a token for another request is not accepted here.
    const bound = gatewayClaims(request)?.requestId
    if (bound !== undefined && bound !== requestId) {
      reply.header('WWW-Authenticate', 'Bearer error="invalid_token"')
      throw new TokenForAnotherRequestError()
    }

    // A configured fault: the answer of a failing source system, which the gateway must handle —
    // not an error of this service (a 500 keeps its detail and is not logged as a failure).
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
      throw withProblemMembers(new CategoryNotSuppliedError(party.name, category), { requestId })
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
