// The gateway's own identity towards the systems behind it: an Ed25519 key that signs (a) its
// reads of the consent ledger (role `gateway`, the only role the ledger gives the decision state
// to) and (b) its calls to partner systems (aud = the provider's OIN, bound to one requestId).
// Production configures GATEWAY_SIGNING_KEY_FILE; development signs with the dev issuer's key, so
// the ledger and the demo partners trust it without further configuration.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createSigner } from 'fast-jwt'
import { devIssuer } from '@wams/platform'

export interface SigningKeyConfig {
  GATEWAY_SIGNING_KEY_FILE?: string
  GATEWAY_ISSUER?: string
  GATEWAY_OIN: string
  JWT_AUDIENCE: string
  DATA_DIR: string
}

export interface GatewaySigner {
  iss: string
  org: string
  publicKeyPem: string
  /** Token for the consent ledger; one is reused until shortly before it expires. */
  ledgerToken: () => string
  /** Token for one partner call: audience the provider, bound to the request, valid 60 s. */
  partnerToken: (provider: string, requestId: string) => string
}

const LEDGER_TOKEN_TTL_S = 300
/** A cached ledger token is replaced this long before it expires, so none is sent about to lapse. */
const LEDGER_TOKEN_MARGIN_S = 60
const PARTNER_TOKEN_TTL_S = 60

function loadKey (config: SigningKeyConfig): { key: KeyObject, iss: string } {
  if (config.GATEWAY_SIGNING_KEY_FILE) {
    const key = createPrivateKey(readFileSync(config.GATEWAY_SIGNING_KEY_FILE, 'utf8'))
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`GATEWAY_SIGNING_KEY_FILE must hold an Ed25519 private key, not ${key.asymmetricKeyType ?? 'a symmetric key'}`)
    return { key, iss: config.GATEWAY_ISSUER ?? `urn:wams:gateway:${config.GATEWAY_OIN}` }
  }
  const dev = devIssuer(config.DATA_DIR) // refuses in production
  return { key: createPrivateKey(dev.privateKeyPem), iss: config.GATEWAY_ISSUER ?? dev.iss }
}

export function createGatewaySigner (config: SigningKeyConfig, now: () => number = Date.now): GatewaySigner {
  const { key, iss } = loadKey(config)
  const pem = key.export({ type: 'pkcs8', format: 'pem' }).toString()
  // One signer per lifetime: fast-jwt prepares the key once instead of on every call.
  const signLedger = createSigner({ key: pem, algorithm: 'EdDSA', expiresIn: LEDGER_TOKEN_TTL_S * 1000 })
  const signPartner = createSigner({ key: pem, algorithm: 'EdDSA', expiresIn: PARTNER_TOKEN_TTL_S * 1000 })
  const org = config.GATEWAY_OIN
  let cached: { token: string, renewAt: number } | null = null

  return {
    iss,
    org,
    publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(),
    ledgerToken () {
      const at = now()
      if (cached === null || at >= cached.renewAt) {
        const token = signLedger({ iss, sub: 'gateway', org, roles: ['gateway'], aud: config.JWT_AUDIENCE, iat: Math.floor(at / 1000) })
        cached = { token, renewAt: at + (LEDGER_TOKEN_TTL_S - LEDGER_TOKEN_MARGIN_S) * 1000 }
      }
      return cached.token
    },
    partnerToken (provider, requestId) {
      return signPartner({ iss, sub: 'gateway', org, aud: provider, requestId })
    }
  }
}
