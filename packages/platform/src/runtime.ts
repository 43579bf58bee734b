// What every service needs at start, in one place: validated config, its own PostgreSQL database
// (migrated), Kafka (topics ensured, producer connected), the outbox relay, the pseudonymiser and
// the trusted token issuers. Tearing down runs in the reverse order.
import pino, { type Logger } from 'pino'
import type { FromSchema } from 'json-schema-to-ts'
import { baseConfigSchema, httpsOptions } from './config.ts'
import { createPool, defaultDatabaseUrl, ensureDatabase, migrate, type Pool } from './database.ts'
import { Broker, type TopicKey } from './kafka.ts'
import { OutboxRelay, OUTBOX_MIGRATIONS } from './outbox.ts'
import { RelayThread, type Relay } from './relay-thread.ts'
import { EvidenceReconciler, httpReceiptSource, type ReceiptSource } from './evidence.ts'
import { loadPrivateKeyPem, verifierKeyString } from '@wams/transparency-log'
import { createPseudonymiser, type Pseudonymiser } from './pseudonym.ts'
import { devAuditLogKeyPem, devIssuer, devPseudonymKey } from './dev-secrets.ts'
import { parseTrustedIssuers, type TrustedIssuer } from './authentication.ts'
import { loggerOptions } from './logger.ts'
import { createService, type HealthCheck, type HealthReport } from './service.ts'
import type { AdrDeviation } from './openapi.ts'
import type { FastifyInstance } from 'fastify'

export type BaseConfig = FromSchema<typeof baseConfigSchema>

export interface Runtime {
  config: BaseConfig
  logger: Logger
  pool: Pool
  broker: Broker
  relay: Relay
  /** Keeps audit events until the log proved it holds them; gates release (SPEC §7). */
  evidence: EvidenceReconciler
  pseudonymise: Pseudonymiser
  issuers: TrustedIssuer[]
  databaseUrl: string
  close: () => Promise<void>
}

/** The evidence reconciler of a service, from its config (SPEC §7). */
function evidenceOf (config: BaseConfig, pool: Pool, logger: Logger, receipts: ReceiptSource, verifierKey?: string): EvidenceReconciler {
  return new EvidenceReconciler({
    pool,
    logger,
    receipts,
    verifierKey: verifierKey ?? config.AUDIT_LOG_KEY ?? verifierKeyString(config.AUDIT_LOG_ORIGIN, loadPrivateKeyPem(devAuditLogKeyPem(config.DATA_DIR))),
    origin: config.AUDIT_LOG_ORIGIN,
    intervalMs: config.EVIDENCE_INTERVAL_MS,
    republishAfterMs: config.EVIDENCE_REPUBLISH_MS,
    maxAttempts: config.EVIDENCE_MAX_ATTEMPTS,
    maxLagMs: config.EVIDENCE_MAX_LAG_MS,
    retentionMs: config.OUTBOX_RETENTION_MS
  })
}

export async function startRuntime (options: {
  config: BaseConfig
  /** The service's own migrations folder, applied after the platform's (outbox). */
  migrations?: string
  topics?: TopicKey[]
  logger?: Logger
  /** Where inclusion receipts come from; default: the audit service at AUDIT_URL. */
  receipts?: (pool: Pool) => ReceiptSource
  /** The log's verifier key when the service knows it otherwise (the audit service: its own key). */
  verifierKey?: string
}): Promise<Runtime> {
  const { config } = options
  const logger = options.logger ?? pino(loggerOptions(config.SERVICE_NAME, config.LOG_LEVEL))
  const databaseUrl = config.DATABASE_URL ?? defaultDatabaseUrl(config.SERVICE_NAME)
  if (!config.DATABASE_URL) await ensureDatabase(databaseUrl)
  const pool = createPool(databaseUrl, config.DATABASE_POOL_SIZE)
  try {
    await migrate(pool, options.migrations ? `{${OUTBOX_MIGRATIONS},${options.migrations}}` : OUTBOX_MIGRATIONS)
  } catch (err) {
    await pool.end()
    throw err
  }
  const brokerSettings = {
    brokers: config.KAFKA_BROKERS,
    clientId: config.SERVICE_NAME,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    partitions: config.KAFKA_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    ...(config.KAFKA_MIN_INSYNC_REPLICAS !== undefined ? { minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS } : {})
  }
  const broker = new Broker({ ...brokerSettings, logger })
  try {
    await broker.ensureTopics(options.topics)
    await broker.connectProducer()
  } catch (err) {
    await broker.close()
    await pool.end()
    throw new Error(`Kafka at ${config.KAFKA_BROKERS} is not reachable: ${(err as Error).message}`)
  }
  const relay: Relay = config.OUTBOX_RELAY_THREAD
    ? new RelayThread({ pool, logger, data: { databaseUrl, broker: brokerSettings, lingerMs: config.OUTBOX_LINGER_MS, service: config.SERVICE_NAME, logLevel: config.LOG_LEVEL } })
    : new OutboxRelay({ pool, broker, logger, lingerMs: config.OUTBOX_LINGER_MS })
  relay.start()
  const evidence = evidenceOf(config, pool, logger, options.receipts?.(pool) ?? httpReceiptSource(config.AUDIT_URL), options.verifierKey)
  evidence.start()
  const { issuers, pseudonymise } = identityOf(config)

  let closed = false
  return {
    config,
    logger,
    pool,
    broker,
    relay,
    evidence,
    pseudonymise,
    issuers,
    databaseUrl,
    async close () {
      if (closed) return
      closed = true
      await evidence.stop()
      await relay.stop()
      await broker.close()
      await pool.end()
    }
  }
}

/** The trusted token issuers and the pseudonymiser: configured, or the dev ones under DATA_DIR. */
function identityOf (config: BaseConfig): Pick<Runtime, 'issuers' | 'pseudonymise'> {
  const issuers = config.JWT_TRUSTED_ISSUERS
    ? parseTrustedIssuers(config.JWT_TRUSTED_ISSUERS)
    : [{ iss: devIssuer(config.DATA_DIR).iss, publicKeyPem: devIssuer(config.DATA_DIR).publicKeyPem }]
  return { issuers, pseudonymise: createPseudonymiser(config.PSEUDONYM_KEY ?? devPseudonymKey(config.DATA_DIR)) }
}

/**
 * A runtime that connects to nothing and starts nothing, for building a service only to read its
 * OpenAPI document (scripts/openapi-docs.ts, `npm run lint`): the pool and the broker exist but are
 * never used (neither connects until asked), the relay and the evidence reconciler never start.
 */
export function offlineRuntime (options: { config: BaseConfig, logger?: Logger, verifierKey?: string }): Runtime {
  const { config } = options
  const logger = options.logger ?? pino(loggerOptions(config.SERVICE_NAME, config.LOG_LEVEL))
  const databaseUrl = config.DATABASE_URL ?? defaultDatabaseUrl(config.SERVICE_NAME)
  const pool = createPool(databaseUrl, 1)
  const broker = new Broker({ brokers: config.KAFKA_BROKERS, clientId: config.SERVICE_NAME, topicPrefix: config.KAFKA_TOPIC_PREFIX, partitions: config.KAFKA_PARTITIONS, replicationFactor: config.KAFKA_REPLICATION_FACTOR, minInsyncReplicas: config.KAFKA_MIN_INSYNC_REPLICAS, logger })
  const relay = new OutboxRelay({ pool, broker, logger, lingerMs: config.OUTBOX_LINGER_MS })
  const evidence = evidenceOf(config, pool, logger, async () => { throw new Error('an offline runtime asks the audit log for nothing') }, options.verifierKey)
  const { issuers, pseudonymise } = identityOf(config)
  return {
    config,
    logger,
    pool,
    broker,
    relay,
    evidence,
    pseudonymise,
    issuers,
    databaseUrl,
    async close () { await pool.end() }
  }
}

/** Readiness checks for createService: the database answers, Kafka answers, the relay keeps up. */
export function runtimeReadiness (runtime: Runtime) {
  return {
    postgres: async () => (await runtime.pool.query('SELECT 1')).rowCount === 1,
    kafka: () => runtime.broker.ready(),
    outbox: async () => runtime.relay.lastError === null,
    // Degraded, not down: an alarm needs an operator; the gateway itself stops releasing data.
    evidence: async (): Promise<HealthReport> => {
      const status = runtime.evidence.status()
      return { status: status.alarmed > 0 || !runtime.evidence.releasable ? 'degraded' : 'up', detail: { ...status } }
    }
  }
}

export interface ServiceOnRuntime { app: FastifyInstance, runtime: Runtime, logger: Logger }

/**
 * A service shell on its runtime, the start every service shares: the runtime first (database,
 * Kafka, outbox relay), then the Fastify shell whose readiness checks that runtime. The runtime
 * closes when the app closes; hooks the service adds later run before it. If the shell cannot be
 * built, the runtime is closed again, so nothing keeps running.
 */
export async function createServiceOnRuntime (options: {
  config: BaseConfig
  migrations: string
  title: string
  description: string
  apiVersion: string
  logger?: Logger
  https?: Record<string, unknown>
  receipts?: (pool: Pool) => ReceiptSource
  verifierKey?: string
  /** Readiness checks of the service itself, besides the runtime's. */
  readiness?: (runtime: Runtime) => Record<string, HealthCheck>
  /** Build for the OpenAPI document only: an offlineRuntime, nothing connects (the service starts nothing either). */
  offline?: boolean
  /** The OpenAPI document's tag descriptions and the service's deviations from the API Design Rules. */
  tags?: Record<string, string>
  deviations?: AdrDeviation[]
}): Promise<ServiceOnRuntime> {
  const { config } = options
  const logger = options.logger ?? pino(loggerOptions(config.SERVICE_NAME, config.LOG_LEVEL))
  const verifierKey = options.verifierKey ? { verifierKey: options.verifierKey } : {}
  const runtime = options.offline
    ? offlineRuntime({ config, logger, ...verifierKey })
    : await startRuntime({ config, migrations: options.migrations, logger, ...(options.receipts ? { receipts: options.receipts } : {}), ...verifierKey })
  // HTTPS (and mutual TLS) from the configuration every service reads the same way.
  const https = options.https ?? httpsOptions(config)
  try {
    const app = await createService({
      name: config.SERVICE_NAME,
      title: options.title,
      description: options.description,
      apiVersion: options.apiVersion,
      logLevel: config.LOG_LEVEL,
      bodyLimit: config.BODY_LIMIT,
      loggerInstance: logger,
      readiness: { ...runtimeReadiness(runtime), ...options.readiness?.(runtime) },
      ...(https ? { https } : {}),
      ...(options.tags ? { tags: options.tags } : {}),
      ...(options.deviations ? { deviations: options.deviations } : {})
    })
    app.addHook('onClose', async () => { await runtime.close() })
    return { app, runtime, logger }
  } catch (err) {
    await runtime.close()
    throw err
  }
}
