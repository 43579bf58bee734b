// The BRP (Haal Centraal BRP Personen Bevragen), for the residence check when a case is opened
// (../../brp.ts): where the BRP registers a client, asked with the BSN in the body only.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'
import { createBrpClient, type BrpClient } from '../../brp.ts'

declare module 'fastify' {
  interface FastifyInstance {
    brp: BrpClient
  }
}

async function brpPlugin (app: FastifyInstance, { config }: { config: Config }): Promise<void> {
  app.decorate('brp', createBrpClient({ url: config.BRP_URL, timeoutMs: config.BRP_TIMEOUT_MS }))
}

export default fp(brpPlugin, { name: 'consent-ledger-brp' })
