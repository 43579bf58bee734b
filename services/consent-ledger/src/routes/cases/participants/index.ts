// Participants: an active party joins with a necessity statement (on route hulpvraag only from
// inside the client's current scope) and can be removed again.
import type { FastifyInstance } from 'fastify'
import { answerWrite, caseWriteOf } from '../../../case-http.ts'
import { writeCase } from '../../../case-writes.ts'
import {
  AlreadyParticipantError, OutsideClientScopeError, ParticipantNotFoundError, PartyNotRegisteredError, PartyTypeNotAllowedError
} from '../../../errors.ts'
import type { CaseParams } from '../schema.ts'
import {
  addParticipantSchema, removeParticipantSchema,
  type AddParticipantBody, type ParticipantParams, type RemoveParticipantBody
} from './schema.ts'

export default async function participantRoutes (app: FastifyInstance): Promise<void> {
  const ledger = app.consentLedger
  const { register } = ledger

  app.post<{ Params: CaseParams, Body: AddParticipantBody }>('/v1/cases/:caseId/participants', { schema: addParticipantSchema }, async (request, reply) => {
    const { org, necessity } = request.body
    const result = await writeCase(ledger, caseWriteOf(request), (state) => {
      const partyType = register.partyType(org)
      if (partyType === null) throw new PartyNotRegisteredError('The party is not active in the register')
      // The allow-list: only a party type the capability table lets take part (never the supervisor,
      // who reads the audit log, never the personal data of a case).
      if (!register.can(org, 'mayParticipate')) throw new PartyTypeNotAllowedError(partyType)
      if (state.route === 'hulpvraag' && !(state.scope && !state.scope.withdrawn && state.scope.parties.includes(org))) {
        throw new OutsideClientScopeError()
      }
      if (state.participants.some((p) => p.org === org)) throw new AlreadyParticipantError()
      return { type: 'participant.added', data: { org }, reason: necessity }
    })
    reply.code(201)
    return answerWrite(ledger, request, reply, result)
  })

  app.delete<{ Params: ParticipantParams, Body: RemoveParticipantBody | undefined }>('/v1/cases/:caseId/participants/:org', {
    schema: removeParticipantSchema,
    // The body (a reason) is optional: a DELETE without one is validated as an empty object.
    preValidation: async (request) => { if (request.body === undefined || request.body === null) request.body = {} }
  }, async (request, reply) => {
    const { org } = request.params
    const result = await writeCase(ledger, caseWriteOf(request), (state) => {
      if (!state.participants.some((p) => p.org === org)) throw new ParticipantNotFoundError()
      return { type: 'participant.removed', data: { org }, reason: request.body?.reason ?? null }
    })
    return answerWrite(ledger, request, reply, result)
  })
}
