// The gateway's connections to the systems behind it: its signing key, the consent ledger (case
// state) and the partner systems, assembled into what a data request needs (`app.exchange`).
// Closed with the app, before the runtime's pool and broker.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { AuditBatcher, type Runtime } from '@wams/platform'
import type { Config } from '../../config.ts'
import { createGatewaySigner, type GatewaySigner } from '../../signing-key.ts'
import { createCaseStateClient } from '../../case-state-client.ts'
import { LeasedCaseStates } from '../../case-state-lease.ts'
import type { Logger } from 'pino'
import { createPartnerClient, type PartnerClient } from '../../partner-client.ts'
import type { ExchangeDeps } from '../../data-request.ts'

declare module 'fastify' {
  interface FastifyInstance {
    signer: GatewaySigner
    partners: PartnerClient
    exchange: ExchangeDeps
  }
}

export interface ClientsPluginOptions {
  config: Config
  runtime: Runtime
  /** Built for the OpenAPI document only: no lease is held. */
  offline?: boolean
}

async function clientsPlugin (app: FastifyInstance, { config, runtime, offline }: ClientsPluginOptions): Promise<void> {
  const signer = createGatewaySigner(config)
  const ledgerReads = createCaseStateClient({
    baseUrl: config.CONSENT_LEDGER_URL,
    timeoutMs: config.LEDGER_TIMEOUT_MS,
    connections: config.LEDGER_CONNECTIONS,
    token: () => signer.ledgerToken()
  })
  // Offline (the OpenAPI document) nothing polls.
  const caseStates = config.CASE_STATE_CACHE_ENTRIES > 0 && !offline
    ? new LeasedCaseStates({ baseUrl: config.CONSENT_LEDGER_URL, inner: ledgerReads, token: () => signer.ledgerToken(), maxEntries: config.CASE_STATE_CACHE_ENTRIES, log: app.log as Logger })
    : ledgerReads
  const partners = createPartnerClient({
    timeoutMs: config.PARTNER_TIMEOUT_MS,
    connectTimeoutMs: config.PARTNER_CONNECT_TIMEOUT_MS,
    connections: config.PARTNER_CONNECTIONS,
    ...(config.PARTNER_MAX_IN_FLIGHT !== undefined ? { maxInFlight: config.PARTNER_MAX_IN_FLIGHT } : {}),
    maxQueued: config.PARTNER_MAX_QUEUED,
    responseLimit: config.PARTNER_RESPONSE_LIMIT,
    ...(config.PARTNER_CA_FILE ? { caFile: config.PARTNER_CA_FILE } : {}),
    breaker: { errorPercent: config.BREAKER_ERROR_PERCENT, volume: config.BREAKER_VOLUME, windowMs: config.BREAKER_WINDOW_MS, resetMs: config.BREAKER_RESET_MS },
    token: (provider, requestId) => signer.partnerToken(provider, requestId)
  })
  const audit = config.AUDIT_GROUP_COMMIT_MAX_EVENTS > 0 ? new AuditBatcher({ pool: runtime.pool, maxEvents: config.AUDIT_GROUP_COMMIT_MAX_EVENTS, maxInFlight: config.AUDIT_GROUP_COMMIT_MAX_IN_FLIGHT, relay: runtime.relay }) : undefined
  app.decorate('signer', signer)
  app.decorate('partners', partners)
  app.decorate('exchange', {
    policy: app.policy,
    register: app.partyRegister,
    caseStates,
    partners,
    pool: runtime.pool,
    ...(audit ? { audit } : {}),
    pseudonymise: runtime.pseudonymise,
    log: app.log as ExchangeDeps['log']
  })
  app.addHook('onClose', async () => {
    // Batches still being written finish before the runtime's pool closes.
    await Promise.all([caseStates.close(), partners.close(), audit?.close()])
  })
}

export default fp(clientsPlugin, { name: 'gateway-clients', dependencies: ['gateway-register'] })
