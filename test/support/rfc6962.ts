// An independent implementation of SPEC section 6's hashing for the tests: written from RFC 6962,
// RFC 9162, RFC 8785 and the C2SP signed-note format, sharing no code with services/audit, so a
// proof the service serves is checked by something that could disagree with it.
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto'

export const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest()
/** RFC 8785 for what audit events hold: strings, integers, booleans, null, arrays, objects. */
export function jcs (v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${jcs((v as Record<string, unknown>)[k])}`).join(',')}}`
  }
  return JSON.stringify(v)
}
export const leafOf = (event: unknown) => sha256(Buffer.from([0]), Buffer.from(jcs(event), 'utf8'))
/** RFC 9162 section 2.1.3.2. */
export function inclusionOk (leaf: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): boolean {
  if (index >= size) return false
  let fn = index
  let sn = size - 1
  let r = leaf
  for (const p of proof) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      r = sha256(Buffer.from([1]), p, r)
      while (fn % 2 === 0 && fn !== 0) { fn >>= 1; sn >>= 1 }
    } else {
      r = sha256(Buffer.from([1]), r, p)
    }
    fn >>= 1; sn >>= 1
  }
  return sn === 0 && r.equals(root)
}
/** A C2SP signed note checked with node:crypto and the PEM key of GET /v1/audit/keys. */
export function noteOk (note: string, publicKeyPem: string): { size: number, root: Buffer } | null {
  const split = note.lastIndexOf('\n\n')
  const text = note.slice(0, split + 1)
  const sig = Buffer.from(note.slice(split + 2).trim().split(' ').at(-1)!, 'base64')
  if (!verifySignature(null, Buffer.from(text), createPublicKey(publicKeyPem), sig.subarray(4))) return null
  const [, size, root] = text.split('\n')
  return { size: Number(size), root: Buffer.from(root!, 'base64') }
}
