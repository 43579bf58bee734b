// POST /v1/cases/{caseId}/phase: phases go forward only, onderzoek → aanpak. Closing needs a
// reason and has its own route (close/).
import type { FastifyInstance } from 'fastify'
import { answerWrite, caseWriteOf } from '../../../case-http.ts'
import { PHASES } from '../../../case-state.ts'
import { writeCase } from '../../../case-writes.ts'
import { CloseWithReasonError, PhaseNotForwardError } from '../../../errors.ts'
import type { CaseParams } from '../schema.ts'
import { phaseSchema, type PhaseBody } from './schema.ts'

export default async function phaseRoutes (app: FastifyInstance): Promise<void> {
  const ledger = app.consentLedger
  app.post<{ Params: CaseParams, Body: PhaseBody }>('/v1/cases/:caseId/phase', { schema: phaseSchema }, async (request, reply) => {
    const { phase, reason } = request.body
    if (phase === 'afgesloten') throw new CloseWithReasonError()
    const result = await writeCase(ledger, caseWriteOf(request), (state) => {
      if (PHASES.indexOf(phase) <= PHASES.indexOf(state.phase)) throw new PhaseNotForwardError(state.phase)
      return { type: 'phase.changed', data: { from: state.phase, to: phase }, reason: reason ?? null }
    })
    return answerWrite(ledger, request, reply, result)
  })
}
