// The party register (AMvB, versioned data) with its party-type capability table: who may read
// the log at all (authentication) and what each caller sees (the scope). Loaded once, before the
// service connects to anything (buildApp): an invalid register or table stops the start instead of
// the first request.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { PartyRegisterIndex } from '@wams/platform'

declare module 'fastify' {
  interface FastifyInstance {
    partyRegister: PartyRegisterIndex
  }
}

export interface RegisterPluginOptions {
  partyRegister: PartyRegisterIndex
}

async function registerPlugin (app: FastifyInstance, { partyRegister }: RegisterPluginOptions): Promise<void> {
  app.decorate('partyRegister', partyRegister)
}

export default fp(registerPlugin, { name: 'audit-register' })
