// Configuration from the environment, validated by a JSON Schema at start.
// A bad or missing variable stops the start with a message that names it.
import { readFileSync } from 'node:fs'
import { envSchema } from 'env-schema'
import { ConfigError } from './errors.ts'

export interface JsonSchemaObject {
  readonly type: 'object'
  required?: readonly string[]
  properties: Readonly<Record<string, Readonly<Record<string, unknown>>>>
}

/**
 * HTTPS, and optionally mutual TLS, read the same way by every service. With MTLS_REQUIRED the TLS
 * handshake needs a client certificate from TLS_CA_FILE, and the authentication plugin checks that
 * its OIN (subject serialNumber) equals the token's org.
 */
function tlsConfigProperties () {
  return {
    TLS_CERT_FILE: { type: 'string', description: 'Server certificate (PEM); enables HTTPS' },
    TLS_KEY_FILE: { type: 'string', description: 'Server private key (PEM)' },
    TLS_CA_FILE: { type: 'string', description: 'CA bundle for client certificates; with MTLS_REQUIRED' },
    MTLS_REQUIRED: { type: 'boolean', default: false, description: 'Require a client certificate whose OIN (subject serialNumber) equals the token org' }
  } as const
}

export interface TlsConfig { TLS_CERT_FILE?: string, TLS_KEY_FILE?: string, TLS_CA_FILE?: string, MTLS_REQUIRED?: boolean }

/** Combinations a schema cannot express: HTTPS needs both halves, mTLS needs HTTPS and a CA. */
export function checkTlsConfig (config: TlsConfig): void {
  if (Boolean(config.TLS_CERT_FILE) !== Boolean(config.TLS_KEY_FILE)) throw new ConfigError('TLS_CERT_FILE and TLS_KEY_FILE go together')
  if (config.MTLS_REQUIRED && !(config.TLS_CERT_FILE && config.TLS_CA_FILE)) throw new ConfigError('MTLS_REQUIRED needs TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE')
}

/** Node's https options for the server: HTTPS when a certificate is configured, TLS 1.2 at least; undefined for HTTP. */
export function httpsOptions (config: TlsConfig): Record<string, unknown> | undefined {
  if (!config.TLS_CERT_FILE || !config.TLS_KEY_FILE) return undefined
  return {
    cert: readFileSync(config.TLS_CERT_FILE),
    key: readFileSync(config.TLS_KEY_FILE),
    ...(config.TLS_CA_FILE ? { ca: readFileSync(config.TLS_CA_FILE) } : {}),
    minVersion: 'TLSv1.2',
    requestCert: config.MTLS_REQUIRED === true,
    rejectUnauthorized: config.MTLS_REQUIRED === true
  }
}

/** Variables every service reads; each service spreads these into its own schema. */
export const baseConfigSchema = {
  type: 'object',
  required: ['SERVICE_NAME'],
  properties: {
    SERVICE_NAME: { type: 'string', description: 'Name of the service in logs and audit events' },
    HOST: { type: 'string', default: '127.0.0.1', description: 'Interface to listen on' },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info', description: 'pino log level' },
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://', 'x-production-required': true, description: 'PostgreSQL URL of the service\'s own database; default: the local server, database wams_<service>' },
    DATABASE_POOL_SIZE: { type: 'integer', minimum: 1, maximum: 200, default: 10, description: 'PostgreSQL connections per instance' },
    KAFKA_BROKERS: { type: 'string', default: '127.0.0.1:9092', pattern: '^[^,\\s]+(,[^,\\s]+)*$', description: 'Comma-separated Kafka bootstrap brokers' },
    KAFKA_TOPIC_PREFIX: { type: 'string', default: '', pattern: '^[a-zA-Z0-9._-]*$', description: 'Prefix for every topic name (tests use one per run)' },
    KAFKA_PARTITIONS: { type: 'integer', minimum: 1, default: 3, description: 'Partitions of topics this service creates' },
    KAFKA_REPLICATION_FACTOR: { type: 'integer', minimum: 1, default: 1, description: 'Replication factor of topics this service creates (3 in production)' },
    KAFKA_MIN_INSYNC_REPLICAS: { type: 'integer', minimum: 1, description: 'min.insync.replicas of the audit and checkpoint topics this service creates: an acks=all write counts once this many replicas hold it; at most KAFKA_REPLICATION_FACTOR; default: a majority of it (1 of 1, 2 of 3)' },
    PSEUDONYM_KEY: { type: 'string', minLength: 32, 'x-production-required': true, description: 'Secret key for BSN pseudonyms (HMAC-SHA256); the same in every service; dev default under .data/' },
    JWT_TRUSTED_ISSUERS: { type: 'string', 'x-production-required': true, description: 'JSON: [{ "iss": "...", and one of "publicKeyPem": "..." | "publicKeyFile": "..." | "discovery": true (OpenID Connect discovery at {iss}/.well-known/openid-configuration → jwks_uri) | "jwksUri": "..." }]; a provider\'s URLs must be https (http only on this machine); dev default: the dev issuer under .data/' },
    JWKS_MIN_REFRESH_MS: { type: 'integer', minimum: 100, default: 30000, description: 'An identity provider\'s key set is fetched again for a token with an unknown kid at most once per this interval (any fetch counts); meanwhile such a token is refused' },
    JWKS_REFRESH_MS: { type: 'integer', minimum: 1000, default: 300000, description: 'Background refresh of identity providers\' key sets: a key removed at the provider is refused after the next refresh; a failed refresh keeps the keys already known (fail closed only for keys not known)' },
    JWKS_TIMEOUT_MS: { type: 'integer', minimum: 50, default: 2000, description: 'Deadline of one request to an identity provider (discovery, JWKS); when it passes, a token with a key not yet known gets 401' },
    JWT_AUDIENCE: { type: 'string', default: 'wams', description: 'Expected aud claim' },
    BODY_LIMIT: { type: 'integer', minimum: 1024, default: 65536, description: 'Largest accepted request body in bytes' },
    SHUTDOWN_GRACE_MS: { type: 'integer', minimum: 100, default: 10000, description: 'How long a shutdown waits for in-flight work' },
    DATA_DIR: { type: 'string', default: '.data', description: 'Folder for dev keys and embedded PostgreSQL' },
    AUDIT_URL: { type: 'string', default: 'http://127.0.0.1:8082', pattern: '^https?://', description: 'Base URL of the audit service: producers ask it for inclusion receipts of their audit events' },
    AUDIT_LOG_ORIGIN: { type: 'string', default: 'wams.example/audit', pattern: '^[^\\s+]+$', description: 'Checkpoint origin line (C2SP) and name of the audit log\'s signing key' },
    AUDIT_LOG_KEY: { type: 'string', pattern: '^[^\\s+]+\\+[0-9a-f]{8}\\+[A-Za-z0-9+/=]+$', 'x-production-required': true, description: 'The audit log\'s C2SP verifier key (GET /v1/audit/keys), with which producers check receipts; dev default: derived from the dev key under .data/' },
    EVIDENCE_INTERVAL_MS: { type: 'integer', minimum: 50, default: 2000, description: 'How often a producer asks the audit log for inclusion receipts of its unproven audit events' },
    EVIDENCE_REPUBLISH_MS: { type: 'integer', minimum: 100, default: 30000, description: 'An audit event the log does not hold this long after publication is published again' },
    EVIDENCE_MAX_ATTEMPTS: { type: 'integer', minimum: 1, default: 5, description: 'Publications without proof before the evidence alarm is raised' },
    EVIDENCE_MAX_LAG_MS: { type: 'integer', minimum: 1000, default: 120000, description: 'Oldest unproven audit event allowed before the gateway stops releasing personal data (503)' },
    AUTH_FAILURE_WINDOW_MS: { type: 'integer', minimum: 1000, default: 60000, description: 'Window over which failed authentication is counted per source (client network); attempts beyond the burst become one aggregate audit event per window' },
    AUTH_FAILURE_BURST: { type: 'integer', minimum: 0, default: 5, description: 'Failed authentication attempts per source and window recorded one by one in the audit log' },
    OUTBOX_LINGER_MS: { type: 'integer', minimum: 0, maximum: 1000, default: 250, description: 'Least time between two partial batches of the outbox relay (none after a full batch): under load the events committed meanwhile are read, sent to Kafka and marked in one go. Delays an event on its way to the log by at most this much, never an answer' },
    OUTBOX_RELAY_THREAD: { type: 'boolean', default: true, description: 'Run the outbox relay on a worker thread of its own (its own pool connections and Kafka producer), so that publishing does not take CPU from the thread that serves requests; false: in the main thread' },
    OUTBOX_RETENTION_MS: { type: 'integer', minimum: 0, default: 604800000, description: 'Proven audit events (and published other messages) stay this long in the outbox before they are pruned' },
    ...tlsConfigProperties()
  }
} as const satisfies JsonSchemaObject

/**
 * Validates `env` against `schema`; throws ConfigError naming every bad variable. With
 * NODE_ENV=production, variables marked `x-production-required` (secrets and databases that have a
 * dev default) must be set explicitly.
 */
export function loadConfig<T> (schema: JsonSchemaObject, env: Record<string, string | undefined> = process.env): T {
  if (env.NODE_ENV === 'production') {
    const missing = Object.entries(schema.properties)
      .filter(([name, prop]) => prop['x-production-required'] === true && !env[name])
      .map(([name]) => name)
    if (missing.length > 0) throw new ConfigError(`required in production: ${missing.join(', ')}`)
  }
  let config: T
  try {
    config = envSchema({ schema: schema as never, data: env, dotenv: false, ajv: configAjv() }) as T
  } catch (err) {
    throw new ConfigError((err as Error).message.replace(/env\//g, ''))
  }
  if ('TLS_CERT_FILE' in schema.properties) checkTlsConfig(config as TlsConfig)
  return config
}

function configAjv () {
  return {
    customOptions<A extends { addKeyword: (k: string) => unknown }> (ajv: A): A {
      ajv.addKeyword('x-production-required')
      return ajv
    }
  }
}
