// Builds the demo partner systems: one Fastify service that serves every party of the register
// under /partners/<oin>, with the synthetic residents of SPEC section 6 and configurable faults,
// and a demo BRP (Haal Centraal BRP Personen Bevragen) under /brp/haalcentraal/api/brp.
// No database, no Kafka: a partner system is the far side of the gateway, not part of the exchange.
// Laid out like the gateway: the common service shell, then the app plugins (the partner systems),
// the external plugins (the gateway's token) and the routes.
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { createService, devIssuer } from '@wams/platform'
import type { Config } from './config.ts'
import type { PartnerFaults } from './faults.ts'
import { createGatewayTokenVerifier } from './gateway-token.ts'
import partnerSystemsPlugin, { loadPartnerSystems } from './plugins/app/partner-systems.ts'
import gatewayAuthenticationPlugin from './plugins/external/gateway-authentication.ts'
import routes from './routes/index.ts'

export const API_VERSION = '1.0.0'

export interface BuildOptions {
  /** Faults per partner OIN; replaces DEMO_FAULTS (tests pass them directly). */
  faults?: PartnerFaults
  /** A pino instance to log with (tests capture the lines); default: the platform's logger. */
  loggerInstance?: unknown
}

export async function buildApp (config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  // Everything that can be wrong is found before listening: the register, the data, the faults, the key.
  const partnerSystems = loadPartnerSystems(config.REGISTER_FILE, options.faults, config.DEMO_FAULTS)
  const publicKeyPem = config.GATEWAY_PUBLIC_KEY_FILE === undefined
    ? devIssuer(config.DATA_DIR).publicKeyPem // refuses in production
    : readFileSync(config.GATEWAY_PUBLIC_KEY_FILE, 'utf8')
  const verifier = createGatewayTokenVerifier({ publicKeyPem, issuer: config.GATEWAY_ISSUER })

  const app = await createService({
    name: config.SERVICE_NAME,
    title: 'Wams demo partner systems',
    description: 'Synthetic partner systems for every party of the register, at /partners/{oin}/wams/v1/data-requests, and a demo BRP (Haal Centraal BRP Personen Bevragen) at /brp/haalcentraal/api/brp/personen.',
    apiVersion: API_VERSION,
    // Its routes lie under /partners/{oin}/wams/v1, not under /v1: the document's paths are absolute.
    basePath: '/',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT,
    ...(options.loggerInstance === undefined ? {} : { loggerInstance: options.loggerInstance }),
    // Nothing to depend on: ready as soon as it listens.
    readiness: { partners: async () => true }
  })
  await app.register(partnerSystemsPlugin, partnerSystems)
  await app.register(gatewayAuthenticationPlugin, { verifier })
  // The dev issuer's JWKS in development only; with NODE_ENV=production the dev issuer is refused.
  await app.register(routes, process.env.NODE_ENV === 'production' ? {} : { devIssuer: devIssuer(config.DATA_DIR) })
  return app
}
