// The keyed pseudonymiser of the runtime (the same key as the gateway and the audit log): a BSN
// in a request body is stored and passed on only as its pseudonym (subjectRef), except in the
// owning municipality's case.opened event.
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

export default fp(pseudonymiserPlugin, { name: 'consent-ledger-pseudonymiser' })
