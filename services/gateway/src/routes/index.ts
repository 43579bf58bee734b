// The gateway's routes, one folder per resource.
import type { FastifyInstance } from 'fastify'
import partiesRoutes from './parties/index.ts'
import policyRoutes from './policy/index.ts'
import dataRequestRoutes from './cases/data-requests/index.ts'
import involvementCheckRoutes from './cases/involvement-check/index.ts'

export default async function routes (app: FastifyInstance): Promise<void> {
  await app.register(partiesRoutes)
  await app.register(policyRoutes)
  await app.register(dataRequestRoutes)
  await app.register(involvementCheckRoutes)
}
