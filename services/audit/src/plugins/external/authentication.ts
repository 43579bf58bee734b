// Bearer JWTs from the trusted issuers (the platform's plugin: EdDSA/ES256 pinned, iss, aud and exp
// checked), and in mTLS mode the certificate's OIN equal to `org`. Least privilege: only active
// parties of the register read the audit log (403 ORG_NOT_REGISTERED otherwise). Every failed
// attempt becomes an `authentication.failed` audit event, proven by the log itself. The routes that
// need it get `app.authenticate` once, as a group (../../routes/index.ts).
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { authenticationPlugin, jwksOptionsOf, recordFailedAuthentication, type Runtime } from '@wams/platform'
import type { Config } from '../../config.ts'

export interface AuthenticationPluginOptions {
  config: Config
  runtime: Runtime
}

async function authentication (app: FastifyInstance, { config, runtime }: AuthenticationPluginOptions): Promise<void> {
  const register = app.partyRegister
  await app.register(authenticationPlugin, {
    issuers: runtime.issuers,
    audience: config.JWT_AUDIENCE,
    jwks: jwksOptionsOf(config),
    isActiveParty: (org: string) => register.isActive(org),
    onFailure: recordFailedAuthentication(app, runtime, 'audit'),
    requireCertificateOin: config.MTLS_REQUIRED
  })
}

export default fp(authentication, { name: 'audit-authentication', dependencies: ['audit-register'] })
