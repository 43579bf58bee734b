// RFC 6962 §2.1 hashing. The 0x00 / 0x01 prefixes separate leaves from interior
// nodes, so a leaf can never be passed off as a node (second-preimage attack).
import { createHash } from 'node:crypto'

/** Size in bytes of every hash in the log (SHA-256). */
export const HASH_SIZE = 32

/** The byte in front of a leaf's data (RFC 6962 §2.1). */
export const LEAF_PREFIX_BYTE = 0x00
const LEAF_PREFIX = Buffer.from([LEAF_PREFIX_BYTE])
const NODE_PREFIX = Buffer.from([0x01])

/** SHA-256(0x00 ‖ data): the hash of one log entry. */
export function leafHash (data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest()
}

/** SHA-256(0x01 ‖ left ‖ right): the hash of an interior node. */
export function nodeHash (left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest()
}

/** SHA-256(""): the root hash of the empty tree. */
export function emptyRoot (): Buffer {
  return createHash('sha256').digest()
}

/** Byte-wise equality of two hashes. */
export function hashesEqual (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0
}
