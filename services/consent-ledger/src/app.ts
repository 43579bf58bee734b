// Builds the consent-ledger: its runtime (PostgreSQL, Kafka, outbox), the common service shell, the
// party register, the case routes and the retention purge job.
import type { FastifyInstance } from 'fastify'
import {
  authenticationPlugin, auditAuthenticationFailure, createServiceOnRuntime, loadPartyRegister
} from '@wams/platform'
import type { Config } from './config.ts'
import type { LedgerContext } from './ledger.ts'
import { purgeExpired, schedulePurge, type PurgeResult } from './retention.ts'
import caseRoutes from './routes/cases/index.ts'

const MIGRATIONS = new URL('../migrations', import.meta.url).pathname
export const API_VERSION = '1.0.0'

export interface BuildOptions {
  /** The clock of recorded events and of the retention purge (tests inject one). */
  now?: () => Date
}

declare module 'fastify' {
  interface FastifyInstance {
    consentLedger: LedgerContext & {
      /** Runs the retention purge now, with the app's clock. */
      purgeExpired: () => Promise<PurgeResult>
    }
  }
}

export async function buildApp (config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date())
  // Fail at start, not on the first request, when the register is missing or invalid.
  const register = loadPartyRegister(config.REGISTER_FILE)
  const { app, runtime } = await createServiceOnRuntime({
    config,
    migrations: MIGRATIONS,
    title: 'Wams consent ledger',
    description: 'The legal basis of every coordinated approach (case): append-only, hash-chained, verifiable.',
    apiVersion: API_VERSION
  })
  try {
    await app.register(authenticationPlugin, {
      issuers: runtime.issuers,
      audience: config.JWT_AUDIENCE,
      onFailure: auditAuthenticationFailure(runtime.pool, 'consent-ledger'),
      systemRoleIssuers: { gateway: [config.GATEWAY_ISSUER] }
    })

    const ledger: LedgerContext = { pool: runtime.pool, register, now }
    const purge = () => purgeExpired(runtime.pool, now(), { retentionDays: config.RETENTION_DAYS })
    app.decorate('consentLedger', { ...ledger, purgeExpired: purge })
    await app.register(caseRoutes, { ledger, pseudonymise: runtime.pseudonymise })

    const stopPurge = schedulePurge(async () => {
      const { purged } = await purge()
      if (purged.length > 0) app.log.info({ cases: purged.length }, 'retention purge: personal data of closed cases removed')
    }, config.PURGE_INTERVAL_MS, (err) => app.log.error({ err: { message: err.message } }, 'retention purge failed; will retry'))
    // The purge stops (and a running one finishes) before the runtime (pool, broker) closes.
    app.addHook('onClose', async () => { await stopPurge() })
    return app
  } catch (err) {
    // Nothing may keep running (relay, producer, pool) when the app could not be built.
    await app.close()
    throw err
  }
}
