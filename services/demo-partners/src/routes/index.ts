// The demo partner systems' routes, one folder per resource: the partner interface every party of
// the register serves (authenticated per route: only the gateway may call it, with a token for
// that very partner) and the demo BRP (not authenticated, like the municipality's own connection);
// in development also the dev issuer's JWKS and discovery document (public, like any provider's).
import type { FastifyInstance } from 'fastify'
import type { DevIssuer } from '@wams/platform'
import dataRequestRoutes from './data-requests/index.ts'
import brpRoutes from './brp/index.ts'
import devIssuerRoutes from './dev-issuer/index.ts'

export interface RoutesOptions {
  /** The dev issuer, whose keys are published; absent in production. */
  devIssuer?: DevIssuer
}

export default async function routes (app: FastifyInstance, options: RoutesOptions = {}): Promise<void> {
  await app.register(dataRequestRoutes)
  await app.register(brpRoutes)
  if (options.devIssuer !== undefined) await app.register(devIssuerRoutes, { issuer: options.devIssuer })
}
