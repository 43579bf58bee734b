// One-dimensional PostgreSQL arrays in the binary wire format (array_send/array_recv), for every
// column parameter of the store's batch insert. node-pg sends a Buffer parameter as binary, so a
// chunk's columns reach PostgreSQL without text array literals: no quoting and escaping of every
// element (and every `"` and `\` of the JSON) in Node, no parsing in PostgreSQL, no hex. The
// statement must declare each parameter with the matching element type (array_recv checks it).

/** Element type OIDs (pg_type, fixed for built-in types). */
const OID = { bytea: 17, int8: 20, int2: 21, int4: 23, text: 25, uuid: 2950, jsonb: 3802 } as const

// jsonb's binary form is a version byte and the JSON text.
const JSONB_VERSION = 1
const HEADER = 20

/** Thrown for a value the array cannot hold, with PostgreSQL's own code for it (a data exception, class 22). */
export class InvalidArrayValueError extends Error {
  readonly code = '22P02'
}

/** An array header for `count` elements of `oid`; the elements follow from byte 20. */
function header (oid: number, count: number, size: number, hasNulls: boolean): Buffer {
  const out = Buffer.allocUnsafe(size)
  out.writeInt32BE(1, 0) // dimensions
  out.writeInt32BE(hasNulls ? 1 : 0, 4)
  out.writeUInt32BE(oid, 8)
  out.writeInt32BE(count, 12)
  out.writeInt32BE(1, 16) // lower bound
  return out
}

/** `oid[]` of byte strings (no NULLs), each after an optional version byte. */
function bytesArray (oid: number, values: Buffer[], version?: number): Buffer {
  const prefix = version === undefined ? 0 : 1
  let size = HEADER
  for (const v of values) size += 4 + prefix + v.length
  const out = header(oid, values.length, size, false)
  let at = HEADER
  for (const v of values) {
    out.writeInt32BE(prefix + v.length, at)
    at += 4
    if (version !== undefined) out[at++] = version
    at += v.copy(out, at)
  }
  return out
}

/** A `bytea[]` parameter. */
export function byteaArray (values: Buffer[]): Buffer {
  return bytesArray(OID.bytea, values)
}

/** A `jsonb[]` parameter from JSON texts already encoded as UTF-8. */
export function jsonbArray (utf8Texts: Buffer[]): Buffer {
  return bytesArray(OID.jsonb, utf8Texts, JSONB_VERSION)
}

/** A `text[]` parameter; null (or undefined) elements are SQL NULL, anything else but a string a data exception. */
export function textArray (values: ReadonlyArray<string | null | undefined>): Buffer {
  let size = HEADER
  let hasNulls = false
  for (const v of values) {
    if (v == null) { size += 4; hasNulls = true } else if (typeof v === 'string') size += 4 + Buffer.byteLength(v, 'utf8')
    else throw new InvalidArrayValueError('not text')
  }
  const out = header(OID.text, values.length, size, hasNulls)
  let at = HEADER
  for (const v of values) {
    if (v == null) { out.writeInt32BE(-1, at); at += 4; continue }
    const length = out.write(v, at + 4, 'utf8')
    out.writeInt32BE(length, at)
    at += 4 + length
  }
  return out
}

/** A `uuid[]` parameter from UUID strings in their 8-4-4-4-12 hex form. */
export function uuidArray (values: readonly string[]): Buffer {
  const out = header(OID.uuid, values.length, HEADER + values.length * 20, false)
  let at = HEADER
  for (const v of values) {
    out.writeInt32BE(16, at)
    const hex = v.replace(/-/g, '')
    if (hex.length !== 32 || out.write(hex, at + 4, 'hex') !== 16) throw new InvalidArrayValueError('not a UUID')
    at += 20
  }
  return out
}

/** An `int2[]` parameter. */
export function int2Array (values: readonly number[]): Buffer {
  const out = header(OID.int2, values.length, HEADER + values.length * 6, false)
  let at = HEADER
  for (const v of values) { out.writeInt32BE(2, at); out.writeInt16BE(v, at + 4); at += 6 }
  return out
}

/** An `int4[]` parameter. */
export function int4Array (values: readonly number[]): Buffer {
  const out = header(OID.int4, values.length, HEADER + values.length * 8, false)
  let at = HEADER
  for (const v of values) { out.writeInt32BE(4, at); out.writeInt32BE(v, at + 4); at += 8 }
  return out
}

/** An `int8[]` parameter from decimal strings (Kafka offsets) or numbers. */
export function int8Array (values: ReadonlyArray<string | number>): Buffer {
  const out = header(OID.int8, values.length, HEADER + values.length * 12, false)
  let at = HEADER
  for (const v of values) { out.writeInt32BE(8, at); out.writeBigInt64BE(BigInt(v), at + 4); at += 12 }
  return out
}
