// The consent ledger's routes, one folder per resource (URL), each with its handlers (index.ts) and
// its route schemas (schema.ts). Every route is for authenticated callers: their group runs
// `app.authenticate` on every request, declared once here, so a route added to it cannot forget
// it. Public are only the service shell's routes (health, the OpenAPI document and its docs);
// test/consent-ledger/route-groups.test.ts asks every other route of the built app without a token
// and fails on one that does not answer 401 — such as a route added outside this group.
import type { FastifyInstance } from 'fastify'
import caseRoutes from './cases/index.ts'
import decisionStateRoutes from './cases/decision-state/index.ts'
import ledgerRoutes from './cases/ledger/index.ts'
import verificationRoutes from './cases/verification/index.ts'
import scopeRoutes from './cases/scope/index.ts'
import participantRoutes from './cases/participants/index.ts'
import phaseRoutes from './cases/phase/index.ts'
import closeRoutes from './cases/close/index.ts'
import objectionRoutes from './cases/objections/index.ts'
import subjectRoutes from './subjects/index.ts'
import caseStateLeaseRoutes from './case-state-leases/index.ts'

async function authenticatedRoutes (app: FastifyInstance): Promise<void> {
  // Every route of this group, and of the plugins it registers, authenticates first. (Its OpenAPI
  // security and 401 are declared in each route's schema; the route-groups test checks them.)
  app.addHook('onRequest', app.authenticate)
  await app.register(caseRoutes)
  await app.register(decisionStateRoutes)
  await app.register(ledgerRoutes)
  await app.register(verificationRoutes)
  await app.register(scopeRoutes)
  await app.register(participantRoutes)
  await app.register(phaseRoutes)
  await app.register(closeRoutes)
  await app.register(objectionRoutes)
  await app.register(subjectRoutes)
  await app.register(caseStateLeaseRoutes)
}

export default async function routes (app: FastifyInstance): Promise<void> {
  await app.register(authenticatedRoutes)
}
