// The checks a browser makes on what the audit service tells it, with WebCrypto only: the leaf hash
// of an event (SHA-256(0x00 ‖ RFC 8785 JSON)), inclusion and consistency proofs (RFC 9162
// §2.1.3.2, §2.1.4.2), and C2SP signed notes with Ed25519 signatures — the log's checkpoint
// signature (signed-note, type 0x01) and witness cosignatures (tlog-cosignature, type 0x04).
//
// Nothing here imports node:crypto or Buffer, so the console bundles it for the browser; Node 20
// has the same globalThis.crypto.subtle, so the tests run it there against the RFC 6962 vectors and
// the Node implementation (test/audit/browser-verify.test.ts). WebCrypto is asynchronous, so every
// check returns a promise; the Node API (index.ts) is unchanged.
import canonicalize from 'canonicalize'

/** The two primitives the checks need, asynchronous as WebCrypto is. */
export interface AsyncCrypto {
  sha256 (data: Uint8Array): Promise<Uint8Array>
  /** Ed25519 (RFC 8032) verification with a 32-byte raw public key; false on any failure. */
  verifyEd25519 (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>
}

type Subtle = typeof globalThis.crypto.subtle

/** A copy on its own ArrayBuffer, which is what WebCrypto's BufferSource takes. */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes)

/** The primitives from WebCrypto (the browser's, or Node's globalThis.crypto.subtle). */
export function webCrypto (subtle: Subtle | undefined = globalThis.crypto?.subtle): AsyncCrypto {
  if (subtle === undefined) throw new Error('WebCrypto (crypto.subtle) is not available: a secure context (https or localhost) is needed')
  return {
    async sha256 (data) {
      return new Uint8Array(await subtle.digest('SHA-256', own(data)))
    },
    async verifyEd25519 (publicKey, message, signature) {
      if (publicKey.length !== 32 || signature.length !== 64) return false
      try {
        const key = await subtle.importKey('raw', own(publicKey), { name: 'Ed25519' }, false, ['verify'])
        return await subtle.verify({ name: 'Ed25519' }, key, own(signature), own(message))
      } catch {
        return false
      }
    }
  }
}

let defaultCrypto: AsyncCrypto | undefined
const crypto0 = (c?: AsyncCrypto): AsyncCrypto => c ?? (defaultCrypto ??= webCrypto())

export const HASH_SIZE = 32
const utf8 = new TextEncoder()

// ------------------------------------------------------------------ bytes

export function concatBytes (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

export function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

export function toHex (bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export function toBase64 (bytes: Uint8Array): string {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s)
}

/** Standard padded base64 (RFC 4648 §4) in its one canonical spelling, else undefined. */
export function fromBase64 (text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || text === '' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined
  let bin: string
  try { bin = atob(text) } catch { return undefined }
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0))
  return toBase64(bytes) === text ? bytes : undefined
}

// ----------------------------------------------------------------- hashes

/** SHA-256(0x00 ‖ data). */
export async function leafHash (data: Uint8Array, c?: AsyncCrypto): Promise<Uint8Array> {
  return crypto0(c).sha256(concatBytes(new Uint8Array([0x00]), data))
}

/** SHA-256(0x01 ‖ left ‖ right). */
export async function nodeHash (left: Uint8Array, right: Uint8Array, c?: AsyncCrypto): Promise<Uint8Array> {
  return crypto0(c).sha256(concatBytes(new Uint8Array([0x01]), left, right))
}

/** SHA-256(""): the root of the empty tree. */
export async function emptyRoot (c?: AsyncCrypto): Promise<Uint8Array> {
  return crypto0(c).sha256(new Uint8Array())
}

/** The RFC 8785 canonical JSON text of an event. */
export function canonicalEventJson (event: object): string {
  const text = canonicalize(event)
  if (text === undefined) throw new TypeError('audit event has no JSON representation')
  return text
}

/** The leaf hash of an audit event: SHA-256(0x00 ‖ UTF-8 of its RFC 8785 JSON). */
export async function eventLeafHash (event: object, c?: AsyncCrypto): Promise<Uint8Array> {
  return leafHash(utf8.encode(canonicalEventJson(event)), c)
}

// ----------------------------------------------------------------- proofs

/**
 * RFC 9162 §2.1.3.2: true iff `proof` shows that `leaf` is leaf `index` of the tree of `size`
 * leaves with root `root`. Never throws on bad input.
 */
export async function verifyInclusion (
  leaf: Uint8Array, index: number, size: number, proof: readonly Uint8Array[], root: Uint8Array, c?: AsyncCrypto
): Promise<boolean> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false
  if (leaf.length !== HASH_SIZE || root.length !== HASH_SIZE || proof.some((p) => p.length !== HASH_SIZE)) return false
  let fn = index
  let sn = size - 1
  let r = leaf
  for (const p of proof) {
    if (sn === 0) return false // longer than the path to the root
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r, c)
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2) }
    } else {
      r = await nodeHash(r, p, c)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && bytesEqual(r, root)
}

/**
 * RFC 9162 §2.1.4.2: true iff `proof` shows that the tree of `size1` leaves with root `root1` is a
 * prefix of the tree of `size2` leaves with root `root2`. A size-0 tree must have the empty root.
 */
export async function verifyConsistency (
  size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array, c?: AsyncCrypto
): Promise<boolean> {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size1 > size2) return false
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE || proof.some((p) => p.length !== HASH_SIZE)) return false
  if (size1 === 0) return proof.length === 0 && bytesEqual(root1, await emptyRoot(c))
  if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2)
  if (proof.length === 0) return false
  // A perfect old tree is its own last subtree: the proof leaves out its root.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof]
  const [first, ...rest] = path
  if (first === undefined) return false
  let fn = size1 - 1
  let sn = size2 - 1
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2) }
  let fr = first
  let sr = first
  for (const p of rest) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(p, fr, c)
      sr = await nodeHash(p, sr, c)
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2) }
    } else {
      sr = await nodeHash(sr, p, c)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && bytesEqual(fr, root1) && bytesEqual(sr, root2)
}

function isPowerOfTwo (n: number): boolean {
  let p = 1
  while (p < n) p *= 2
  return p === n
}

// ----------------------------------------------------------- signed notes

/** A malformed note, key or checkpoint, or a signature that does not verify. */
export class NoteError extends Error {
  override name = 'NoteError'
}

/** One signature line of a note, not verified. */
export interface NoteSignatureLine {
  name: string
  /** The 4-byte key ID. */
  keyId: Uint8Array
  /** What follows the key ID in the line's blob (a signature, or timestamp ‖ signature). */
  rest: Uint8Array
  /** The line as it stands in the note, without its newline. */
  line: string
}

export interface ParsedNote {
  /** The signed text, with its final newline. */
  text: string
  signatures: NoteSignatureLine[]
}

/** A verifier key: Ed25519 for notes (type 0x01) or for cosignatures (type 0x04, tlog-cosignature). */
export interface NoteVerifierKey {
  name: string
  keyId: Uint8Array
  type: typeof NOTE_ED25519 | typeof COSIGNATURE_V1
  publicKey: Uint8Array
}

export const NOTE_ED25519 = 0x01
export const COSIGNATURE_V1 = 0x04
const SIGNATURE_PREFIX = '\u2014 '
const MAX_SIGNATURES = 100

const isKeyName = (name: string): boolean => name !== '' && !name.includes('+') && !/\s/u.test(name)

function assertNoteCharacters (text: string): void {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text) || new TextDecoder().decode(utf8.encode(text)) !== text) {
    throw new NoteError('malformed note: control characters or invalid UTF-8')
  }
}

/** Splits a signed note into its text and signature lines (the format only). */
export function parseNote (note: string): ParsedNote {
  if (typeof note !== 'string') throw new NoteError('malformed note: not text')
  assertNoteCharacters(note)
  const split = note.lastIndexOf('\n\n')
  if (split < 0) throw new NoteError('malformed note: no blank line before the signatures')
  const text = note.slice(0, split + 1)
  const block = note.slice(split + 2)
  if (block === '' || !block.endsWith('\n')) throw new NoteError('malformed note: signature lines must end with a newline')
  const lines = block.slice(0, -1).split('\n')
  if (lines.length > MAX_SIGNATURES) throw new NoteError('malformed note: too many signatures')
  return {
    text,
    signatures: lines.map((line) => {
      if (!line.startsWith(SIGNATURE_PREFIX)) throw new NoteError('malformed note: signature line does not start with "\u2014 "')
      const rest = line.slice(SIGNATURE_PREFIX.length)
      const space = rest.indexOf(' ')
      const name = space < 0 ? rest : rest.slice(0, space)
      const blob = space < 0 ? undefined : fromBase64(rest.slice(space + 1))
      if (!isKeyName(name) || blob === undefined || blob.length <= 4) throw new NoteError(`malformed note: bad signature line for "${name}"`)
      return { name, keyId: blob.slice(0, 4), rest: blob.slice(4), line }
    })
  }
}

/** SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]. */
export async function noteKeyId (name: string, type: number, publicKey: Uint8Array, c?: AsyncCrypto): Promise<Uint8Array> {
  const digest = await crypto0(c).sha256(concatBytes(utf8.encode(name), new Uint8Array([0x0a, type]), publicKey))
  return digest.slice(0, 4)
}

/** Parses `<name>+<hex key ID>+<base64(type ‖ key)>` and checks that the key ID matches the key. */
export async function parseVerifierKey (vkey: string, c?: AsyncCrypto): Promise<NoteVerifierKey> {
  const [name = '', idHex = '', ...rest] = String(vkey).split('+')
  const typed = fromBase64(rest.join('+'))
  if (!isKeyName(name) || !/^[0-9a-f]{8}$/.test(idHex) || typed === undefined) throw new NoteError('malformed verifier key')
  const type = typed[0]
  if ((type !== NOTE_ED25519 && type !== COSIGNATURE_V1) || typed.length !== 33) {
    throw new NoteError(`verifier key "${name}" is not an Ed25519 key (type 0x01 or 0x04)`)
  }
  const publicKey = typed.slice(1)
  const keyId = await noteKeyId(name, type, publicKey, c)
  if (toHex(keyId) !== idHex) throw new NoteError(`verifier key "${name}": key ID ${idHex} does not match the key`)
  return { name, keyId, type, publicKey }
}

/** The message a cosignature/v1 signs: the header, the time line, the checkpoint body. */
export function cosignatureMessage (body: string, timestamp: bigint): Uint8Array {
  return utf8.encode(`cosignature/v1\ntime ${timestamp.toString(10)}\n${body}`)
}

/** The big-endian u64 timestamp at the start of a cosignature's blob rest. */
function readTimestamp (rest: Uint8Array): bigint {
  let t = 0n
  for (let i = 0; i < 8; i++) t = (t << 8n) | BigInt(rest[i]!)
  return t
}

/** The verdict on one trusted key's lines in a note. */
export interface KeyVerdict {
  key: string
  status: 'valid' | 'missing' | 'invalid'
  /** A cosignature's POSIX time (seconds). */
  timestamp?: number
}

/** Checks the lines by one trusted key (a note signature or a cosignature, by its type). */
export async function checkNoteKey (note: string | ParsedNote, key: NoteVerifierKey, c?: AsyncCrypto): Promise<KeyVerdict> {
  const parsed = typeof note === 'string' ? parseNote(note) : note
  const label = `${key.name}+${toHex(key.keyId)}`
  const lines = parsed.signatures.filter((s) => s.name === key.name && bytesEqual(s.keyId, key.keyId))
  if (lines.length === 0) return { key: label, status: 'missing' }
  let timestamp: number | undefined
  for (const line of lines) {
    if (key.type === NOTE_ED25519) {
      if (line.rest.length !== 64 || !await crypto0(c).verifyEd25519(key.publicKey, utf8.encode(parsed.text), line.rest)) return { key: label, status: 'invalid' }
    } else {
      if (line.rest.length !== 72) return { key: label, status: 'invalid' }
      const time = readTimestamp(line.rest)
      if (time > 2n ** 63n - 1n) return { key: label, status: 'invalid' }
      if (!await crypto0(c).verifyEd25519(key.publicKey, cosignatureMessage(parsed.text, time), line.rest.slice(8))) return { key: label, status: 'invalid' }
      timestamp = Math.max(timestamp ?? 0, Number(time))
    }
  }
  return timestamp === undefined ? { key: label, status: 'valid' } : { key: label, status: 'valid', timestamp }
}

/** A checkpoint's tree head, as read from its note. */
export interface CheckpointHead {
  origin: string
  size: number
  rootHash: Uint8Array
  extensions: string[]
}

/** Reads a checkpoint note's body WITHOUT checking any signature. */
export function parseCheckpoint (note: string | ParsedNote): CheckpointHead & ParsedNote {
  const parsed = typeof note === 'string' ? parseNote(note) : note
  const [origin = '', sizeLine = '', rootLine = '', ...extensions] = parsed.text.slice(0, -1).split('\n')
  if (origin === '') throw new NoteError('malformed checkpoint: empty origin line')
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine) || !Number.isSafeInteger(Number(sizeLine))) throw new NoteError('malformed checkpoint: invalid tree size')
  const rootHash = fromBase64(rootLine)
  if (rootHash === undefined || rootHash.length !== HASH_SIZE) throw new NoteError('malformed checkpoint: root hash is not the base64 of 32 bytes')
  if (extensions.some((l) => l === '')) throw new NoteError('malformed checkpoint: empty extension line')
  return { ...parsed, origin, size: Number(sizeLine), rootHash, extensions }
}

/**
 * Verifies a checkpoint note with the log's verifier key (type 0x01) and returns its tree head.
 * Throws NoteError on a bad format, a missing or invalid signature, or another origin.
 * Lines by other keys (witnesses, rotated keys) are ignored.
 */
export async function verifyCheckpoint (note: string, verifierKey: string, expected: { origin?: string } = {}, c?: AsyncCrypto): Promise<CheckpointHead & ParsedNote> {
  const checkpoint = parseCheckpoint(note)
  const key = await parseVerifierKey(verifierKey, c)
  if (key.type !== NOTE_ED25519) throw new NoteError('the log\'s key must be a note signing key (type 0x01)')
  const verdict = await checkNoteKey(checkpoint, key, c)
  if (verdict.status === 'missing') throw new NoteError(`note is not signed by ${verdict.key}`)
  if (verdict.status === 'invalid') throw new NoteError(`invalid signature by ${verdict.key}`)
  if (expected.origin !== undefined && checkpoint.origin !== expected.origin) {
    throw new NoteError(`checkpoint is for log "${checkpoint.origin}", expected "${expected.origin}"`)
  }
  return checkpoint
}
