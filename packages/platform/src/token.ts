// Signing tokens: the dev issuer's tokens (CLI, tests) and the gateway's tokens to partners.
import { createSigner } from 'fast-jwt'
import type { Role } from './authentication.ts'

export interface TokenClaims {
  iss: string
  sub: string
  org: string
  roles: Role[] | string[]
  aud: string
  ttlSeconds?: number
  [claim: string]: unknown
}

/** An EdDSA token; `kid`: the key id for the header (a verifier with the issuer's JWKS picks the key by it). */
export function signToken (privateKeyPem: string, claims: TokenClaims, options: { kid?: string } = {}): string {
  const { ttlSeconds = 3600, ...payload } = claims
  const sign = createSigner({ key: privateKeyPem, algorithm: 'EdDSA', expiresIn: ttlSeconds * 1000, ...(options.kid === undefined ? {} : { kid: options.kid }) })
  return sign(payload)
}
