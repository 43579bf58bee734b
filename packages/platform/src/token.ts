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

export function signToken (privateKeyPem: string, claims: TokenClaims): string {
  const { ttlSeconds = 3600, ...payload } = claims
  const sign = createSigner({ key: privateKeyPem, algorithm: 'EdDSA', expiresIn: ttlSeconds * 1000 })
  return sign(payload)
}
