// The keyed pseudonymiser of the runtime: a BSN in a request body becomes its pseudonym at once
// (the search by person, the inzage report); the routes never keep or log the BSN.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Pseudonymiser, Runtime } from '@wams/platform'

declare module 'fastify' {
  interface FastifyInstance {
    pseudonymise: Pseudonymiser
  }
}

async function pseudonymiserPlugin (app: FastifyInstance, { runtime }: { runtime: Runtime }): Promise<void> {
  app.decorate('pseudonymise', runtime.pseudonymise)
}

export default fp(pseudonymiserPlugin, { name: 'audit-pseudonymiser' })
