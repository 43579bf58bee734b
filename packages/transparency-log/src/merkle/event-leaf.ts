// The leaf of an audit event is its RFC 8785 (JCS) form, so any party can
// recompute the leaf hash from the event JSON exactly as the API returned it,
// whatever key order or number formatting its own JSON library produces.
import canonicalize from 'canonicalize'
import { leafHash } from './hasher.ts'

/** The RFC 8785 canonical JSON text of an event (throws if it is not JSON-representable). */
export function canonicalEventJson (event: object): string {
  const text = canonicalize(event)
  if (text === undefined) {
    throw new TypeError('audit event has no JSON representation')
  }
  return text
}

/** leafHash(UTF-8 of the RFC 8785 canonical JSON of the event). */
export function eventLeafHash (event: object): Buffer {
  return leafHash(Buffer.from(canonicalEventJson(event), 'utf8'))
}
