// The case routes, one plugin per concern, registered with the ledger they write to.
import type { FastifyInstance } from 'fastify'
import openCaseRoute from './open.ts'
import readRoutes from './read.ts'
import scopeRoute from './scope.ts'
import participantRoutes from './participants.ts'
import phaseRoutes from './phase.ts'
import objectionRoutes from './objections.ts'
import type { CaseRoutesOptions } from './http.ts'

export type { CaseRoutesOptions }

export default async function caseRoutes (app: FastifyInstance, opts: CaseRoutesOptions): Promise<void> {
  for (const routes of [openCaseRoute, readRoutes, scopeRoute, participantRoutes, phaseRoutes, objectionRoutes]) {
    await app.register(routes, opts)
  }
}
