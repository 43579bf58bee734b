// The party register (AMvB, versioned data) and the decision policy built on it. Loaded once at
// start: an invalid register stops the start instead of the first request.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { loadPartyRegister, type PartyRegisterIndex } from '@wams/platform'
import { createPolicy, type Policy } from '../../decision/index.ts'

declare module 'fastify' {
  interface FastifyInstance {
    partyRegister: PartyRegisterIndex
    policy: Policy
  }
}

export interface RegisterPluginOptions {
  registerFile?: string
}

async function registerPlugin (app: FastifyInstance, { registerFile }: RegisterPluginOptions): Promise<void> {
  const partyRegister = loadPartyRegister(registerFile)
  app.decorate('partyRegister', partyRegister)
  app.decorate('policy', createPolicy({ register: partyRegister }))
  app.log.info({ registerVersion: partyRegister.version, policyVersion: app.policy.version }, 'party register and policy loaded')
}

export default fp(registerPlugin, { name: 'gateway-register' })
