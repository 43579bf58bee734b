import type { FromSchema } from 'json-schema-to-ts'
import { baseConfigSchema, loadConfig } from '@wams/platform'

export const configSchema = {
  type: 'object',
  required: baseConfigSchema.required,
  properties: {
    ...baseConfigSchema.properties,
    SERVICE_NAME: { type: 'string', default: 'gateway', description: 'Name of the service in logs and audit events' },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8080, description: 'HTTP port' },
    REGISTER_FILE: { type: 'string', description: 'Party register JSON (default: schemas/party-register.json)' },
    PARTY_TYPE_CAPABILITIES_FILE: { type: 'string', description: 'Party-type capability table JSON, the allow-list of what each party type may do (default: schemas/party-type-capabilities.json)' },
    CONSENT_LEDGER_URL: { type: 'string', default: 'http://127.0.0.1:8081', pattern: '^https?://', description: 'Base URL of the consent ledger' },
    LEDGER_TIMEOUT_MS: { type: 'integer', minimum: 50, default: 2000, description: 'Connect and response timeout of a case-state read from the consent ledger' },
    LEDGER_CONNECTIONS: { type: 'integer', minimum: 1, default: 64, description: 'Keep-alive connections to the consent ledger per instance' },
    CASE_STATE_CACHE_ENTRIES: { type: 'integer', minimum: 0, maximum: 1000000, default: 10000, description: 'Case states kept in memory under a lease from the consent ledger, so a decision needs no round trip to it; the ledger acknowledges a change only after every live lease dropped its copy, so every decision still sees each change acknowledged before it began. 0: every decision reads the case state from the ledger' },
    PARTNER_TIMEOUT_MS: { type: 'integer', minimum: 100, default: 5000, description: 'Deadline of one whole partner call: waiting for a bulkhead permit, connecting, the answer and its body (also per party in the involvement check)' },
    PARTNER_CONNECT_TIMEOUT_MS: { type: 'integer', minimum: 100, default: 2000, description: 'Connect timeout per partner' },
    PARTNER_CONNECTIONS: { type: 'integer', minimum: 1, default: 64, description: 'Keep-alive connections per partner per instance' },
    PARTNER_MAX_IN_FLIGHT: { type: 'integer', minimum: 1, description: 'Bulkhead per partner: calls in flight at once per instance (default: PARTNER_CONNECTIONS); more get 503 PARTNER_BUSY with Retry-After' },
    PARTNER_MAX_QUEUED: { type: 'integer', minimum: 0, default: 16, description: 'Bulkhead per partner: calls that may wait for a permit, within PARTNER_TIMEOUT_MS; 0: none wait' },
    PARTNER_CA_FILE: { type: 'string', description: 'Extra CA bundle (PEM) to verify partner systems\' TLS certificates; verification itself is always on' },
    PARTNER_RESPONSE_LIMIT: { type: 'integer', minimum: 1024, default: 1048576, description: 'Largest partner response body in bytes' },
    BREAKER_ERROR_PERCENT: { type: 'integer', minimum: 1, maximum: 100, default: 50, description: 'Circuit breaker per partner: failure percentage (of the calls it judges) at or above which it opens' },
    BREAKER_VOLUME: { type: 'integer', minimum: 1, default: 10, description: 'Circuit breaker: it judges the last this many settled calls (a timeout is a failure) and may open only when there are this many' },
    BREAKER_WINDOW_MS: { type: 'integer', minimum: 100, default: 10000, description: 'Circuit breaker: only calls settled within this window count towards BREAKER_VOLUME and BREAKER_ERROR_PERCENT' },
    BREAKER_RESET_MS: { type: 'integer', minimum: 100, default: 10000, description: 'Circuit breaker: how long it stays open before one trial call' },
    AUDIT_GROUP_COMMIT_MAX_EVENTS: { type: 'integer', minimum: 0, maximum: 13000, default: 256, description: 'Group commit of audit records: concurrent decisions share one INSERT and one commit of at most this many events (up to AUDIT_GROUP_COMMIT_MAX_IN_FLIGHT such commits at once); each answer still waits for the commit that holds its record, and a record that finds no place in a batch within 5 s is refused (503, as without a free connection). 0: every decision commits its own record' },
    AUDIT_GROUP_COMMIT_MAX_IN_FLIGHT: { type: 'integer', minimum: 1, maximum: 16, default: 1, description: 'Group commits of audit records written at once, each on its own connection; while they are, new records gather for the next one (1: the fewest, largest commits, the least CPU per record under load)' },
    RATE_LIMIT_PER_MINUTE: { type: 'integer', minimum: 1, default: 6000, description: 'Requests per organisation per minute: across all instances with RATE_LIMIT_REDIS_URL, else per instance' },
    RATE_LIMIT_REDIS_URL: { type: 'string', default: '', pattern: '^(rediss?://\\S+)?$', description: 'Redis (redis:// or rediss://) in which every gateway instance counts one limit per organisation; empty: each instance counts alone, in memory. When Redis fails or does not answer within RATE_LIMIT_REDIS_TIMEOUT_MS the request is counted by the instance alone (fails open: the exchange goes on, at most instances × the limit) and the switch is logged' },
    RATE_LIMIT_REDIS_PREFIX: { type: 'string', default: 'wams:rate-limit:', pattern: '^\\S*$', description: 'Prefix of the rate-limit keys in Redis (one per deployment sharing a Redis)' },
    RATE_LIMIT_REDIS_TIMEOUT_MS: { type: 'integer', minimum: 5, maximum: 5000, default: 100, description: 'Longest wait for Redis per request before the instance counts it alone' },
    GATEWAY_OIN: { type: 'string', pattern: '^[0-9]{20}$', default: '00000099000000009000', description: 'The gateway\'s own OIN: org of the tokens it signs' },
    GATEWAY_ISSUER: { type: 'string', minLength: 1, description: 'iss of the tokens the gateway signs (the consent ledger and partners trust it); default: the dev issuer\'s in development, urn:wams:gateway:<GATEWAY_OIN> with GATEWAY_SIGNING_KEY_FILE' },
    GATEWAY_SIGNING_KEY_FILE: { type: 'string', 'x-production-required': true, description: 'Ed25519 private key (PEM) for tokens to the consent ledger and partners; dev default: the dev issuer key under .data/' }
  }
} as const

export type Config = FromSchema<typeof configSchema>

/** TLS_* and MTLS_REQUIRED come from the platform, which also refuses combinations that do not fit. */
export function readConfig (env: Record<string, string | undefined> = process.env): Config {
  return loadConfig<Config>(configSchema, env)
}
