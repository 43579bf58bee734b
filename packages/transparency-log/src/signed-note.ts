// Checkpoints of the audit log as C2SP signed notes with Ed25519 signatures:
// https://c2sp.org/signed-note and https://c2sp.org/tlog-checkpoint. Using the
// common format lets supervisors check our checkpoints with existing
// transparency-log tooling (witnesses, Go's sumdb/note, ...), not only ours.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto'

/** A malformed note or checkpoint, an invalid key, or a signature that does not verify. */
export class SignedNoteError extends Error {
  override name = 'SignedNoteError'
}

/** The three mandatory lines of a checkpoint: the log's tree head. */
export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Buffer;
}

/** A named Ed25519 signing key; the name appears in the signature line. */
export interface NoteSigner {
  name: string;
  privateKey: KeyObject;
}

/** One signature line of a note, not yet verified. */
export interface NoteSignature {
  name: string;
  /** 4-byte key ID (key hash) of the signing key. */
  keyHash: Buffer;
  /** The signature proper, without the key ID. */
  signature: Buffer;
}

/** A note split into its text and its (unverified) signatures. */
export interface ParsedNote {
  /** The signed text, including its final newline. */
  text: string;
  signatures: NoteSignature[];
}

/** A checkpoint as read from a note, before or after verification. */
export interface ParsedCheckpoint extends Checkpoint, ParsedNote {
  /** Optional extension lines after the root hash (opaque, discouraged). */
  extensions: string[];
}

/** An Ed25519 verifier key parsed from its `<name>+<hex key hash>+<base64>` string. */
export interface VerifierKey {
  name: string;
  keyHash: Buffer;
  publicKey: KeyObject;
}

const ED25519_TYPE = 0x01
const ED25519_KEY_SIZE = 32
const ED25519_SIG_SIZE = 64
const KEY_HASH_SIZE = 4
const SIGNATURE_PREFIX = '\u2014 ' // em dash, space
// The spec requires accepting at least 16; the bound stops a note of endless lines.
const MAX_SIGNATURES = 100

// ---------------------------------------------------------------- keys

/** A fresh Ed25519 key pair for signing checkpoints. */
export function generateSigningKey (): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ed25519')
}

/** Loads an Ed25519 private key from PKCS#8 PEM. */
export function loadPrivateKeyPem (pem: string): KeyObject {
  return requireEd25519(tryKey(() => createPrivateKey(pem), 'private key PEM'))
}

/** Loads an Ed25519 public key from SPKI PEM (a private key PEM yields its public key). */
export function loadPublicKeyPem (pem: string): KeyObject {
  return requireEd25519(tryKey(() => createPublicKey(pem), 'public key PEM'))
}

/** PKCS#8 PEM of an Ed25519 private key. */
export function privateKeyToPem (key: KeyObject): string {
  return requireEd25519(key).export({ format: 'pem', type: 'pkcs8' }).toString()
}

/** SPKI PEM of the public half of an Ed25519 key. */
export function publicKeyToPem (key: KeyObject): string {
  return publicOf(key).export({ format: 'pem', type: 'spki' }).toString()
}

/** The 32-byte RFC 8032 encoding of an Ed25519 public key (or of a private key's public half). */
export function rawPublicKey (key: KeyObject): Buffer {
  const { x } = publicOf(key).export({ format: 'jwk' })
  if (typeof x !== 'string') throw new SignedNoteError('Ed25519 key has no public part')
  return Buffer.from(x, 'base64url')
}

/** Key ID: SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key)[:4]. */
export function noteKeyHash (name: string, publicKey: KeyObject | Uint8Array): Buffer {
  const raw = publicKey instanceof Uint8Array ? publicKey : rawPublicKey(publicKey)
  return createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ED25519_TYPE]))
    .update(raw)
    .digest()
    .subarray(0, KEY_HASH_SIZE)
}

/** The verifier key string `<name>+<hex key hash>+<base64(0x01 ‖ public key)>`. */
export function verifierKeyString (name: string, publicKey: KeyObject): string {
  assertKeyName(name)
  const raw = rawPublicKey(publicKey)
  const typed = Buffer.concat([Buffer.from([ED25519_TYPE]), raw])
  return `${name}+${noteKeyHash(name, raw).toString('hex')}+${typed.toString('base64')}`
}

/** Parses and checks a verifier key string (its key hash must match its key). */
export function parseVerifierKey (vkey: string): VerifierKey {
  // The base64 key may itself contain '+': only the first two '+' separate fields.
  const [name = '', hashHex = '', ...rest] = vkey.split('+')
  const typed = strictBase64(rest.join('+'))
  if (!isKeyName(name) || !/^[0-9a-f]{8}$/.test(hashHex) || typed === undefined) {
    throw new SignedNoteError(`malformed verifier key "${vkey}"`)
  }
  if (typed[0] !== ED25519_TYPE || typed.length !== 1 + ED25519_KEY_SIZE) {
    throw new SignedNoteError(`verifier key "${name}" is not an Ed25519 (type 0x01) key`)
  }
  const raw = typed.subarray(1)
  const keyHash = Buffer.from(hashHex, 'hex')
  if (!keyHash.equals(noteKeyHash(name, raw))) {
    throw new SignedNoteError(`verifier key "${name}": key hash ${hashHex} does not match the key`)
  }
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  })
  return { name, keyHash, publicKey }
}

// --------------------------------------------------------------- notes

/** Signs `text` (which must end in a newline) and returns the signed note. */
export function signNote (text: string, signer: NoteSigner): string {
  assertKeyName(signer.name)
  assertNoteCharacters(text)
  if (!text.endsWith('\n')) throw new SignedNoteError('note text must end with a newline')
  const key = requireEd25519(signer.privateKey)
  if (key.type !== 'private') throw new SignedNoteError('signing needs an Ed25519 private key')
  const signature = sign(null, Buffer.from(text, 'utf8'), key)
  const blob = Buffer.concat([noteKeyHash(signer.name, key), signature])
  return `${text}\n${SIGNATURE_PREFIX}${signer.name} ${blob.toString('base64')}\n`
}

/** Splits a signed note into text and signature lines, checking the format only. */
export function parseNote (note: string): ParsedNote {
  assertNoteCharacters(note)
  // The text ends at the last blank line; it keeps its own final newline.
  const split = note.lastIndexOf('\n\n')
  if (split < 0) throw new SignedNoteError('malformed note: no blank line before the signatures')
  const text = note.slice(0, split + 1)
  const block = note.slice(split + 2)
  if (block === '' || !block.endsWith('\n')) {
    throw new SignedNoteError('malformed note: signature lines must end with a newline')
  }
  const lines = block.slice(0, -1).split('\n')
  if (lines.length > MAX_SIGNATURES) throw new SignedNoteError('malformed note: too many signatures')
  return { text, signatures: lines.map(parseSignatureLine) }
}

/**
 * Verifies a note against one trusted key and returns its parsed form. Lines
 * signed by other keys are ignored, as the spec requires (key rotation,
 * witness cosignatures); a line by the trusted key that fails rejects the note.
 */
export function openNote (note: string, verifierKey: string): ParsedNote {
  const key = parseVerifierKey(verifierKey)
  const parsed = parseNote(note)
  const message = Buffer.from(parsed.text, 'utf8')
  let verified = false
  for (const sig of parsed.signatures) {
    if (sig.name !== key.name || !sig.keyHash.equals(key.keyHash)) continue
    if (sig.signature.length !== ED25519_SIG_SIZE || !verify(null, message, key.publicKey, sig.signature)) {
      throw new SignedNoteError(`invalid signature by ${describe(key)}`)
    }
    verified = true
  }
  if (!verified) throw new SignedNoteError(`note is not signed by ${describe(key)}`)
  return parsed
}

// --------------------------------------------------------- checkpoints

/** The note text of a checkpoint: origin, decimal tree size, base64 root hash. */
export function checkpointText ({ origin, size, rootHash }: Checkpoint): string {
  if (origin === '' || origin.includes('\n')) throw new SignedNoteError('checkpoint origin must be one non-empty line')
  if (!Number.isSafeInteger(size) || size < 0) throw new SignedNoteError(`invalid checkpoint tree size ${size}`)
  if (rootHash.length !== 32) throw new SignedNoteError('checkpoint root hash must be 32 bytes')
  return `${origin}\n${size}\n${rootHash.toString('base64')}\n`
}

/** Signs a checkpoint; returns the signed note. */
export function signCheckpoint (checkpoint: Checkpoint, signer: NoteSigner): string {
  return signNote(checkpointText(checkpoint), signer)
}

/** Parses a checkpoint note WITHOUT verifying its signatures: use verifyCheckpoint to trust it. */
export function parseCheckpoint (note: string): ParsedCheckpoint {
  const parsed = parseNote(note)
  const [origin = '', sizeLine = '', rootLine = '', ...extensions] = parsed.text.slice(0, -1).split('\n')
  if (origin === '') throw new SignedNoteError('malformed checkpoint: empty origin line')
  // Decimal without leading zeroes: one tree size has exactly one spelling.
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine) || !Number.isSafeInteger(Number(sizeLine))) {
    throw new SignedNoteError(`malformed checkpoint: invalid tree size "${sizeLine}"`)
  }
  const rootHash = strictBase64(rootLine)
  if (rootHash === undefined || rootHash.length !== 32) {
    throw new SignedNoteError('malformed checkpoint: root hash is not the base64 of 32 bytes')
  }
  if (extensions.some((line) => line === '')) {
    throw new SignedNoteError('malformed checkpoint: empty extension line')
  }
  return { ...parsed, origin, size: Number(sizeLine), rootHash, extensions }
}

/**
 * Verifies a checkpoint note with the trusted verifier key and returns its tree
 * head. Throws SignedNoteError on a bad format or signature, or when it is
 * not from `expected.origin` if given.
 */
export function verifyCheckpoint (note: string, verifierKey: string, expected: { origin?: string } = {}): Checkpoint {
  const checkpoint = parseCheckpoint(note)
  openNote(note, verifierKey)
  if (expected.origin !== undefined && checkpoint.origin !== expected.origin) {
    throw new SignedNoteError(`checkpoint is for log "${checkpoint.origin}", expected "${expected.origin}"`)
  }
  return { origin: checkpoint.origin, size: checkpoint.size, rootHash: checkpoint.rootHash }
}

// ------------------------------------------------------------- private

function parseSignatureLine (line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw new SignedNoteError('malformed note: signature line does not start with "\u2014 "')
  }
  const rest = line.slice(SIGNATURE_PREFIX.length)
  const space = rest.indexOf(' ')
  const name = space < 0 ? rest : rest.slice(0, space)
  const blob = space < 0 ? undefined : strictBase64(rest.slice(space + 1))
  if (!isKeyName(name) || blob === undefined || blob.length <= KEY_HASH_SIZE) {
    throw new SignedNoteError(`malformed note: bad signature line for "${name}"`)
  }
  return { name, keyHash: blob.subarray(0, KEY_HASH_SIZE), signature: blob.subarray(KEY_HASH_SIZE) }
}

/** Standard padded base64 (RFC 4648 §4) only; Buffer.from alone would skip junk characters. */
function strictBase64 (text: string): Buffer | undefined {
  if (text === '' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined
  const bytes = Buffer.from(text, 'base64')
  // Rejects non-zero padding bits, so every value has one encoding.
  return bytes.toString('base64') === text ? bytes : undefined
}

function isKeyName (name: string): boolean {
  return name !== '' && !name.includes('+') && !/\s/u.test(name)
}

function assertKeyName (name: string): void {
  if (!isKeyName(name)) throw new SignedNoteError(`invalid key name "${name}": must be non-empty, without spaces or "+"`)
}

function assertNoteCharacters (text: string): void {
  // Control characters other than newline are forbidden; lone surrogates are not UTF-8.
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text) || Buffer.from(text, 'utf8').toString('utf8') !== text) {
    throw new SignedNoteError('malformed note: control characters or invalid UTF-8')
  }
}

function describe (key: VerifierKey): string {
  return `${key.name}+${key.keyHash.toString('hex')}`
}

function publicOf (key: KeyObject): KeyObject {
  requireEd25519(key)
  return key.type === 'private' ? createPublicKey(key) : key
}

function requireEd25519 (key: KeyObject): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SignedNoteError(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`)
  }
  return key
}

function tryKey (load: () => KeyObject, what: string): KeyObject {
  try {
    return load()
  } catch (err) {
    throw new SignedNoteError(`cannot read ${what}: ${(err as Error).message}`)
  }
}
