// Participants: an active party joins with a necessity statement (on route hulpvraag only from
// inside the client's current scope) and can be removed again.
import type { FastifyInstance } from 'fastify'
import { badRequest, conflict, LedgerError } from '../../errors.ts'
import { addParticipantSchema, removeParticipantSchema } from '../../schemas.ts'
import { answerWrite, writeCase, type CaseRoutesOptions } from './http.ts'

type AddRequest = { Params: { caseId: string }, Body: { org: string, necessity: string } }
type RemoveRequest = { Params: { caseId: string, org: string }, Body: { reason?: string } | undefined }

export default async function participantRoutes (app: FastifyInstance, opts: CaseRoutesOptions): Promise<void> {
  const { register } = opts.ledger

  app.post<AddRequest>('/v1/cases/:caseId/participants', { schema: addParticipantSchema, onRequest: app.authenticate }, async (request, reply) => {
    const { org, necessity } = request.body
    const result = await writeCase(opts, request, (state) => {
      const partyType = register.partyType(org)
      if (partyType === null) throw badRequest('PARTY_NOT_REGISTERED', 'The party is not active in the register')
      // The allow-list: only a party type the capability table lets take part (never the supervisor,
      // who reads the audit log, never the personal data of a case).
      if (!register.can(org, 'mayParticipate')) throw badRequest('PARTY_TYPE_NOT_ALLOWED', `A ${partyType} cannot take part in a case`)
      if (state.route === 'hulpvraag' && !(state.scope && !state.scope.withdrawn && state.scope.parties.includes(org))) {
        throw badRequest('OUTSIDE_CLIENT_SCOPE', 'On route hulpvraag a participant must be a party in the client\'s current scope')
      }
      if (state.participants.some((p) => p.org === org)) throw conflict('ALREADY_PARTICIPANT', 'The party already participates')
      return { type: 'participant.added', data: { org }, reason: necessity }
    })
    reply.code(201)
    return answerWrite(opts, request, reply, result)
  })

  app.delete<RemoveRequest>('/v1/cases/:caseId/participants/:org', {
    schema: removeParticipantSchema,
    onRequest: app.authenticate,
    // The body (a reason) is optional: a DELETE without one is validated as an empty object.
    preValidation: async (request) => { if (request.body === undefined || request.body === null) request.body = {} }
  }, async (request, reply) => {
    const { org } = request.params
    const result = await writeCase(opts, request, (state) => {
      if (!state.participants.some((p) => p.org === org)) throw new LedgerError(404, 'PARTICIPANT_NOT_FOUND', 'The party does not participate in the case')
      return { type: 'participant.removed', data: { org }, reason: request.body?.reason ?? null }
    })
    return answerWrite(opts, request, reply, result)
  })
}
