// Builds the audit service: its runtime (PostgreSQL, Kafka, outbox), the common service shell,
// the consumer that stores events, the sequencer that appends them to the one Merkle tree and
// signs checkpoints (one instance at a time), the live stream and the routes.
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import {
  authenticationPlugin, auditAuthenticationFailure, createServiceOnRuntime, loadPartyRegister,
  type ConsumedMessage, type Pool, type Subscription
} from '@wams/platform'
import type { Config } from './config.ts'
import { AuditStore, type StoreStats } from './store.ts'
import { Sequencer } from './sequencer.ts'
import { Checkpointer } from './checkpointer.ts'
import { StreamHub } from './stream.ts'
import { inclusionReceipts } from './receipts.ts'
import { purgeExpired, type PurgeResult } from './retention.ts'
import { loadSigningKey, type SigningKey } from './signing-key.ts'
import { reportPartySchema } from './routes/schemas.ts'
import type { AuditContext } from './routes/context.ts'
import eventRoutes from './routes/events.ts'
import logRoutes from './routes/log.ts'
import streamRoutes from './routes/stream.ts'
import subjectReportRoutes from './routes/subject-report.ts'
import exportRoutes from './routes/export.ts'

const MIGRATIONS = new URL('../migrations', import.meta.url).pathname
export const API_VERSION = '1.0.0'

export interface BuildOptions {
  /** The clock of the retention purge and of reports (tests inject one). */
  now?: () => Date
  /** Called after a consumed batch is committed to the database and before its offsets are (tests crash here). */
  afterStore?: (messages: ConsumedMessage[]) => Promise<void> | void
  /** Build for the OpenAPI document only (scripts/openapi-docs.ts): connects to nothing, starts nothing. */
  offline?: boolean
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

declare module 'fastify' {
  interface FastifyInstance {
    auditLog: {
      pool: Pool
      key: SigningKey
      stats: StoreStats
      sequencer: Sequencer
      checkpointer: Checkpointer
      /** Runs the retention purge now, with the app's clock. */
      purgeExpired: () => Promise<PurgeResult>
    }
  }
}

export async function buildApp (config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const now = options.now ?? (() => new Date())
  // Fail at start, not on the first request, when the register or the signing key is wrong.
  const register = loadPartyRegister(config.REGISTER_FILE, config.PARTY_TYPE_CAPABILITIES_FILE)
  const key = loadSigningKey({ name: config.AUDIT_LOG_ORIGIN, keyFile: config.AUDIT_SIGNING_KEY_FILE, dataDir: config.DATA_DIR })
  const { app, runtime, logger } = await createServiceOnRuntime({
    config,
    migrations: MIGRATIONS,
    title: 'Wams audit log',
    description: 'Immutable, verifiable evidence of every exchange: an RFC 6962 Merkle tree log with signed checkpoints, queryable by supervisors, parties and residents.',
    apiVersion: API_VERSION,
    offline: options.offline === true,
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
  const instanceId = `${config.SERVICE_NAME}-${randomUUID().slice(0, 8)}`
  const { pool } = runtime

  await app.register(authenticationPlugin, {
    issuers: runtime.issuers,
    audience: config.JWT_AUDIENCE,
    // Least privilege: only active parties of the register read the audit log.
    isActiveParty: (org: string) => register.isActive(org),
    onFailure: auditAuthenticationFailure(pool, 'audit'),
    requireCertificateOin: config.MTLS_REQUIRED
  })

  const store = new AuditStore({ pool, logger, instanceId, afterCommit: options.afterStore })
  const checkpointer = new Checkpointer({ pool, key, origin: config.AUDIT_LOG_ORIGIN, logger, now })
  const purge = () => purgeExpired(pool, { now: now(), retentionDays: config.AUDIT_RETENTION_DAYS })
  const sequencer = new Sequencer({
    pool, logger, checkpointer,
    checkpointIntervalMs: config.CHECKPOINT_INTERVAL_MS,
    purgeIntervalMs: config.RETENTION_INTERVAL_MS,
    purge: async () => {
      const result = await purge()
      if (result.events > 0) logger.info({ events: result.events }, 'audit: retention purge dropped the content of expired events')
    }
  })
  const hub = new StreamHub({ pool, logger, heartbeatMs: config.STREAM_HEARTBEAT_MS })

  let subscription: Subscription | null = null
  let started = false
  const stop = async () => {
    await hub.stop()
    await subscription?.stop()
    await sequencer.stop()
  }
  try {
    // Offline (for the OpenAPI document) nothing starts: the routes below are all that is needed.
    if (!options.offline) {
      await hub.start()
      sequencer.start()
      // Every instance is a member of the one group: Kafka splits the partitions between them.
      subscription = await runtime.broker.consume({
        groupId: `${config.KAFKA_TOPIC_PREFIX}wams-audit`,
        topics: ['audit'],
        handle: (messages) => store.handle(messages)
      })
    }
    started = true
  } finally {
    if (!started) await stop()
  }

  app.decorate('auditLog', { pool, key, stats: store.stats, sequencer, checkpointer, purgeExpired: purge })
  app.addSchema(reportPartySchema)
  const ctx: AuditContext = {
    pool, register, pseudonymise: runtime.pseudonymise, key, origin: config.AUDIT_LOG_ORIGIN, checkpointer, hub,
    checkpointIntervalMs: config.CHECKPOINT_INTERVAL_MS, now
  }
  await app.register(eventRoutes, ctx)
  await app.register(logRoutes, ctx)
  await app.register(streamRoutes, ctx)
  await app.register(subjectReportRoutes, ctx)
  await app.register(exportRoutes, ctx)

  // Streams end before the server waits for open connections; then the consumer leaves the
  // group (its batch in hand committed), the sequencer hands over its lock, the pool closes.
  app.addHook('preClose', async () => { await hub.stop() })
  app.addHook('onClose', stop)
  return app
}
