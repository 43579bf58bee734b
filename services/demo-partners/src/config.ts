import type { FromSchema } from 'json-schema-to-ts'
import { baseConfigSchema, ConfigError, DEV_ISSUER, loadConfig } from '@wams/platform'
import { parseFaults } from './faults.ts'

// No database and no Kafka: only the few base variables a plain HTTP service needs.
const base = baseConfigSchema.properties

export const configSchema = {
  type: 'object',
  properties: {
    SERVICE_NAME: { type: 'string', default: 'demo-partners', description: 'Name of the service in logs' },
    HOST: base.HOST,
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8090, description: 'HTTP port; every party is served under /partners/<oin>' },
    LOG_LEVEL: base.LOG_LEVEL,
    BODY_LIMIT: base.BODY_LIMIT,
    SHUTDOWN_GRACE_MS: base.SHUTDOWN_GRACE_MS,
    DATA_DIR: { type: 'string', default: '.data', description: 'Folder of the dev issuer keys (the dev default of GATEWAY_PUBLIC_KEY_FILE)' },
    REGISTER_FILE: { type: 'string', description: 'Party register JSON (default: schemas/party-register.json); every party listed is served' },
    GATEWAY_PUBLIC_KEY_FILE: { type: 'string', 'x-production-required': true, description: 'Public key (PEM, Ed25519) the gateway signs its partner tokens with; dev default: the dev issuer\'s key under DATA_DIR' },
    GATEWAY_ISSUER: { type: 'string', minLength: 1, default: DEV_ISSUER, 'x-production-required': true, description: 'Expected iss of the gateway\'s partner tokens' },
    DEMO_FAULTS: { type: 'string', default: '{}', description: 'JSON: { "<oin>": { "delayMs"?: n, "invalid"?: true, "status"?: 500|503, "extraFields"?: true } } — faults per partner for tests' }
  }
} as const

export type Config = FromSchema<typeof configSchema>

export function readConfig (env: Record<string, string | undefined> = process.env): Config {
  const config = loadConfig<Config>(configSchema, env)
  // A bad DEMO_FAULTS stops the start like any other bad variable, not on the first request.
  try {
    parseFaults(config.DEMO_FAULTS)
  } catch (err) {
    throw new ConfigError(`DEMO_FAULTS ${(err as Error).message}`)
  }
  return config
}
