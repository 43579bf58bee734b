// Objections (bezwaar, GDPR art. 21): lodged for a subject of the case, then decided upheld or
// rejected with a reason, once. The BSN arrives in the body and is stored only as its pseudonym.
import type { FastifyInstance } from 'fastify'
import { randomUUID } from 'node:crypto'
import { answerWrite, caseWriteOf } from '../../../case-http.ts'
import { writeCase } from '../../../case-writes.ts'
import {
  ObjectionAlreadyDecidedError, ObjectionNotFoundError, ObjectionPendingError, SubjectNotInCaseError
} from '../../../errors.ts'
import type { CaseParams } from '../schema.ts'
import {
  decideObjectionSchema, lodgeObjectionSchema,
  type DecideObjectionBody, type LodgeObjectionBody, type ObjectionParams
} from './schema.ts'

export default async function objectionRoutes (app: FastifyInstance): Promise<void> {
  const ledger = app.consentLedger

  app.post<{ Params: CaseParams, Body: LodgeObjectionBody }>('/v1/cases/:caseId/objections', { schema: lodgeObjectionSchema }, async (request, reply) => {
    const subjectRef = app.pseudonymise('bsn', request.body.subject)
    const objectionId = randomUUID()
    const result = await writeCase(ledger, caseWriteOf(request), (state) => {
      if (!state.subjects.some((s) => s.subjectRef === subjectRef)) throw new SubjectNotInCaseError()
      if (state.objections.some((o) => o.subjectRef === subjectRef && o.status === 'pending')) throw new ObjectionPendingError()
      return { type: 'objection.lodged', data: { objectionId, subjectRef }, reason: request.body.reason, subjectRef }
    })
    reply.code(201)
    return answerWrite(ledger, request, reply, result, { objectionId })
  })

  app.post<{ Params: ObjectionParams, Body: DecideObjectionBody }>('/v1/cases/:caseId/objections/:objectionId/decision', { schema: decideObjectionSchema }, async (request, reply) => {
    const { objectionId } = request.params
    const result = await writeCase(ledger, caseWriteOf(request), (state) => {
      const objection = state.objections.find((o) => o.objectionId === objectionId)
      if (!objection) throw new ObjectionNotFoundError()
      if (objection.status !== 'pending') throw new ObjectionAlreadyDecidedError(objection.status)
      return { type: 'objection.decided', data: { objectionId, upheld: request.body.upheld }, reason: request.body.reason, subjectRef: objection.subjectRef }
    })
    return answerWrite(ledger, request, reply, result)
  })
}
