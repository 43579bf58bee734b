// Objections (bezwaar, GDPR art. 21): lodged for a subject of the case, then decided upheld or
// rejected with a reason, once. The BSN arrives in the body and is stored only as its pseudonym.
import type { FastifyInstance } from 'fastify'
import { randomUUID } from 'node:crypto'
import { badRequest, conflict, LedgerError } from '../../errors.ts'
import { decideObjectionSchema, lodgeObjectionSchema } from '../../schemas.ts'
import { answerWrite, writeCase, type CaseRoutesOptions } from './http.ts'

type LodgeRequest = { Params: { caseId: string }, Body: { subject: string, reason: string } }
type DecideRequest = { Params: { caseId: string, objectionId: string }, Body: { upheld: boolean, reason: string } }

export default async function objectionRoutes (app: FastifyInstance, opts: CaseRoutesOptions): Promise<void> {
  app.post<LodgeRequest>('/v1/cases/:caseId/objections', { schema: lodgeObjectionSchema, onRequest: app.authenticate }, async (request, reply) => {
    const subjectRef = opts.pseudonymise('bsn', request.body.subject)
    const objectionId = randomUUID()
    const result = await writeCase(opts, request, (state) => {
      if (!state.subjects.some((s) => s.subjectRef === subjectRef)) {
        throw badRequest('SUBJECT_NOT_IN_CASE', 'The person objecting is not a client or household member of this case')
      }
      if (state.objections.some((o) => o.subjectRef === subjectRef && o.status === 'pending')) {
        throw conflict('OBJECTION_PENDING', 'This person already has a pending objection in this case')
      }
      return { type: 'objection.lodged', data: { objectionId, subjectRef }, reason: request.body.reason, subjectRef }
    })
    reply.code(201)
    return answerWrite(opts, request, reply, result, { objectionId })
  })

  app.post<DecideRequest>('/v1/cases/:caseId/objections/:objectionId/decision', { schema: decideObjectionSchema, onRequest: app.authenticate }, async (request, reply) => {
    const { objectionId } = request.params
    const result = await writeCase(opts, request, (state) => {
      const objection = state.objections.find((o) => o.objectionId === objectionId)
      if (!objection) throw new LedgerError(404, 'OBJECTION_NOT_FOUND', 'No such objection in this case')
      if (objection.status !== 'pending') throw conflict('OBJECTION_ALREADY_DECIDED', `The objection was already decided (${objection.status})`)
      return { type: 'objection.decided', data: { objectionId, upheld: request.body.upheld }, reason: request.body.reason, subjectRef: objection.subjectRef }
    })
    return answerWrite(opts, request, reply, result)
  })
}
