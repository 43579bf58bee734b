// Builds the gateway: its runtime (PostgreSQL, Kafka, outbox), the common service shell, and then,
// like the fastify demo app, the external plugins (authentication, rate limit), the app plugins
// (register and policy, clients of the ledger and the partners) and the routes.
import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import type { FastifyInstance } from 'fastify'
import { createServiceOnRuntime } from '@wams/platform'
import type { Config } from './config.ts'
import registerPlugin from './plugins/app/register.ts'
import evidenceGate from './plugins/app/evidence-gate.ts'
import clientsPlugin from './plugins/app/clients.ts'
import authenticationPlugin from './plugins/external/authentication.ts'
import rateLimitPlugin from './plugins/external/rate-limit.ts'
import routes from './routes/index.ts'

const MIGRATIONS = new URL('../migrations', import.meta.url).pathname
export const API_VERSION = '1.0.0'

export interface BuildOptions {
  /** A pino instance to log with (tests capture the output to prove no BSN is logged). */
  logger?: Logger
}

/** HTTPS when a certificate is configured; with MTLS_REQUIRED a client certificate from TLS_CA_FILE is required. */
function httpsOptions (config: Config): Record<string, unknown> | undefined {
  if (!config.TLS_CERT_FILE || !config.TLS_KEY_FILE) return undefined
  return {
    cert: readFileSync(config.TLS_CERT_FILE),
    key: readFileSync(config.TLS_KEY_FILE),
    ...(config.TLS_CA_FILE ? { ca: readFileSync(config.TLS_CA_FILE) } : {}),
    minVersion: 'TLSv1.2',
    requestCert: config.MTLS_REQUIRED,
    rejectUnauthorized: config.MTLS_REQUIRED
  }
}

export async function buildApp (config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const https = httpsOptions(config)
  const { app, runtime } = await createServiceOnRuntime({
    config,
    migrations: MIGRATIONS,
    title: 'Wams gateway',
    description: 'Every data request between a municipality and its partners passes here: authentication, the eleven rules of the Wams, proxy to the partner system, minimisation, audit.',
    apiVersion: API_VERSION,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(https ? { https } : {})
  })

  await app.register(registerPlugin, { ...(config.REGISTER_FILE ? { registerFile: config.REGISTER_FILE } : {}) })
  await app.register(authenticationPlugin, { config, runtime })
  await app.register(rateLimitPlugin, { perMinute: config.RATE_LIMIT_PER_MINUTE })
  await app.register(clientsPlugin, { config, runtime })
  await app.register(evidenceGate, { runtime })
  await app.register(routes)
  return app
}
