// The dev issuer publishes its key (development only: the demo partners are the stand-ins for what
// lies outside the exchange, like the demo BRP, and an identity provider is one of those). Any
// service can then trust the dev issuer as it trusts a real identity provider, by its JWKS:
// JWT_TRUSTED_ISSUERS='[{ "iss": "https://dev-issuer.wams.localhost", "jwksUri": "http://127.0.0.1:8090/.well-known/jwks.json" }]'.
// With NODE_ENV=production these routes do not exist (and the dev issuer is refused).
import type { FastifyInstance } from 'fastify'
import type { DevIssuer } from '@wams/platform'
import { discoverySchema, jwksSchema } from './schema.ts'

export interface DevIssuerRoutesOptions { issuer: DevIssuer }

export default async function devIssuerRoutes (app: FastifyInstance, { issuer }: DevIssuerRoutesOptions): Promise<void> {
  const jwks = { keys: [issuer.jwk] }
  app.get('/.well-known/jwks.json', { schema: jwksSchema }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300')
    return jwks
  })
  app.get('/.well-known/openid-configuration', { schema: discoverySchema }, async (request) => ({
    issuer: issuer.iss,
    jwks_uri: `${request.protocol}://${request.host}/.well-known/jwks.json`,
    id_token_signing_alg_values_supported: ['EdDSA'],
    token_endpoint_auth_signing_alg_values_supported: ['EdDSA']
  }))
}
