// The party register (AMvB, versioned data) with its party-type capability table, and the decision
// policy built on them. Loaded once, before the service connects to anything (loadRegisterAndPolicy
// in buildApp): an invalid register or table, or a party type without capabilities, stops the start
// instead of the first request.
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
  partyRegister: PartyRegisterIndex
  policy: Policy
}

/** Reads the register and the capability table (the files, else the environment, else schemas/) and builds the policy. */
export function loadRegisterAndPolicy (registerFile?: string, capabilitiesFile?: string): RegisterPluginOptions {
  const partyRegister = loadPartyRegister(registerFile, capabilitiesFile)
  return { partyRegister, policy: createPolicy({ register: partyRegister }) }
}

async function registerPlugin (app: FastifyInstance, { partyRegister, policy }: RegisterPluginOptions): Promise<void> {
  app.decorate('partyRegister', partyRegister)
  app.decorate('policy', policy)
  app.log.info({ registerVersion: partyRegister.version, capabilitiesVersion: partyRegister.capabilities.version, policyVersion: policy.version }, 'party register and policy loaded')
}

export default fp(registerPlugin, { name: 'gateway-register' })
