// One cosignature, C2SP tlog-cosignature § Format and § Ed25519 signed message: a note signature
// line `— <name> base64(key ID ‖ timestamped_signature)` where timestamped_signature is the u64
// big-endian POSIX timestamp followed by the 64-byte Ed25519 signature of
//
//   cosignature/v1
//   time <timestamp, decimal, no leading zeroes>
//   <the whole checkpoint body: origin, size, root hash, any extension lines>
//
// A cosignature states: as of that time, this is the largest consistent tree head the witness has
// seen for the log of the origin line.
import { sign, verify } from 'node:crypto'
import { SignedNoteError } from '../signed-note.ts'
import { strictBase64 } from './base64.ts'
import { assertCosignerName, cosignerKeyId, isCosignerName, type Cosigner, type CosignerKey } from './cosigner-key.ts'

export const COSIGNATURE_HEADER = 'cosignature/v1'
const PREFIX = '\u2014 ' // em dash, space
const KEY_ID_SIZE = 4
const TIMESTAMP_SIZE = 8
const SIGNATURE_SIZE = 64
const BLOB_SIZE = KEY_ID_SIZE + TIMESTAMP_SIZE + SIGNATURE_SIZE
/** "It MUST NOT exceed 2^63 - 1." */
export const MAX_TIMESTAMP = 2n ** 63n - 1n

/** A cosignature line, parsed; not yet verified. */
export interface Cosignature {
  name: string
  keyId: Buffer
  /** POSIX seconds. */
  timestamp: bigint
  signature: Buffer
}

/** The signed message: the header line, the time line, then the checkpoint body. */
export function cosignatureMessage (checkpointBody: string, timestamp: bigint): Buffer {
  assertTimestamp(timestamp)
  if (!checkpointBody.endsWith('\n')) throw new SignedNoteError('the checkpoint body must end with a newline')
  return Buffer.from(`${COSIGNATURE_HEADER}\ntime ${timestamp.toString(10)}\n${checkpointBody}`, 'utf8')
}

/** Signs the checkpoint body (a note's text, without its signature lines); returns the line, without its newline. */
export function signCosignature (checkpointBody: string, cosigner: Cosigner, timestamp: bigint | number): string {
  assertCosignerName(cosigner.name)
  const time = BigInt(timestamp)
  const signature = sign(null, cosignatureMessage(checkpointBody, time), cosigner.privateKey)
  const stamp = Buffer.alloc(TIMESTAMP_SIZE)
  stamp.writeBigUInt64BE(time)
  const blob = Buffer.concat([cosignerKeyId(cosigner.name, cosigner.privateKey), stamp, signature])
  return `${PREFIX}${cosigner.name} ${blob.toString('base64')}`
}

/** Parses one cosignature line (with or without its newline); throws SignedNoteError when it is not one. */
export function parseCosignature (line: string): Cosignature {
  const text = line.endsWith('\n') ? line.slice(0, -1) : line
  if (!text.startsWith(PREFIX)) throw new SignedNoteError('malformed cosignature: the line does not start with "\u2014 "')
  const [name = '', encoded = '', ...more] = text.slice(PREFIX.length).split(' ')
  const blob = strictBase64(encoded)
  if (!isCosignerName(name) || more.length > 0 || blob === undefined) {
    throw new SignedNoteError('malformed cosignature: expected "\u2014 <name> <base64>"')
  }
  return fromBlob(name, blob)
}

/** A note signature (name, key ID, the rest of its blob) read as a cosignature. */
export function fromBlob (name: string, blob: Buffer): Cosignature {
  if (blob.length !== BLOB_SIZE) {
    throw new SignedNoteError(`malformed cosignature by "${name}": ${blob.length} bytes, not key ID ‖ timestamp ‖ Ed25519 signature (${BLOB_SIZE})`)
  }
  const timestamp = blob.readBigUInt64BE(KEY_ID_SIZE)
  if (timestamp > MAX_TIMESTAMP) throw new SignedNoteError(`malformed cosignature by "${name}": timestamp beyond 2^63 - 1`)
  return {
    name,
    keyId: Buffer.from(blob.subarray(0, KEY_ID_SIZE)),
    timestamp,
    signature: Buffer.from(blob.subarray(KEY_ID_SIZE + TIMESTAMP_SIZE))
  }
}

/** True iff the cosignature is by `key` (name and key ID) and its signature over the body holds. */
export function verifyCosignature (checkpointBody: string, cosignature: Cosignature, key: CosignerKey): boolean {
  if (cosignature.name !== key.name || !cosignature.keyId.equals(key.keyId)) return false
  if (cosignature.signature.length !== SIGNATURE_SIZE || cosignature.timestamp > MAX_TIMESTAMP) return false
  return verify(null, cosignatureMessage(checkpointBody, cosignature.timestamp), key.publicKey, cosignature.signature)
}

function assertTimestamp (timestamp: bigint): void {
  if (timestamp < 0n || timestamp > MAX_TIMESTAMP) throw new SignedNoteError(`cosignature timestamp ${timestamp} is out of range`)
}
