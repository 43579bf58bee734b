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
    CONSENT_LEDGER_URL: { type: 'string', default: 'http://127.0.0.1:8081', description: 'Base URL of the consent ledger' },
    PARTNER_TIMEOUT_MS: { type: 'integer', minimum: 100, default: 5000, description: 'Response timeout per partner call' },
    PARTNER_CONNECT_TIMEOUT_MS: { type: 'integer', minimum: 100, default: 2000, description: 'Connect timeout per partner' },
    RATE_LIMIT_PER_MINUTE: { type: 'integer', minimum: 1, default: 6000, description: 'Requests per organisation per minute' },
    GATEWAY_SIGNING_KEY_FILE: { type: 'string', 'x-production-required': true, description: 'Ed25519 private key (PEM) for tokens to partners; dev default under .data/' },
    TLS_CERT_FILE: { type: 'string', description: 'Server certificate (PEM); enables HTTPS' },
    TLS_KEY_FILE: { type: 'string', description: 'Server private key (PEM)' },
    TLS_CA_FILE: { type: 'string', description: 'CA bundle for client certificates; with MTLS_REQUIRED' },
    MTLS_REQUIRED: { type: 'boolean', default: false, description: 'Require a client certificate whose OIN equals the token org' }
  }
} as const

export type Config = FromSchema<typeof configSchema>

export function readConfig (env: Record<string, string | undefined> = process.env): Config {
  return loadConfig<Config>(configSchema, env)
}
