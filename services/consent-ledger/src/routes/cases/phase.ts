// Phases go forward only: onderzoek → aanpak → afgesloten. Closing needs a reason and has its own
// route; it starts the retention period, and nothing changes a closed case afterwards.
import type { FastifyInstance } from 'fastify'
import { PHASES, type Phase } from '../../case-state.ts'
import { badRequest, conflict } from '../../errors.ts'
import { closeSchema, phaseSchema } from '../../schemas.ts'
import { answerWrite, writeCase, type CaseRoutesOptions } from './http.ts'

type PhaseRequest = { Params: { caseId: string }, Body: { phase: Phase, reason?: string } }
type CloseRequest = { Params: { caseId: string }, Body: { reason: string } }

export default async function phaseRoutes (app: FastifyInstance, opts: CaseRoutesOptions): Promise<void> {
  app.post<PhaseRequest>('/v1/cases/:caseId/phase', { schema: phaseSchema, onRequest: app.authenticate }, async (request, reply) => {
    const { phase, reason } = request.body
    if (phase === 'afgesloten') throw badRequest('CLOSE_WITH_REASON', 'Close a case with POST /v1/cases/{caseId}/close and a reason')
    const result = await writeCase(opts, request, (state) => {
      if (PHASES.indexOf(phase) <= PHASES.indexOf(state.phase)) {
        throw conflict('PHASE_NOT_FORWARD', `The case is in phase ${state.phase}; phases only go forward (onderzoek → aanpak → afgesloten)`)
      }
      return { type: 'phase.changed', data: { from: state.phase, to: phase }, reason: reason ?? null }
    })
    return answerWrite(opts, request, reply, result)
  })

  app.post<CloseRequest>('/v1/cases/:caseId/close', { schema: closeSchema, onRequest: app.authenticate }, async (request, reply) => {
    const result = await writeCase(opts, request, () => ({ type: 'case.closed', data: {}, reason: request.body.reason }))
    return answerWrite(opts, request, reply, result)
  })
}
