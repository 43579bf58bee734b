// The demo partner systems' routes, one folder per resource: the partner interface every party of
// the register serves (authenticated per route: only the gateway may call it, with a token for
// that very partner) and the demo BRP (not authenticated, like the municipality's own connection).
import type { FastifyInstance } from 'fastify'
import dataRequestRoutes from './data-requests/index.ts'
import brpRoutes from './brp/index.ts'

export default async function routes (app: FastifyInstance): Promise<void> {
  await app.register(dataRequestRoutes)
  await app.register(brpRoutes)
}
