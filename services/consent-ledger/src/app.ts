// Builds the consent-ledger: its runtime (PostgreSQL, Kafka, outbox), the common service shell, and routes.
import pino from 'pino'
import type { FastifyInstance } from 'fastify'
import {
  authenticationPlugin, auditAuthenticationFailure, createService, loggerOptions, runtimeReadiness, startRuntime
} from '@wams/platform'
import type { Config } from './config.ts'

const MIGRATIONS = new URL('../migrations', import.meta.url).pathname
export const API_VERSION = '1.0.0'

export async function buildApp (config: Config): Promise<FastifyInstance> {
  const logger = pino(loggerOptions(config.SERVICE_NAME, config.LOG_LEVEL))
  const runtime = await startRuntime({ config, migrations: MIGRATIONS, logger })
  const app = await createService({
    name: config.SERVICE_NAME,
    title: 'Wams consent ledger',
    description: 'The legal basis of every coordinated approach (case): append-only, hash-chained, verifiable.',
    apiVersion: API_VERSION,
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT,
    loggerInstance: logger,
    readiness: runtimeReadiness(runtime)
  })
  app.addHook('onClose', async () => { await runtime.close() })
  await app.register(authenticationPlugin, {
    issuers: runtime.issuers,
    audience: config.JWT_AUDIENCE,
    onFailure: auditAuthenticationFailure(runtime.pool, 'consent-ledger')
  })
  return app
}
