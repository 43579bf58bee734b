// The console's checks, all in this browser with WebCrypto (@wams/transparency-log/browser): the
// log's keys, a checkpoint's signatures, an event's leaf hash and inclusion proof, consistency
// between two checkpoints. Nothing the service says is taken on trust: every "verified" comes from
// a computation here.
import {
  COSIGNATURE_V1, NOTE_ED25519, bytesEqual, checkNoteKey, eventLeafHash, fromBase64, parseCheckpoint, parseVerifierKey,
  toBase64, toHex, verifyConsistency, verifyInclusion, type NoteVerifierKey
} from '@wams/transparency-log/browser'
import { getJson, query, type CheckpointAnswer, type EventWithProof, type KeysAnswer } from './api.ts'

export interface Keys { log: NoteVerifierKey[], witnesses: NoteVerifierKey[] }

/** The public keys of GET /v1/audit/keys, each checked (its key ID must match its key). */
export async function loadKeys (): Promise<Keys> {
  const { keys } = await getJson<KeysAnswer>('/v1/audit/keys', { auth: false })
  const parsed = await Promise.all(keys.map(async (k) => await parseVerifierKey(k.verifierKey).catch(() => null)))
  const ok = parsed.filter((k): k is NoteVerifierKey => k !== null)
  return { log: ok.filter((k) => k.type === NOTE_ED25519), witnesses: ok.filter((k) => k.type === COSIGNATURE_V1) }
}

const WITNESS_KEYS = 'wams.console.witnessKeys'

/** The witness keys the supervisor trusts, pasted into the console (public keys, kept in localStorage). */
export function trustedWitnessKeys (): string[] {
  try {
    return (localStorage.getItem(WITNESS_KEYS) ?? '').split(/\s+/).filter((k) => k !== '')
  } catch {
    return []
  }
}

/** Keeps the witness keys that parse as cosigner keys (type 0x04); returns how many were refused. */
export async function setTrustedWitnessKeys (text: string): Promise<{ kept: number, refused: number }> {
  const given = text.split(/\s+/).filter((k) => k !== '')
  const parsed = await Promise.all(given.map(async (k) => await parseVerifierKey(k).then((key) => key.type === COSIGNATURE_V1 ? k : null, () => null)))
  const kept = parsed.filter((k): k is string => k !== null)
  localStorage.setItem(WITNESS_KEYS, kept.join('\n'))
  return { kept: kept.length, refused: given.length - kept.length }
}

/** The log's keys from the service, with the witnesses the supervisor trusts from this console (not from the log). */
export async function keysWithTrustedWitnesses (): Promise<Keys> {
  const keys = await loadKeys()
  const own = await Promise.all(trustedWitnessKeys().map(async (k) => await parseVerifierKey(k).catch(() => null)))
  return { log: keys.log, witnesses: own.filter((k): k is NoteVerifierKey => k !== null && k.type === COSIGNATURE_V1) }
}

export interface SignatureLine {
  name: string
  keyId: string
  kind: 'log' | 'witness' | 'unknown'
  status: 'valid' | 'invalid' | 'unchecked'
  /** A cosignature's time (POSIX seconds), read from its line. */
  timestamp?: number
}

export interface CheckpointCheck {
  origin: string
  size: number
  rootHash: Uint8Array
  /** A log key's signature line verifies (and none by a log key fails). */
  signed: boolean
  /** The JSON's treeSize and rootHash are the signed note's. */
  matches: boolean
  lines: SignatureLine[]
  error?: string
}

/** Checks a signed checkpoint note with the log's keys, and lists every signature line. */
export async function checkCheckpoint (signedNote: string, keys: Keys, claimed?: { treeSize: number, rootHash: string }): Promise<CheckpointCheck> {
  let head
  try {
    head = parseCheckpoint(signedNote)
  } catch (err) {
    return { origin: '', size: 0, rootHash: new Uint8Array(), signed: false, matches: false, lines: [], error: (err as Error).message }
  }
  const lines: SignatureLine[] = []
  let signed = false
  let bad = false
  const known = [...keys.log, ...keys.witnesses]
  for (const sig of head.signatures) {
    const key = known.find((k) => k.name === sig.name && bytesEqual(k.keyId, sig.keyId))
    const keyId = toHex(sig.keyId)
    const stamp = sig.rest.length === 72 ? Number(new DataView(sig.rest.buffer, sig.rest.byteOffset, 8).getBigUint64(0)) : undefined
    if (key === undefined) {
      lines.push({ name: sig.name, keyId, kind: 'unknown', status: 'unchecked', ...(stamp === undefined ? {} : { timestamp: stamp }) })
      continue
    }
    const verdict = await checkNoteKey({ text: head.text, signatures: [sig] }, key)
    const valid = verdict.status === 'valid'
    if (key.type === NOTE_ED25519) { if (valid) signed = true; else bad = true }
    lines.push({ name: sig.name, keyId, kind: key.type === NOTE_ED25519 ? 'log' : 'witness', status: valid ? 'valid' : 'invalid', ...(verdict.timestamp === undefined ? {} : { timestamp: verdict.timestamp }) })
  }
  const matches = claimed === undefined || (claimed.treeSize === head.size && claimed.rootHash === toBase64(head.rootHash))
  return { origin: head.origin, size: head.size, rootHash: head.rootHash, signed: signed && !bad, matches, lines }
}

export interface Step { key: 'checkLeaf' | 'checkLeafServer' | 'checkInclusion' | 'checkCheckpoint', ok: boolean, detail?: string }

export interface EventVerification {
  verified: boolean
  steps: Step[]
  computedLeaf?: string
}

/** Recomputes an event's leaf hash and checks its inclusion proof against a checkpoint the log signed. */
export async function verifyEvent (item: Extract<EventWithProof, { view: 'full' }>, keys: Keys): Promise<EventVerification> {
  const steps: Step[] = []
  const checkpoint = await checkCheckpoint(item.signedNote, keys, { treeSize: item.treeSize, rootHash: item.rootHash })
  steps.push({ key: 'checkCheckpoint', ok: checkpoint.signed && checkpoint.matches, ...(checkpoint.error ? { detail: checkpoint.error } : {}) })
  if (item.event === null) {
    return { verified: false, steps }
  }
  let leaf: Uint8Array | undefined
  try {
    leaf = await eventLeafHash(item.event)
    steps.push({ key: 'checkLeaf', ok: true, detail: toBase64(leaf) })
  } catch (err) {
    steps.push({ key: 'checkLeaf', ok: false, detail: (err as Error).message })
    return { verified: false, steps }
  }
  const computed = toBase64(leaf)
  steps.push({ key: 'checkLeafServer', ok: computed === item.leafHash, detail: item.leafHash })
  const root = fromBase64(item.rootHash)
  const proof = item.inclusionProof.map(fromBase64)
  const included = root !== undefined && proof.every((p) => p !== undefined) &&
    bytesEqual(root, checkpoint.rootHash) &&
    await verifyInclusion(leaf, item.leafIndex, item.treeSize, proof as Uint8Array[], root)
  steps.push({ key: 'checkInclusion', ok: included })
  return { verified: steps.every((s) => s.ok), steps, computedLeaf: computed }
}

export interface Remembered { origin: string, size: number, rootHash: string }

const PREVIOUS_KEY = 'wams.console.previousCheckpoint'

export function previousCheckpoint (): Remembered | null {
  try {
    const raw = sessionStorage.getItem(PREVIOUS_KEY)
    if (raw === null) return null
    const p = JSON.parse(raw) as Remembered
    return typeof p.size === 'number' && typeof p.rootHash === 'string' && typeof p.origin === 'string' ? p : null
  } catch {
    return null
  }
}

export function rememberCheckpoint (c: Remembered): void {
  sessionStorage.setItem(PREVIOUS_KEY, JSON.stringify(c))
}

export type Consistency =
  | { status: 'first' }
  | { status: 'same' }
  | { status: 'consistent', from: number, proofLength: number }
  | { status: 'rollback', from: number }
  | { status: 'inconsistent', from: number, detail?: string }

/** Is the checked checkpoint `current` an append-only extension of `previous`? Proof asked, math done here. */
export async function checkConsistency (previous: Remembered | null, current: CheckpointCheck): Promise<Consistency> {
  if (previous === null) return { status: 'first' }
  if (previous.origin !== current.origin) return { status: 'inconsistent', from: previous.size, detail: `origin ${previous.origin}` }
  const root1 = fromBase64(previous.rootHash)
  if (root1 === undefined) return { status: 'inconsistent', from: previous.size }
  if (previous.size > current.size) return { status: 'rollback', from: previous.size }
  if (previous.size === current.size) {
    return bytesEqual(root1, current.rootHash) ? { status: 'same' } : { status: 'inconsistent', from: previous.size }
  }
  const { proof } = await getJson<{ proof: string[] }>(`/v1/audit/consistency${query({ from: previous.size, to: current.size })}`)
  const hashes = proof.map(fromBase64)
  if (hashes.some((p) => p === undefined)) return { status: 'inconsistent', from: previous.size, detail: 'malformed proof' }
  const ok = await verifyConsistency(previous.size, current.size, hashes as Uint8Array[], root1, current.rootHash)
  return ok ? { status: 'consistent', from: previous.size, proofLength: proof.length } : { status: 'inconsistent', from: previous.size }
}

export type { CheckpointAnswer }
