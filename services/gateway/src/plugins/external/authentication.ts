// Bearer JWTs from the trusted issuers (the platform's plugin: EdDSA/ES256 pinned, iss, aud and exp
// checked), and in mTLS mode the certificate's OIN equal to `org`. Every failed attempt becomes an
// `authentication.failed` audit event. Whether `org` is an active party is rule 1 of the decision
// (REQUESTER_NOT_REGISTERED): a verified token of an unregistered or inactive party is denied there,
// with its reason code, as a decision of its own in the audit log.
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
    requireCertificateOin: config.MTLS_REQUIRED,
    onFailure: recordFailedAuthentication(app, runtime, 'gateway')
  })
}

export default fp(authentication, { name: 'gateway-authentication', dependencies: ['gateway-register'] })
