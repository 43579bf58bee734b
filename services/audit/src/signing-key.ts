// The log's Ed25519 checkpoint key. Every instance loads the same key, because whichever instance
// holds the sequencer lock signs. Production configures AUDIT_SIGNING_KEY_FILE; development gets a
// key created on first use under DATA_DIR/audit-signing/, which production refuses.
import { readFileSync } from 'node:fs'
import type { KeyObject } from 'node:crypto'
import { devAuditLogKeyPem } from '@wams/platform'
import {
  loadPrivateKeyPem, publicKeyToPem, verifierKeyString, type NoteSigner
} from '@wams/transparency-log'

export interface SigningKey extends NoteSigner {
  /** `<name>+<key hash>+<base64 key>`: what a verifier needs (GET /v1/audit/keys, `wams verify --key`). */
  verifierKey: string
  publicKeyPem: string
}

export function loadSigningKey (options: { name: string, keyFile?: string, dataDir: string }): SigningKey {
  const privateKey = options.keyFile
    ? loadPrivateKeyPem(readFileSync(options.keyFile, 'utf8'))
    : devSigningKey(options.dataDir)
  return signingKeyOf(options.name, privateKey)
}

export function signingKeyOf (name: string, privateKey: KeyObject): SigningKey {
  return { name, privateKey, verifierKey: verifierKeyString(name, privateKey), publicKeyPem: publicKeyToPem(privateKey) }
}

function devSigningKey (dataDir: string): KeyObject {
  return loadPrivateKeyPem(devAuditLogKeyPem(dataDir))
}
