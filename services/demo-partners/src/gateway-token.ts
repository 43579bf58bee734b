// The gateway's bearer token on every partner call: EdDSA only (never `none`, never HMAC), signed
// by the configured gateway key, `iss` the gateway, `aud` the called partner's OIN, not expired.
// A partner system trusts nobody else.
import { createPublicKey } from 'node:crypto'
import { createVerifier } from 'fast-jwt'

export type TokenFailure = 'TOKEN_MISSING' | 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'ISSUER_UNTRUSTED' | 'AUDIENCE_INVALID'

export type TokenCheck = { ok: true, claims: Record<string, unknown> } | { ok: false, failure: TokenFailure }

export interface GatewayTokenVerifier {
  /** Checks the Authorization header of a call to the partner with OIN `audience`. */
  verify: (authorization: string | undefined, audience: string) => TokenCheck
}

function failureOf (err: { code?: string, message?: string }): TokenFailure {
  if (err.code === 'FAST_JWT_EXPIRED') return 'TOKEN_EXPIRED'
  if (err.code === 'FAST_JWT_INVALID_CLAIM_VALUE' || err.code === 'FAST_JWT_MISSING_REQUIRED_CLAIM') {
    if (/\baud\b/.test(err.message ?? '')) return 'AUDIENCE_INVALID'
    if (/\biss\b/.test(err.message ?? '')) return 'ISSUER_UNTRUSTED'
  }
  return 'TOKEN_INVALID'
}

export function createGatewayTokenVerifier (options: { publicKeyPem: string, issuer: string }): GatewayTokenVerifier {
  const key = createPublicKey(options.publicKeyPem)
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`the gateway public key must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'a symmetric key'}`)
  }
  const pem = key.export({ type: 'spki', format: 'pem' }).toString()
  // One verifier per audience: the register is small and fixed, and fast-jwt prepares the key once.
  const verifiers = new Map<string, (token: string) => Record<string, unknown>>()
  const verifierFor = (audience: string) => {
    let verify = verifiers.get(audience)
    if (verify === undefined) {
      verify = createVerifier({
        key: pem,
        algorithms: ['EdDSA'],
        allowedIss: options.issuer,
        allowedAud: audience,
        requiredClaims: ['iss', 'aud', 'exp']
      }) as (token: string) => Record<string, unknown>
      verifiers.set(audience, verify)
    }
    return verify
  }

  return {
    verify (authorization, audience) {
      if (authorization === undefined || authorization === '') return { ok: false, failure: 'TOKEN_MISSING' }
      const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(authorization)
      if (match === null) return { ok: false, failure: 'TOKEN_INVALID' }
      try {
        return { ok: true, claims: verifierFor(audience)(match[1]!) }
      } catch (err) {
        return { ok: false, failure: failureOf(err as { code?: string, message?: string }) }
      }
    }
  }
}
