// Development secrets, created on first use under DATA_DIR: the dev token issuer's Ed25519 key
// pair and the pseudonym key. Production configures its own (JWT_TRUSTED_ISSUERS, PSEUDONYM_KEY)
// and refuses these defaults (NODE_ENV=production).
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const DEV_ISSUER = 'https://dev-issuer.wams.localhost'

export interface DevIssuer { iss: string, publicKeyPem: string, privateKeyPem: string }

function projectDataDir (dataDir: string): string {
  const dir = resolve(process.env.WAMS_ROOT ?? process.cwd(), dataDir)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
}

function refuseInProduction (what: string): void {
  if (process.env.NODE_ENV === 'production') throw new Error(`${what} must be configured in production; dev defaults are refused`)
}

export function devIssuer (dataDir = '.data'): DevIssuer {
  refuseInProduction('JWT_TRUSTED_ISSUERS')
  const dir = join(projectDataDir(dataDir), 'dev-issuer')
  const priv = join(dir, 'private.pem')
  const pub = join(dir, 'public.pem')
  if (!existsSync(priv)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const { publicKey, privateKey } = generateKeyPairSync('ed25519')
    // Write the public key first: a reader that finds private.pem always finds public.pem.
    writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 })
    writeFileSync(priv, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' })
  }
  return { iss: DEV_ISSUER, publicKeyPem: readFileSync(pub, 'utf8'), privateKeyPem: readFileSync(priv, 'utf8') }
}

export function devPseudonymKey (dataDir = '.data'): string {
  refuseInProduction('PSEUDONYM_KEY')
  const file = join(projectDataDir(dataDir), 'pseudonym.key')
  if (!existsSync(file)) {
    try { writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' }) } catch {}
  }
  return readFileSync(file, 'utf8').trim()
}
