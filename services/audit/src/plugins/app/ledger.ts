// The consent ledger client (../../ledger-client.ts), asked by the inzage report whether a person
// is a subject of one of the caller's cases; closed with the app. Tests without a ledger inject a
// client (BuildOptions.subjectCases).
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../config.ts'
import { createSubjectCasesClient, type SubjectCasesClient } from '../../ledger-client.ts'

export type { SubjectCasesClient } from '../../ledger-client.ts'

declare module 'fastify' {
  interface FastifyInstance {
    subjectCases: SubjectCasesClient
  }
}

export interface LedgerPluginOptions {
  config: Config
  client?: SubjectCasesClient
}

async function ledgerPlugin (app: FastifyInstance, { config, client }: LedgerPluginOptions): Promise<void> {
  // undici connects on the first request only: building it offline connects to nothing.
  const subjectCases = client ?? createSubjectCasesClient({ baseUrl: config.CONSENT_LEDGER_URL, timeoutMs: config.LEDGER_TIMEOUT_MS })
  app.addHook('onClose', async () => { await subjectCases.close() })
  app.decorate('subjectCases', subjectCases)
}

export default fp(ledgerPlugin, { name: 'audit-ledger' })
