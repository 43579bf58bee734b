// What every partner system of the demo serves from: the register (a system per party, at
// /partners/<oin>), the configured faults per partner, and a signal that aborts when the app
// closes, so a configured delay does not hold the shutdown. Loaded and checked in buildApp before
// the service is created (loadPartnerSystems): a wrong register, demo data that do not fit the
// category schemas, or bad faults stop the start instead of the first request.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { DEFAULT_REGISTER_FILE, loadPartyRegister, type PartyRegisterIndex } from '@wams/platform'
import { checkDemoData } from '../../contract.ts'
import { checkFaults, parseFaults, type PartnerFaults } from '../../faults.ts'

export interface PartnerSystems {
  register: PartyRegisterIndex
  faults: PartnerFaults
  /** Aborts when the app closes. */
  closing: AbortSignal
}

declare module 'fastify' {
  interface FastifyInstance {
    partnerSystems: PartnerSystems
  }
}

export interface PartnerSystemsOptions {
  register: PartyRegisterIndex
  faults: PartnerFaults
}

/** The register (REGISTER_FILE, else schemas/) with its demo data checked, and the faults (given, else DEMO_FAULTS). */
export function loadPartnerSystems (registerFile: string | undefined, faults: PartnerFaults | undefined, demoFaults: string): PartnerSystemsOptions {
  const register = loadPartyRegister(registerFile ?? DEFAULT_REGISTER_FILE)
  checkDemoData(register)
  return { register, faults: faults === undefined ? parseFaults(demoFaults) : checkFaults(faults) }
}

async function partnerSystemsPlugin (app: FastifyInstance, { register, faults }: PartnerSystemsOptions): Promise<void> {
  const closing = new AbortController()
  app.addHook('preClose', async () => { closing.abort() })
  app.decorate('partnerSystems', { register, faults, closing: closing.signal })
  const faulty = Object.keys(faults)
  if (faulty.length > 0) app.log.warn({ partners: faulty }, 'demo faults configured')
}

export default fp(partnerSystemsPlugin, { name: 'demo-partner-systems' })
