// The ledger the case routes append to and read from (../../ledger.ts): the runtime's pool, the
// party register and the clock of every recordedAt, with the retention purge (../../retention.ts)
// on the same pool and clock. Tests and the benchmark reach it as `app.consentLedger`.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Runtime } from '@wams/platform'
import type { Config } from '../../config.ts'
import type { LedgerContext } from '../../ledger.ts'
import { purgeExpired, type PurgeResult } from '../../retention.ts'

declare module 'fastify' {
  interface FastifyInstance {
    consentLedger: LedgerContext & {
      /** Runs the retention purge now, with the app's clock. */
      purgeExpired: () => Promise<PurgeResult>
    }
  }
}

export interface LedgerPluginOptions {
  config: Config
  runtime: Runtime
  /** The clock of recorded events and of the retention purge (tests inject one). */
  now: () => Date
}

async function ledgerPlugin (app: FastifyInstance, { config, runtime, now }: LedgerPluginOptions): Promise<void> {
  const ledger: LedgerContext = { pool: runtime.pool, register: app.partyRegister, now }
  const purge = () => purgeExpired(runtime.pool, now(), { retentionDays: config.RETENTION_DAYS })
  app.decorate('consentLedger', { ...ledger, purgeExpired: purge })
}

export default fp(ledgerPlugin, { name: 'consent-ledger-ledger', dependencies: ['consent-ledger-register'] })
