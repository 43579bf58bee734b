// PUT /v1/cases/{caseId}/scope: route hulpvraag only. The client decides which domains and parties
// are in scope; a new scope replaces the old one and an empty one withdraws it. Parties that fall
// outside the new scope stop participating (recorded in the same event).
import type { FastifyInstance } from 'fastify'
import { withProblemMembers } from '@wams/platform'
import { answerWrite, caseWriteOf } from '../../../case-http.ts'
import { writeCase } from '../../../case-writes.ts'
import { PartyNotRegisteredError, ScopeNotOnRouteError } from '../../../errors.ts'
import type { CaseParams } from '../schema.ts'
import { scopeSchema, type ScopeBody } from './schema.ts'

export default async function scopeRoutes (app: FastifyInstance): Promise<void> {
  const ledger = app.consentLedger
  const { register } = ledger
  app.put<{ Params: CaseParams, Body: ScopeBody }>('/v1/cases/:caseId/scope', { schema: scopeSchema }, async (request, reply) => {
    const { domains, parties, statement } = request.body
    const result = await writeCase(ledger, caseWriteOf(request), (state) => {
      if (state.route !== 'hulpvraag') throw new ScopeNotOnRouteError()
      const unknown = parties.flatMap((org, i) => register.can(org, 'mayParticipate')
        ? []
        : [{ code: 'PARTY_NOT_REGISTERED', pointer: `/parties/${i}`, detail: 'Not an active party that can take part in a case' }])
      if (unknown.length > 0) {
        throw withProblemMembers(new PartyNotRegisteredError('The scope names parties that are not active in the register'), { errors: unknown })
      }
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
    return answerWrite(ledger, request, reply, result)
  })
}
