// One-dimensional PostgreSQL arrays in the binary wire format (array_send/array_recv), for the
// store's largest parameters. node-pg sends a Buffer parameter as binary, so the events (jsonb) and
// leaf hashes (bytea) of a chunk reach PostgreSQL without the text array literal: no quoting and
// escaping of every `"` and `\` of the JSON in Node, no unescaping in PostgreSQL, no hex.

/** Element type OIDs (pg_type, fixed for built-in types). */
export const BYTEA_OID = 17
export const JSONB_OID = 3802

// jsonb's binary form is a version byte and the JSON text.
const JSONB_VERSION = 1

/** `oid[]` holding `values` (no NULLs), each element as its binary form. */
function binaryArray (oid: number, values: Buffer[], prefix: number): Buffer {
  let size = 20
  for (const v of values) size += 4 + prefix + v.length
  const out = Buffer.allocUnsafe(size)
  out.writeInt32BE(1, 0) // dimensions
  out.writeInt32BE(0, 4) // no NULLs
  out.writeUInt32BE(oid, 8)
  out.writeInt32BE(values.length, 12)
  out.writeInt32BE(1, 16) // lower bound
  let at = 20
  for (const v of values) {
    out.writeInt32BE(prefix + v.length, at)
    at += 4
    if (prefix === 1) out[at++] = JSONB_VERSION
    at += v.copy(out, at)
  }
  return out
}

/** A `bytea[]` parameter. */
export function byteaArray (values: Buffer[]): Buffer {
  return binaryArray(BYTEA_OID, values, 0)
}

/** A `jsonb[]` parameter from JSON texts already encoded as UTF-8. */
export function jsonbArray (utf8Texts: Buffer[]): Buffer {
  return binaryArray(JSONB_OID, utf8Texts, 1)
}
