// The leaf of an audit event is its RFC 8785 (JCS) form, so any party can
// recompute the leaf hash from the event JSON exactly as the API returned it,
// whatever key order or number formatting its own JSON library produces.
import { hash } from 'node:crypto'
import { canonicalJson } from './canonical-json.ts'
import { LEAF_PREFIX_BYTE } from './hasher.ts'

/** The RFC 8785 canonical JSON text of an event (throws if it is not JSON-representable). */
export function canonicalEventJson (event: object): string {
  const text = canonicalJson(event)
  if (text === undefined) {
    throw new TypeError('audit event has no JSON representation')
  }
  return text
}

/** leafHash(UTF-8 of the RFC 8785 canonical JSON of the event). */
export function eventLeafHash (event: object): Buffer {
  return canonicalEventLeaf(event).leafHash
}

/**
 * The RFC 8785 bytes of an event and their leaf hash, for a store that keeps both: the text is
 * encoded once, after the leaf prefix (0x00), and hashed in one call (no Hash object).
 */
export function canonicalEventLeaf (event: object): { canonical: Buffer, leafHash: Buffer } {
  const text = canonicalEventJson(event)
  const prefixed = Buffer.allocUnsafe(1 + Buffer.byteLength(text, 'utf8'))
  prefixed[0] = LEAF_PREFIX_BYTE
  prefixed.write(text, 1, 'utf8')
  return { canonical: prefixed.subarray(1), leafHash: hash('sha256', prefixed, 'buffer') }
}
