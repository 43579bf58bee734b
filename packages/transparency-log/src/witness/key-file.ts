// The witness's own Ed25519 key, in a PKCS#8 PEM file readable by its owner only; created on
// first use, never overwritten.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { generateSigningKey, loadPrivateKeyPem, privateKeyToPem } from '../signed-note.ts'
import { assertCosignerName, type Cosigner } from './cosigner-key.ts'

/** Loads the key in `file`, or makes one and writes it there; `created` tells which. */
export function loadOrCreateCosigner (file: string, name: string): { cosigner: Cosigner, created: boolean } {
  assertCosignerName(name)
  if (existsSync(file)) return { cosigner: { name, privateKey: loadPrivateKeyPem(readFileSync(file, 'utf8')) }, created: false }
  const { privateKey } = generateSigningKey()
  writeFileSync(file, privateKeyToPem(privateKey), { flag: 'wx', mode: 0o600 })
  return { cosigner: { name, privateKey }, created: true }
}
