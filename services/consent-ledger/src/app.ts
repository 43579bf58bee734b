// Builds the consent-ledger: its runtime (PostgreSQL, Kafka, outbox), the common service shell, the
// party register, the case routes and the retention purge job.
import type { FastifyInstance } from 'fastify'
import {
  authenticationPlugin, auditAuthenticationFailure, createServiceOnRuntime, loadPartyRegister
} from '@wams/platform'
import { createBrpClient } from './brp.ts'
import type { Config } from './config.ts'
import type { LedgerContext } from './ledger.ts'
import { purgeExpired, schedulePurge, type PurgeResult } from './retention.ts'
import caseRoutes from './routes/cases/index.ts'

const MIGRATIONS = new URL('../migrations', import.meta.url).pathname
export const API_VERSION = '1.0.0'

export interface BuildOptions {
  /** The clock of recorded events and of the retention purge (tests inject one). */
  now?: () => Date
  /** Build for the OpenAPI document only (scripts/openapi-docs.ts): connects to nothing, starts nothing. */
  offline?: boolean
}

/** The deliberate deviations from the NLGov API Design Rules, published in the OpenAPI document. */
const DEVIATIONS = [{
  rule: '/core/error-handling (403 Forbidden)',
  deviation: 'A case the caller has no relation to is answered 404 CASE_NOT_FOUND, as if it did not exist, not 403.',
  reason: 'Whether a municipality has opened a case about someone is itself personal data (a coordinated approach for multiple problems); a party that may not know of the case must not learn that it exists.'
}, {
  rule: '/core/naming-resources, /core/http-methods',
  deviation: 'The BSNs of the persons of a case (POST /cases) and of a person who objects (POST /cases/{caseId}/objections) are sent in the body; no URL ever holds a BSN.',
  reason: 'A BSN in a URL ends up in logs, proxies and browser histories (Wet BSN, GDPR art. 32).'
}]

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
  const register = loadPartyRegister(config.REGISTER_FILE, config.PARTY_TYPE_CAPABILITIES_FILE)
  const brp = createBrpClient({ url: config.BRP_URL, timeoutMs: config.BRP_TIMEOUT_MS })
  const { app, runtime } = await createServiceOnRuntime({
    config,
    migrations: MIGRATIONS,
    title: 'Wams consent ledger',
    description: 'The legal basis of every coordinated approach (case): append-only, hash-chained, verifiable.',
    apiVersion: API_VERSION,
    offline: options.offline === true,
    tags: { cases: 'Coordinated approaches (cases): their legal basis, scope, participants, phases and objections, as a hash-chained ledger' },
    deviations: DEVIATIONS
  })
  try {
    await app.register(authenticationPlugin, {
      issuers: runtime.issuers,
      audience: config.JWT_AUDIENCE,
      onFailure: auditAuthenticationFailure(runtime.pool, 'consent-ledger'),
      systemRoleIssuers: { gateway: [config.GATEWAY_ISSUER] },
      requireCertificateOin: config.MTLS_REQUIRED
    })

    const ledger: LedgerContext = { pool: runtime.pool, register, now }
    const purge = () => purgeExpired(runtime.pool, now(), { retentionDays: config.RETENTION_DAYS })
    app.decorate('consentLedger', { ...ledger, purgeExpired: purge })
    await app.register(caseRoutes, { ledger, pseudonymise: runtime.pseudonymise, brp })

    if (options.offline) return app
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
