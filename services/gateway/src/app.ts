// Builds the gateway: its runtime (PostgreSQL, Kafka, outbox), the common service shell, and then,
// like the fastify demo app, the external plugins (authentication, rate limit), the app plugins
// (register and policy, clients of the ledger and the partners) and the routes.
import type { Logger } from 'pino'
import type { FastifyInstance } from 'fastify'
import { createServiceOnRuntime } from '@wams/platform'
import type { Config } from './config.ts'
import registerPlugin, { loadRegisterAndPolicy } from './plugins/app/register.ts'
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
  /** Build for the OpenAPI document only (scripts/openapi-docs.ts): connects to nothing, starts nothing. */
  offline?: boolean
}

/** The deliberate deviations from the NLGov API Design Rules, published in the OpenAPI document. */
const DEVIATIONS = [{
  rule: '/core/http-methods',
  deviation: 'POST /cases/{caseId}/data-requests and /cases/{caseId}/involvement-check answer 200 with the outcome instead of 201 with a Location: the request is decided and answered at once, not kept as a resource to read back.',
  reason: 'The BSN of the person must travel in a body, never in a URL (logs, proxies, browser history); every decision is kept as evidence in the audit log, not as a resource of the gateway.'
}, {
  rule: '/core/error-handling/problem-details',
  deviation: 'Every outcome other than permit is a problem with the extension members requestId, outcome and reasons (403 deny, 404 not-known, 451 refused, 502/503/504 error).',
  reason: 'The caller must learn the decision and its reason codes (SPEC §5) in a machine-readable form.'
}]

export async function buildApp (config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  // The register, its capability table and the policy first: when they are wrong, nothing was started.
  const registerAndPolicy = loadRegisterAndPolicy(config.REGISTER_FILE, config.PARTY_TYPE_CAPABILITIES_FILE)
  const { app, runtime } = await createServiceOnRuntime({
    config,
    migrations: MIGRATIONS,
    title: 'Wams gateway',
    description: 'Every data request between a municipality and its partners passes here: authentication, the eleven rules of the Wams, proxy to the partner system, minimisation, audit.',
    apiVersion: API_VERSION,
    ...(options.logger ? { logger: options.logger } : {}),
    offline: options.offline === true,
    tags: {
      'data requests': 'Requests for data about a person in a case, decided on the rules of the Wams and answered by the partner that holds the data',
      register: 'The party register: who takes part and what they supply (public)',
      policy: 'The rules and tables the gateway enforces, with the law version (public)'
    },
    deviations: DEVIATIONS
  })

  await app.register(registerPlugin, registerAndPolicy)
  await app.register(authenticationPlugin, { config, runtime })
  await app.register(rateLimitPlugin, {
    perMinute: config.RATE_LIMIT_PER_MINUTE,
    redisUrl: options.offline === true ? '' : config.RATE_LIMIT_REDIS_URL,
    redisPrefix: config.RATE_LIMIT_REDIS_PREFIX,
    redisTimeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS
  })
  await app.register(clientsPlugin, { config, runtime, offline: options.offline === true })
  await app.register(evidenceGate, { runtime })
  await app.register(routes)
  return app
}
