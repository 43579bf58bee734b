import type { FromSchema } from 'json-schema-to-ts'
import { DEV_ISSUER, baseConfigSchema, loadConfig } from '@wams/platform'

export const configSchema = {
  type: 'object',
  required: baseConfigSchema.required,
  properties: {
    ...baseConfigSchema.properties,
    SERVICE_NAME: { type: 'string', default: 'consent-ledger', description: 'Name of the service in logs and audit events' },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8081, description: 'HTTP port' },
    GATEWAY_ISSUER: { type: 'string', minLength: 1, default: DEV_ISSUER, 'x-production-required': true, description: 'iss of the gateway\'s own tokens: the only issuer whose tokens may carry the system role gateway' },
    RETENTION_DAYS: { type: 'integer', minimum: 0, default: 1825, description: 'Retention after a case is closed before its personal data are purged (days)' },
    PURGE_INTERVAL_MS: { type: 'integer', minimum: 1000, default: 3600000, description: 'How often the retention purge runs' },
    REGISTER_FILE: { type: 'string', description: 'Party register JSON (default: schemas/party-register.json)' },
    PARTY_TYPE_CAPABILITIES_FILE: { type: 'string', description: 'Party-type capability table JSON, the allow-list of what each party type may do (default: schemas/party-type-capabilities.json)' },
    BRP_URL: { type: 'string', default: 'http://127.0.0.1:8090/brp/haalcentraal/api/brp', pattern: '^https?://', 'x-production-required': true, description: 'Base URL of the BRP Personen Bevragen API (Haal Centraal); the residence check asks POST {BRP_URL}/personen. Default: the demo BRP of the demo partner systems' },
    CASE_STATE_LEASE_MS: { type: 'integer', minimum: 500, maximum: 60000, default: 3000, description: 'How long a gateway instance\'s case-state lease runs after its last poll. A change is acknowledged once every live lease confirmed it, so a gateway instance that stops polling delays changes by at most this long' },
    CASE_STATE_LEASE_HOLD_MS: { type: 'integer', minimum: 50, maximum: 30000, default: 500, description: 'Longest a lease poll without news is held open; must stay well below CASE_STATE_LEASE_MS' },
    BRP_TIMEOUT_MS: { type: 'integer', minimum: 50, default: 2000, description: 'Connect-and-answer deadline of one BRP question; when it passes no case is opened (503)' }
  }
} as const

export type Config = FromSchema<typeof configSchema>

export function readConfig (env: Record<string, string | undefined> = process.env): Config {
  return loadConfig<Config>(configSchema, env)
}
