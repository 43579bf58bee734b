import type { FromSchema } from 'json-schema-to-ts'
import { baseConfigSchema, loadConfig } from '@wams/platform'

export const configSchema = {
  type: 'object',
  required: baseConfigSchema.required,
  properties: {
    ...baseConfigSchema.properties,
    SERVICE_NAME: { type: 'string', default: 'audit', description: 'Name of the service in logs and audit events' },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8082, description: 'HTTP port' },
    AUDIT_LOG_KEY: { type: 'string', description: 'Not used by the audit service: it proves its own events with its signing key' },
    AUDIT_SIGNING_KEY_FILE: { type: 'string', description: 'Ed25519 private key (PKCS#8 PEM) for checkpoints; dev default under DATA_DIR/audit-signing/' },
    WITNESS_KEYS: { type: 'string', default: '', description: 'Witness verifier keys (C2SP tlog-cosignature, type 0x04, as `npx wams witness` prints them), comma-separated: the log keeps and serves the cosignatures of these keys only; empty: none' },
    CHECKPOINT_INTERVAL_MS: { type: 'integer', minimum: 100, default: 5000, description: 'How often a new checkpoint is signed when the log grew' },
    AUDIT_RETENTION_DAYS: { type: 'integer', minimum: 0, default: 1825, description: 'Retention of personal content in audit events (days); leaf hashes are kept' },
    RETENTION_INTERVAL_MS: { type: 'integer', minimum: 1000, default: 3600000, description: 'How often the sequencer runs the retention purge' },
    STREAM_HEARTBEAT_MS: { type: 'integer', minimum: 100, default: 15000, description: 'Heartbeat comment interval of /v1/audit/stream' },
    CONSENT_LEDGER_URL: { type: 'string', default: 'http://127.0.0.1:8081', pattern: '^https?://', description: 'Base URL of the consent ledger, asked (with the caller\'s own token) whether a person is a subject of a case of the municipality that asks for their inzage report' },
    LEDGER_TIMEOUT_MS: { type: 'integer', minimum: 50, default: 2000, description: 'Deadline of one question to the consent ledger (connect, answer and body); past it the inzage report is refused with 503' },
    REGISTER_FILE: { type: 'string', description: 'Party register (JSON); default: schemas/party-register.json' },
    PARTY_TYPE_CAPABILITIES_FILE: { type: 'string', description: 'Party-type capability table JSON, the allow-list of what each party type may do (default: schemas/party-type-capabilities.json)' }
  }
} as const

export type Config = FromSchema<typeof configSchema>

export function readConfig (env: Record<string, string | undefined> = process.env): Config {
  return loadConfig<Config>(configSchema, env)
}
