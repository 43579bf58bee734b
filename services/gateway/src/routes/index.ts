// The gateway's routes, one folder per resource, in two groups:
//  - public: the party register and the policy, for anyone;
//  - authenticated: everything under /v1/cases. Authentication is declared once, for the group:
//    every route registered in it (in the resource plugins below, or in any added later) runs
//    app.authenticate first. test/gateway/route-groups.test.ts asks every route of the built app
//    without a token, so a route added outside this group, and not on its short public list, fails.
import type { FastifyInstance } from 'fastify'
import partiesRoutes from './parties/index.ts'
import policyRoutes from './policy/index.ts'
import dataRequestRoutes from './cases/data-requests/index.ts'
import involvementCheckRoutes from './cases/involvement-check/index.ts'

async function publicRoutes (app: FastifyInstance): Promise<void> {
  await app.register(partiesRoutes)
  await app.register(policyRoutes)
}

async function authenticatedRoutes (app: FastifyInstance): Promise<void> {
  // Every route of this group, and of the plugins it registers, authenticates first. (Its OpenAPI
  // security and 401 are declared in each route's schema; the route-groups test checks them.)
  app.addHook('onRequest', app.authenticate)
  await app.register(dataRequestRoutes)
  await app.register(involvementCheckRoutes)
}

export default async function routes (app: FastifyInstance): Promise<void> {
  await app.register(publicRoutes)
  await app.register(authenticatedRoutes)
}
