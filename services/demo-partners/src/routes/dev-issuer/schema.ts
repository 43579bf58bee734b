// The dev issuer's discovery document and JWKS (development only; routes/dev-issuer/index.ts).

const jwk = {
  type: 'object',
  additionalProperties: false,
  required: ['kty', 'crv', 'x', 'kid', 'use', 'alg'],
  properties: {
    kty: { const: 'OKP' },
    crv: { const: 'Ed25519' },
    x: { type: 'string' },
    kid: { type: 'string', description: 'RFC 7638 thumbprint of the key; the kid in the header of `npx wams token`\'s tokens' },
    use: { const: 'sig' },
    alg: { const: 'EdDSA' }
  }
} as const

export const jwksSchema = {
  summary: 'The dev issuer\'s public keys (JWKS, RFC 7517): development only',
  tags: ['dev issuer'],
  response: {
    200: { type: 'object', additionalProperties: false, required: ['keys'], properties: { keys: { type: 'array', items: jwk } } }
  }
} as const

export const discoverySchema = {
  summary: 'The dev issuer\'s OpenID Connect discovery document (the part a token verifier needs): development only',
  description: 'issuer is the dev issuer\'s iss (https://dev-issuer.wams.localhost), which is not where this is served: a service trusts the dev issuer by its JWKS URL, { "iss": "https://dev-issuer.wams.localhost", "jwksUri": "http://127.0.0.1:8090/.well-known/jwks.json" }. Tokens come from `npx wams token`, not from an endpoint.',
  tags: ['dev issuer'],
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['issuer', 'jwks_uri', 'id_token_signing_alg_values_supported'],
      properties: {
        issuer: { type: 'string' },
        jwks_uri: { type: 'string' },
        id_token_signing_alg_values_supported: { type: 'array', items: { type: 'string' } },
        token_endpoint_auth_signing_alg_values_supported: { type: 'array', items: { type: 'string' } }
      }
    }
  }
} as const
