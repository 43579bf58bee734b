// PUT /v1/cases/{caseId}/scope: route hulpvraag only. The client decides which domains and parties
// are in scope; a new scope replaces the old one and an empty one withdraws it. Parties that fall
// outside the new scope stop participating (recorded in the same event).
import type { FastifyInstance } from 'fastify'
import type { Domain } from '../../case-state.ts'
import { badRequest } from '../../errors.ts'
import { scopeSchema } from '../../schemas.ts'
import { answerWrite, writeCase, type CaseRoutesOptions } from './http.ts'

type ScopeRequest = { Params: { caseId: string }, Body: { domains: Domain[], parties: string[], statement: string } }

export default async function scopeRoute (app: FastifyInstance, opts: CaseRoutesOptions): Promise<void> {
  const { register } = opts.ledger
  app.put<ScopeRequest>('/v1/cases/:caseId/scope', { schema: scopeSchema, onRequest: app.authenticate }, async (request, reply) => {
    const { domains, parties, statement } = request.body
    const result = await writeCase(opts, request, (state) => {
      if (state.route !== 'hulpvraag') {
        throw badRequest('SCOPE_NOT_ON_ROUTE', 'Only on route hulpvraag does the client decide the scope; on route ernstig professionals decide')
      }
      const unknown = parties.flatMap((org, i) => register.can(org, 'mayParticipate')
        ? []
        : [{ code: 'PARTY_NOT_REGISTERED', pointer: `/parties/${i}`, detail: 'Not an active party that can take part in a case' }])
      if (unknown.length > 0) throw badRequest('PARTY_NOT_REGISTERED', 'The scope names parties that are not active in the register', { errors: unknown })
      const withdrawn = domains.length === 0 && parties.length === 0
      return {
        type: 'scope.recorded',
        data: {
          domains: [...domains],
          parties: [...parties],
          withdrawn,
          removedParticipants: state.participants.filter((p) => !parties.includes(p.org)).map((p) => p.org)
        },
        reason: statement
      }
    })
    return answerWrite(opts, request, reply, result)
  })
}
