import type { FromSchema } from 'json-schema-to-ts'
import { baseConfigSchema, loadConfig } from '@wams/platform'

export const configSchema = {
  type: 'object',
  required: baseConfigSchema.required,
  properties: {
    ...baseConfigSchema.properties,
    SERVICE_NAME: { type: 'string', default: 'audit', description: 'Name of the service in logs and audit events' },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8082, description: 'HTTP port' },
    AUDIT_LOG_ORIGIN: { type: 'string', default: 'wams.example/audit', description: 'Checkpoint origin line (C2SP)' },
    AUDIT_SIGNING_KEY_FILE: { type: 'string', 'x-production-required': true, description: 'Ed25519 private key (PEM) for checkpoints; dev default under .data/' },
    CHECKPOINT_INTERVAL_MS: { type: 'integer', minimum: 100, default: 5000, description: 'How often a new checkpoint is signed when the log grew' },
    AUDIT_RETENTION_DAYS: { type: 'integer', minimum: 0, default: 1825, description: 'Retention of personal content in audit events (days); leaf hashes are kept' }
  }
} as const

export type Config = FromSchema<typeof configSchema>

export function readConfig (env: Record<string, string | undefined> = process.env): Config {
  return loadConfig<Config>(configSchema, env)
}
