// The ledger the case routes append to and read from (../../ledger.ts): the runtime's pool, the
// party register and the clock of every recordedAt, with the retention purge (../../retention.ts)
// on the same pool and clock. Tests and the benchmark reach it as `app.consentLedger`.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Runtime } from '@wams/platform'
import type { Config } from '../../config.ts'
import type { LedgerContext } from '../../ledger.ts'
import { purgeExpired, type PurgeResult } from '../../retention.ts'
import { CaseStateLeases } from '../../case-state-leases.ts'
import type { Logger } from 'pino'

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
  /** Built for the OpenAPI document only: the lease watcher does not start. */
  offline?: boolean
}

async function ledgerPlugin (app: FastifyInstance, { config, runtime, now, offline }: LedgerPluginOptions): Promise<void> {
  const leases = new CaseStateLeases({ pool: runtime.pool, leaseMs: config.CASE_STATE_LEASE_MS, holdMs: Math.min(config.CASE_STATE_LEASE_HOLD_MS, config.CASE_STATE_LEASE_MS / 2), log: app.log as Logger })
  if (!offline) await leases.start()
  // Held polls end before the pool closes.
  app.addHook('onClose', async () => { await leases.close() })
  const ledger: LedgerContext = { pool: runtime.pool, register: app.partyRegister, now, leases }
  const purge = () => purgeExpired(runtime.pool, now(), { retentionDays: config.RETENTION_DAYS })
  app.decorate('consentLedger', { ...ledger, purgeExpired: purge })
}

export default fp(ledgerPlugin, { name: 'consent-ledger-ledger', dependencies: ['consent-ledger-register'] })
