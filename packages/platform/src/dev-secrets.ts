// Development secrets, created on first use under DATA_DIR: the dev token issuer's Ed25519 key,
// the pseudonym key, and (for the audit service) its checkpoint signing key. Production configures
// its own (JWT_TRUSTED_ISSUERS, PSEUDONYM_KEY, …) and refuses these defaults (NODE_ENV=production).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const DEV_ISSUER = 'https://dev-issuer.wams.localhost'

export interface DevIssuer {
  iss: string
  publicKeyPem: string
  privateKeyPem: string
  /** Key id: the RFC 7638 JWK thumbprint of the public key; in the header of `npx wams token`'s tokens. */
  kid: string
  /** The public key as a JWK (with kid, use, alg), as its JWKS publishes it. */
  jwk: Record<string, string>
}

/** RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 or EC public key. */
export function jwkThumbprint (key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' }) as Record<string, string>
  // The required members only, in lexicographic order, no whitespace.
  const members = jwk.kty === 'OKP' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url')
}

function refuseInProduction (what: string): void {
  if (process.env.NODE_ENV === 'production') throw new Error(`${what} must be configured in production; dev defaults are refused`)
}

/**
 * The secret in `<DATA_DIR>/<name>`, created with `create()` when it is not there yet. Several
 * processes start at once (npm start, parallel tests): the secret is written to a temporary file
 * and linked into place, so the link fails for all but one, and nobody reads a half-written file.
 */
export function devSecret (dataDir: string, name: string, create: () => string): string {
  const file = resolve(process.env.WAMS_ROOT ?? process.cwd(), dataDir, name)
  const dir = resolve(file, '..')
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  try {
    return readFileSync(file, 'utf8')
  } catch {}
  const tmp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`)
  writeFileSync(tmp, create(), { mode: 0o600 })
  try {
    linkSync(tmp, file)
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err
  } finally {
    unlinkSync(tmp)
  }
  return readFileSync(file, 'utf8')
}

export function devIssuer (dataDir = '.data'): DevIssuer {
  refuseInProduction('JWT_TRUSTED_ISSUERS')
  // Only the private key is stored; the public key is derived, so the two can never disagree.
  const privateKeyPem = devSecret(dataDir, 'dev-issuer/private.pem',
    () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())
  const publicKey = createPublicKey(createPrivateKey(privateKeyPem))
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const kid = jwkThumbprint(publicKey)
  const jwk = { ...publicKey.export({ format: 'jwk' }) as Record<string, string>, kid, use: 'sig', alg: 'EdDSA' }
  return { iss: DEV_ISSUER, publicKeyPem, privateKeyPem, kid, jwk }
}

export function devPseudonymKey (dataDir = '.data'): string {
  refuseInProduction('PSEUDONYM_KEY')
  return devSecret(dataDir, 'pseudonym.key', () => randomBytes(32).toString('base64url')).trim()
}

/**
 * The audit log's dev checkpoint key (Ed25519 PEM). The audit service signs with it; producers
 * derive the verifier key from it, so in development they check receipts without configuration.
 */
export function devAuditLogKeyPem (dataDir = '.data'): string {
  if (process.env.NODE_ENV === 'production') {
    throw new Error('AUDIT_SIGNING_KEY_FILE / AUDIT_LOG_KEY must be configured in production; the dev audit log key is refused')
  }
  return devSecret(dataDir, 'audit-signing/private.pem',
    () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())
}
