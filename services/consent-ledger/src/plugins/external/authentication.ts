// Bearer JWTs from the trusted issuers (the platform's plugin: EdDSA/ES256 pinned, iss, aud and exp
// checked), and in mTLS mode the certificate's OIN equal to `org`. The system role gateway is
// accepted only from GATEWAY_ISSUER, the gateway's own key. Every failed attempt becomes an
// `authentication.failed` audit event. The routes get `app.authenticate` once, as a group
// (../../routes/index.ts); what a verified caller may do with a case is the ledger's access table
// (../../access.ts).
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { authenticationPlugin, jwksOptionsOf, recordFailedAuthentication, type Runtime } from '@wams/platform'
import type { Config } from '../../config.ts'

export interface AuthenticationPluginOptions {
  config: Config
  runtime: Runtime
}

async function authentication (app: FastifyInstance, { config, runtime }: AuthenticationPluginOptions): Promise<void> {
  await app.register(authenticationPlugin, {
    issuers: runtime.issuers,
    audience: config.JWT_AUDIENCE,
    jwks: jwksOptionsOf(config),
    onFailure: recordFailedAuthentication(app, runtime, 'consent-ledger'),
    systemRoleIssuers: { gateway: [config.GATEWAY_ISSUER] },
    requireCertificateOin: config.MTLS_REQUIRED
  })
}

export default fp(authentication, { name: 'consent-ledger-authentication' })
