// A witness's key as C2SP tlog-cosignature (§ Format) names it: an Ed25519 key whose key ID is
// SHA-256(<name> ‖ "\n" ‖ 0x04 ‖ 32-byte public key)[:4], and whose verifier key (the signed-note
// "vkey" encoding) is `<name>+<hex key ID>+<base64(0x04 ‖ public key)>`. The type byte 0x04 keeps a
// cosignature apart from an ordinary note signature (0x01) by the same key.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto'
import { SignedNoteError, rawPublicKey } from '../signed-note.ts'
import { strictBase64 } from './base64.ts'

/** The signature type of Ed25519 cosignature/v1 (tlog-cosignature § Format). */
export const COSIGNATURE_V1_TYPE = 0x04
const KEY_SIZE = 32

/** A witness's public key, from its verifier key string. */
export interface CosignerKey {
  name: string
  /** The 4-byte key ID. */
  keyId: Buffer
  publicKey: KeyObject
}

/** A witness's private key and name: what signs cosignatures. */
export interface Cosigner {
  name: string
  privateKey: KeyObject
}

/** SHA-256(<name> ‖ 0x0A ‖ 0x04 ‖ public key)[:4]. */
export function cosignerKeyId (name: string, publicKey: KeyObject | Uint8Array): Buffer {
  const raw = publicKey instanceof Uint8Array ? publicKey : rawPublicKey(publicKey)
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, COSIGNATURE_V1_TYPE]))
    .update(raw)
    .digest()
    .subarray(0, 4)
}

/** The witness's verifier key `<name>+<hex key ID>+<base64(0x04 ‖ public key)>`. */
export function cosignerVerifierKey (name: string, publicKey: KeyObject): string {
  assertCosignerName(name)
  const raw = rawPublicKey(publicKey)
  const typed = Buffer.concat([Buffer.from([COSIGNATURE_V1_TYPE]), raw])
  return `${name}+${cosignerKeyId(name, raw).toString('hex')}+${typed.toString('base64')}`
}

/** Parses a witness verifier key; its key ID must match its name and key, its type be 0x04. */
export function parseCosignerKey (vkey: string): CosignerKey {
  const [name = '', idHex = '', ...rest] = vkey.split('+')
  const typed = strictBase64(rest.join('+'))
  if (!isCosignerName(name) || !/^[0-9a-f]{8}$/.test(idHex) || typed === undefined) {
    throw new SignedNoteError(`malformed witness key "${vkey}"`)
  }
  if (typed[0] !== COSIGNATURE_V1_TYPE || typed.length !== 1 + KEY_SIZE) {
    throw new SignedNoteError(`witness key "${name}" is not an Ed25519 cosignature/v1 (type 0x04) key`)
  }
  const raw = typed.subarray(1)
  const keyId = Buffer.from(idHex, 'hex')
  if (!keyId.equals(cosignerKeyId(name, raw))) {
    throw new SignedNoteError(`witness key "${name}": key ID ${idHex} does not match the key`)
  }
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' })
  return { name, keyId, publicKey }
}

/** `<name>+<hex key ID>`: how a key is named in messages. */
export function describeCosigner (key: { name: string, keyId: Buffer }): string {
  return `${key.name}+${key.keyId.toString('hex')}`
}

export function isCosignerName (name: string): boolean {
  return name !== '' && !name.includes('+') && !/\s/u.test(name)
}

export function assertCosignerName (name: string): void {
  if (!isCosignerName(name)) throw new SignedNoteError(`invalid witness name "${name}": must be non-empty, without spaces or "+"`)
}
