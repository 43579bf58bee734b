// Builds the consent ledger: its runtime (PostgreSQL, Kafka, outbox), the common service shell,
// and then, like the gateway and the fastify demo app, the external plugins (authentication), the
// app plugins (the register, the pseudonymiser, the BRP, the ledger) and the routes, and last the
// retention purge job.
import type { FastifyInstance } from 'fastify'
import { createServiceOnRuntime, loadPartyRegister } from '@wams/platform'
import type { Config } from './config.ts'
import registerPlugin from './plugins/app/register.ts'
import pseudonymiserPlugin from './plugins/app/pseudonymiser.ts'
import brpPlugin from './plugins/app/brp.ts'
import ledgerPlugin from './plugins/app/ledger.ts'
import retentionPlugin from './plugins/app/retention.ts'
import authenticationPlugin from './plugins/external/authentication.ts'
import routes from './routes/index.ts'

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
}, {
  rule: '/core/http-safety, /core/http-methods',
  deviation: 'One read uses POST: POST /subjects/cases (the cases in which a person is a subject). It changes nothing and answers 200.',
  reason: 'It is asked by BSN, and a BSN must travel in a body, never in a URL; GET has no body.'
}]

export async function buildApp (config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date())
  // Fail at start, not on the first request, when the register is missing or invalid.
  const partyRegister = loadPartyRegister(config.REGISTER_FILE, config.PARTY_TYPE_CAPABILITIES_FILE)
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
    await app.register(registerPlugin, { partyRegister })
    await app.register(authenticationPlugin, { config, runtime })
    await app.register(pseudonymiserPlugin, { runtime })
    await app.register(brpPlugin, { config })
    await app.register(ledgerPlugin, { config, runtime, now, offline: options.offline === true })
    await app.register(routes)
    // Offline (for the OpenAPI document) nothing starts.
    if (!options.offline) await app.register(retentionPlugin, { intervalMs: config.PURGE_INTERVAL_MS })
    return app
  } catch (err) {
    // Nothing may keep running (relay, producer, pool) when the app could not be built.
    await app.close()
    throw err
  }
}
