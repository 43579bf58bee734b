// Builds the audit service: its runtime (PostgreSQL, Kafka, outbox), the common service shell, and
// then, like the gateway and the fastify demo app, the external plugins (authentication), the app
// plugins (the register and the scope, the live stream, the log: consumer, sequencer, checkpoints;
// the witness keys whose cosignatures it keeps) and the routes.
import type { FastifyInstance } from 'fastify'
import { createServiceOnRuntime, loadPartyRegister, type ConsumedMessage } from '@wams/platform'
import type { Config } from './config.ts'
import { inclusionReceipts } from './receipts.ts'
import { loadSigningKey } from './signing-key.ts'
import registerPlugin from './plugins/app/register.ts'
import scopePlugin from './plugins/app/scope.ts'
import pseudonymiserPlugin from './plugins/app/pseudonymiser.ts'
import streamPlugin from './plugins/app/stream.ts'
import logPlugin from './plugins/app/log.ts'
import ledgerPlugin, { type SubjectCasesClient } from './plugins/app/ledger.ts'
import witnessesPlugin from './plugins/app/witnesses.ts'
import authenticationPlugin from './plugins/external/authentication.ts'
import routes from './routes/index.ts'

const MIGRATIONS = new URL('../migrations', import.meta.url).pathname
export const API_VERSION = '1.0.0'

export interface BuildOptions {
  /** The clock of the retention purge and of reports (tests inject one). */
  now?: () => Date
  /** Called after a consumed batch is committed to the database and before its offsets are (tests crash here). */
  afterStore?: (messages: ConsumedMessage[]) => Promise<void> | void
  /** Build for the OpenAPI document only (scripts/openapi-docs.ts): connects to nothing, starts nothing. */
  offline?: boolean
  /** The consent ledger's answer to "in which of the caller's cases is this person?" (tests without a ledger inject one). */
  subjectCases?: SubjectCasesClient
}

/** The deliberate deviations from the NLGov API Design Rules, published in the OpenAPI document. */
const DEVIATIONS = [{
  rule: '/core/http-safety, /core/http-methods',
  deviation: 'Two reads use POST: POST /audit/events/search (the events about one person) and POST /audit/subject-report (the inzage report of one person). They change nothing and answer 200.',
  reason: 'They are asked by BSN, and a BSN must travel in a body, never in a URL (logs, proxies, browser histories); GET has no body.'
}, {
  rule: '/core/error-handling (403 Forbidden)',
  deviation: 'An event the caller may not see is answered 404, as if it did not exist, not 403.',
  reason: 'That an exchange about someone took place is itself personal data; a party outside its scope must not learn that it exists.'
}]

export async function buildApp (config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date())
  const offline = options.offline === true
  // Fail at start, not on the first request, when the register or the signing key is wrong.
  const partyRegister = loadPartyRegister(config.REGISTER_FILE, config.PARTY_TYPE_CAPABILITIES_FILE)
  const key = loadSigningKey({ name: config.AUDIT_LOG_ORIGIN, keyFile: config.AUDIT_SIGNING_KEY_FILE, dataDir: config.DATA_DIR })
  const { app, runtime } = await createServiceOnRuntime({
    config,
    migrations: MIGRATIONS,
    title: 'Wams audit log',
    description: 'Immutable, verifiable evidence of every exchange: an RFC 6962 Merkle tree log with signed checkpoints, queryable by supervisors, parties and residents.',
    apiVersion: API_VERSION,
    offline,
    tags: { audit: 'The audit log: events with inclusion proofs, signed checkpoints, consistency proofs, the export for the offline verifier and the inzage report' },
    deviations: DEVIATIONS,
    // The log proves its own events (failed logins, report requests) in process, with its own key.
    receipts: (pool) => (eventIds) => inclusionReceipts(pool, eventIds),
    verifierKey: key.verifierKey,
    readiness: (rt) => ({
      // What the store could not hold needs the supervisor's and an operator's eyes.
      store: async () => {
        const { rows } = await rt.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM rejected_messages')
        return { status: rows[0]!.n > 0 ? 'degraded' : 'up', detail: { rejected: rows[0]!.n } }
      }
    })
  })

  try {
    await app.register(registerPlugin, { partyRegister })
    await app.register(authenticationPlugin, { config, runtime })
    await app.register(scopePlugin)
    await app.register(pseudonymiserPlugin, { runtime })
    await app.register(streamPlugin, { config, runtime, offline })
    await app.register(ledgerPlugin, { config, ...(options.subjectCases ? { client: options.subjectCases } : {}) })
    await app.register(logPlugin, { config, runtime, key, now, afterStore: options.afterStore, offline })
    await app.register(witnessesPlugin, { config })
    await app.register(routes)
  } catch (err) {
    // What started is stopped (the stream, the sequencer, the consumer), then the runtime.
    await app.close()
    throw err
  }
  return app
}
