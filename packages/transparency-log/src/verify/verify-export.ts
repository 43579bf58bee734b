// The offline verifier (`wams verify`): given an export (JSONL, one line per leaf, from
// GET /v1/audit/export), a signed checkpoint and the log's verifier key, it proves that no event
// was altered, removed or reordered, and names the first one that was.
//
// Two independent checks, both required:
//  1. the leaf hashes of the export, in leaf order, rebuild the root the checkpoint signs
//     (RFC 6962; rebuilt in O(log n) memory, see streaming-root.ts), and the root of
//     their prefix equals the root of an earlier checkpoint (consistency: nothing was rewritten
//     since);
//  2. every event that is present hashes to its leaf hash (SHA-256(0x00 ‖ RFC 8785 JSON)).
// Events whose content was purged (retention) are present as `event: null` and are checked by
// their leaf hash only. A mismatch is classified by where its event's hash does belong: at another
// leaf's place (reordered), at the next leaf's place (the leaf before it was removed), or nowhere
// (altered). A gap or a step back in leafIndex is a removal or a reordering of lines.
// Lines in our exporter's layout are read as bytes and the event hashed as it stands (it is
// RFC 8785 already); any other layout is parsed and canonicalised, so it verifies too.
import { emptyRoot, eventLeafHash } from '../merkle/index.ts'
import { verifyCheckpoint, type Checkpoint } from '../signed-note.ts'
import { StreamingRoot, sha256Base64 } from './streaming-root.ts'

export type VerifyProblem =
  | 'bad-checkpoint' // the checkpoint's format or signature is not valid for the key
  | 'malformed'      // a line is not a leaf record
  | 'altered'        // the event does not hash to the leaf hash the log committed to
  | 'missing'        // a leaf (an event) is not in the export, or was removed and the rest moved up
  | 'reordered'      // the event belongs at another leaf, or lines are out of order
  | 'root-mismatch'  // the leaf hashes do not give the signed root
  | 'inconsistent'   // the export (or checkpoint) does not extend the earlier checkpoint

export interface VerifyError {
  /** The first leaf concerned; null for a problem of the checkpoint or the whole tree. */
  leafIndex: number | null
  problem: VerifyProblem
  /** The event concerned, when it is known. */
  eventId?: string
  detail: string
}

export interface VerifyProgress { leaves: number, treeSize: number }

export interface VerifyOptions {
  /** The export's lines (GET /v1/audit/export), as strings or as UTF-8 bytes (faster: see readLines). */
  exportLines: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>
  checkpointNote: string
  /** `<name>+<key hash>+<base64 key>`, from GET /v1/audit/keys. */
  verifierKey: string
  /** An earlier checkpoint (e.g. the one verified last time): the log must extend it. */
  previousCheckpointNote?: string
  onProgress?: (progress: VerifyProgress) => void
  /** Leaves between two progress calls (default 100 000). */
  progressEvery?: number
  /** The errors listed at most (default 100); `errorCount` counts all. */
  maxErrors?: number
}

export interface VerifyResult {
  ok: boolean
  origin: string | null
  treeSize: number
  /** Base64 root the leaves rebuild (null when they could not be rebuilt). */
  rootHash: string | null
  leavesChecked: number
  purgedLeaves: number
  previousTreeSize: number | null
  errors: VerifyError[]
  errorCount: number
}

interface Mismatch { index: number, eventHash: Buffer, statedHash: Buffer, eventId?: string }

/** A leaf as read from its line. */
interface Leaf {
  leafIndex: number
  /** The leaf hash the line states; null when it states none, or when it was left in the line (hashAt). */
  statedHash: Buffer | null
  /** The event's hash, when the line was read by the fast path and its bytes hashed as they stand. */
  textHash: Buffer | null
  /**
   * The usual case, from the fast path: the event's bytes hash to the stated leaf hash, whose base64
   * is still in the line at this offset (statedHash and textHash are then null); -1 otherwise.
   */
  hashAt: number
  /** The parsed event (null: purged); undefined when only its bytes were read. */
  event: unknown
  /** The line's bytes, to parse it after all, or to name its event. */
  line: Buffer
}

// ---- the fast path: our exporter's layout, read as bytes ----------------------------------------
// {"leafIndex":<n>,"leafHash":"<44 base64>","event":<RFC 8785 JSON | null>}
const HEAD = Buffer.from('{"leafIndex":')
const HASH_KEY = Buffer.from(',"leafHash":"')
const EVENT_KEY = Buffer.from('","event":')
const NULL = Buffer.from('null')
const EVENT_ID = Buffer.from('"eventId":"')
const B64 = new Int16Array(256).fill(-1)
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => { B64[c.charCodeAt(0)] = i })

const decoded = Buffer.alloc(33)

/** Decodes the 44 base64 characters of a SHA-256 hash at `at` into `decoded`; false when they are not one. */
function decodeHash (line: Buffer, at: number): boolean {
  if (line[at + 43] !== 0x3d || line[at + 42] === 0x3d) return false // 32 bytes: exactly one '='
  let o = 0
  for (let i = at; i < at + 44; i += 4) {
    const a = B64[line[i]!]!
    const b = B64[line[i + 1]!]!
    const c = line[i + 2] === 0x3d ? 0 : B64[line[i + 2]!]!
    const d = line[i + 3] === 0x3d ? 0 : B64[line[i + 3]!]!
    if ((a | b | c | d) < 0) return false
    const v = (a << 18) | (b << 12) | (c << 6) | d
    decoded[o++] = v >> 16
    decoded[o++] = (v >> 8) & 0xff
    decoded[o++] = v & 0xff
  }
  // Canonical encoding only: the padding bits of the last character are zero.
  return decoded[32] === 0
}

/** Whether line[at, at + 44) is the base64 text `b64` (of a hash). */
function isBase64At (line: Buffer, at: number, b64: string): boolean {
  let diff = 0
  for (let i = 0; i < 44; i++) diff |= line[at + i]! ^ b64.charCodeAt(i)
  return diff === 0
}

function startsAt (line: Buffer, at: number, what: Buffer): boolean {
  if (line.length < at + what.length) return false
  for (let i = 0; i < what.length; i++) if (line[at + i] !== what[i]) return false
  return true
}

/**
 * SHA-256(0x00 ‖ line[start, end)) in base64: the leaf hash of the event's bytes as they stand,
 * in the spelling of the line's leafHash, so the two are compared as they are. The byte before the
 * event (the ':' of `"event":`) is set to 0x00 for the hash and put back at once, which spares
 * copying every event (synchronous, so nothing else sees the line meanwhile).
 */
function leafHashInPlace (line: Buffer, start: number, end: number): string {
  const saved = line[start - 1]!
  line[start - 1] = 0
  try {
    return sha256Base64(line.subarray(start - 1, end))
  } finally {
    line[start - 1] = saved
  }
}

function readFast (line: Buffer): Leaf | null {
  if (!startsAt(line, 0, HEAD)) return null
  let at = HEAD.length
  let leafIndex = 0
  const digits = at
  for (; at < line.length && line[at]! >= 0x30 && line[at]! <= 0x39; at++) leafIndex = leafIndex * 10 + line[at]! - 0x30
  if (at === digits || at - digits > 15 || (line[digits] === 0x30 && at - digits > 1) || !startsAt(line, at, HASH_KEY)) return null
  const hashAt = at + HASH_KEY.length
  const eventAt = hashAt + 44 + EVENT_KEY.length
  if (!startsAt(line, hashAt + 44, EVENT_KEY) || line[line.length - 1] !== 0x7d) return null
  const end = line.length - 1
  if (end - eventAt === NULL.length && startsAt(line, eventAt, NULL)) {
    if (!decodeHash(line, hashAt)) return null
    return { leafIndex, statedHash: Buffer.from(decoded.subarray(0, 32)), textHash: null, hashAt: -1, event: null, line }
  }
  if (line[eventAt] !== 0x7b) return null
  const textHash = leafHashInPlace(line, eventAt, end)
  // The usual case: the event's hash is the stated one (whose base64 is then canonical, as node's is).
  if (isBase64At(line, hashAt, textHash)) return { leafIndex, statedHash: null, textHash: null, hashAt, event: undefined, line }
  if (!decodeHash(line, hashAt)) return null
  return { leafIndex, statedHash: Buffer.from(decoded.subarray(0, 32)), textHash: Buffer.from(textHash, 'base64'), hashAt: -1, event: undefined, line }
}

/** Any other layout (another tool's JSON, pretty-printed, other key order): parse it. */
function readParsed (line: Buffer): Leaf | string {
  let record: { leafIndex?: unknown, leafHash?: unknown, event?: unknown }
  try {
    record = JSON.parse(line.toString('utf8')) as typeof record
  } catch {
    return 'the line is not JSON'
  }
  if (record === null || typeof record !== 'object' || !Number.isSafeInteger(record.leafIndex) || (record.leafIndex as number) < 0) {
    return 'the line has no valid leafIndex'
  }
  const event = record.event ?? null
  if (event !== null && (typeof event !== 'object' || Array.isArray(event))) return 'event is neither an object nor null'
  let statedHash: Buffer | null = null
  if (record.leafHash !== undefined) {
    statedHash = typeof record.leafHash === 'string' ? Buffer.from(record.leafHash, 'base64') : Buffer.alloc(0)
    if (statedHash.length !== 32) return 'leafHash is not the base64 of 32 bytes'
  }
  if (statedHash === null && event === null) return 'the line has neither an event nor a leafHash'
  return { leafIndex: record.leafIndex as number, statedHash, textHash: null, hashAt: -1, event, line }
}

function eventIdOf (event: unknown): string | undefined {
  const id = (event as { eventId?: unknown } | null)?.eventId
  return typeof id === 'string' ? id : undefined
}

// Where `"eventId":"` starts: the window is moved by the byte under its 'I' (position 6) to the
// next place where that byte could stand in it. About a third of Buffer#indexOf's cost per line.
const ID_AT = 6
const ID_SHIFT = new Uint8Array(256).fill(ID_AT + 1)
for (let s = ID_AT; s >= 1; s--) ID_SHIFT[EVENT_ID[ID_AT - s]!] = s

/** The offset of the first `"eventId":"` in a line, or -1. */
function findEventId (line: Buffer): number {
  const last = line.length - EVENT_ID.length
  for (let at = 0; at <= last;) {
    const c = line[at + ID_AT]!
    if (c !== 0x49) {
      at += ID_SHIFT[c]!
      continue
    }
    let i = 0
    while (i < EVENT_ID.length && line[at + i] === EVENT_ID[i]) i++
    if (i === EVENT_ID.length) return at
    at++
  }
  return -1
}

/** The event id in a line, without parsing it (names an event in a message). */
function eventIdInLine (line: Buffer): string | undefined {
  const at = findEventId(line)
  return at < 0 ? undefined : line.toString('latin1', at + EVENT_ID.length, at + EVENT_ID.length + 36)
}

const HEX = new Int8Array(256).fill(-1)
'0123456789abcdef'.split('').forEach((c, i) => { HEX[c.charCodeAt(0)] = i })

/** Milliseconds of the UUIDv7 event id in a line (its first 48 bits); null for anything else. */
function uuidv7Millis (line: Buffer): number | null {
  const at = findEventId(line)
  if (at < 0) return null
  const id = at + EVENT_ID.length
  if (line[id + 14] !== 0x37 || line[id + 8] !== 0x2d) return null
  let ms = 0
  for (let i = id; i < id + 13; i++) {
    if (i === id + 8) continue
    const v = HEX[line[i]!]!
    if (v < 0) return null
    ms = ms * 16 + v
  }
  return ms
}

function isBlank (line: Buffer): boolean {
  for (let i = 0; i < line.length; i++) if (line[i] !== 0x20 && line[i] !== 0x09) return false
  return true
}

/** A leaf whose event id (UUIDv7) is this much older than an earlier leaf's hints at a reordering. */
const TIME_STEP_BACK_MS = 5 * 60 * 1000

export async function verifyExport (options: VerifyOptions): Promise<VerifyResult> {
  const maxErrors = options.maxErrors ?? 100
  const progressEvery = options.progressEvery ?? 100_000
  const errors: VerifyError[] = []
  let errorCount = 0
  const fail = (e: VerifyError) => { errorCount++; if (errors.length < maxErrors) errors.push(e) }
  const result = (extra: Partial<VerifyResult>): VerifyResult => ({
    ok: errorCount === 0,
    origin: null,
    treeSize: 0,
    rootHash: null,
    leavesChecked: 0,
    purgedLeaves: 0,
    previousTreeSize: null,
    ...extra,
    errors: [...errors].sort((a, b) => (a.leafIndex ?? Infinity) - (b.leafIndex ?? Infinity)),
    errorCount
  })

  let checkpoint: Checkpoint
  try {
    checkpoint = verifyCheckpoint(options.checkpointNote, options.verifierKey)
  } catch (err) {
    fail({ leafIndex: null, problem: 'bad-checkpoint', detail: `checkpoint: ${(err as Error).message}` })
    return result({})
  }
  const size = checkpoint.size
  let previous: Checkpoint | null = null
  if (options.previousCheckpointNote !== undefined) {
    try {
      previous = verifyCheckpoint(options.previousCheckpointNote, options.verifierKey, { origin: checkpoint.origin })
    } catch (err) {
      fail({ leafIndex: null, problem: 'bad-checkpoint', detail: `previous checkpoint: ${(err as Error).message}` })
      return result({ origin: checkpoint.origin, treeSize: size })
    }
    if (previous.size > size) {
      fail({ leafIndex: null, problem: 'inconsistent', detail: `the previous checkpoint has ${previous.size} leaves, more than this one (${size}): the log shrank` })
    } else if (previous.size === 0 && !previous.rootHash.equals(emptyRoot())) {
      fail({ leafIndex: null, problem: 'inconsistent', detail: 'the previous checkpoint of the empty tree has a wrong root' })
    }
  }

  const tree = new StreamingRoot()
  const checkPrefix = () => {
    if (!previous || previous.size !== tree.size || previous.size === 0 || broken) return
    if (!tree.root().equals(previous.rootHash)) {
      fail({ leafIndex: null, problem: 'inconsistent', detail: `the first ${tree.size} leaves do not give the root of the previous checkpoint: leaves before it were changed` })
    }
  }

  let expected = 0 // the next leaf index
  let broken = false // a leaf hash is unknown: the root cannot be rebuilt
  let purged = 0
  let lastLine: Buffer | null = null
  let newestMs = 0
  let timeHint: string | null = null
  const mismatches: Mismatch[] = []
  const MAX_MISMATCHES = 100_000
  const lastEventId = () => (lastLine ? eventIdInLine(lastLine) : undefined)
  /** Notes the first event created well before an earlier one: a hint at lines reordered with their hashes. */
  const noteTime = (line: Buffer) => {
    const ms = uuidv7Millis(line)
    if (ms === null) return
    if (timeHint === null && ms < newestMs - TIME_STEP_BACK_MS) {
      timeHint = `leaf ${expected} (event ${eventIdInLine(line)}) was created more than 5 minutes before an earlier leaf`
    }
    if (ms > newestMs) newestMs = ms
  }

  /** The leaf hash of a line off the usual path, its event (if any) checked against it. */
  const checkEvent = (leaf: Leaf, line: Buffer): Buffer => {
    let hash = leaf.statedHash
    if (leaf.event === null) {
      purged++
    } else {
      let eventHash = leaf.textHash
      let eventId: string | undefined
      if (eventHash === null || (hash !== null && !eventHash.equals(hash))) {
        // Not our exporter's canonical text: hash the RFC 8785 form of the parsed event.
        let event: unknown = leaf.event
        try {
          if (event === undefined) event = (JSON.parse(line.toString('utf8')) as { event: unknown }).event
          eventHash = eventLeafHash(event as object)
        } catch {
          fail({ leafIndex: expected, problem: 'malformed', detail: `leaf ${expected}: the event is not valid JSON` })
          eventHash = Buffer.alloc(32) // matches nothing: the leaf is also reported as altered
        }
        eventId = eventIdOf(event) ?? eventIdInLine(line)
      }
      if (hash === null) hash = eventHash
      else if (!eventHash.equals(hash) && mismatches.length < MAX_MISMATCHES) {
        mismatches.push({ index: expected, eventHash, statedHash: hash, eventId: eventId ?? eventIdInLine(line) })
      }
      noteTime(line)
      lastLine = line
    }
    return hash!
  }

  /** Checks one line; false when no more lines are needed. */
  const step = (raw: string | Uint8Array): boolean => {
    if (expected >= size) return false // later leaves are not covered by this checkpoint
    let line = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1) // CRLF
    if (isBlank(line)) return true
    const leaf = readFast(line) ?? readParsed(line)
    if (typeof leaf === 'string') {
      fail({ leafIndex: expected, problem: 'malformed', detail: `the line after leaf ${expected - 1}: ${leaf}` })
      broken = true
      return true
    }
    if (leaf.leafIndex < expected) {
      fail({
        leafIndex: leaf.leafIndex,
        problem: 'reordered',
        eventId: eventIdOf(leaf.event) ?? eventIdInLine(line),
        detail: `leaf ${leaf.leafIndex} appears again after leaf ${expected - 1}: lines are out of order or duplicated`
      })
      broken = true
      return true
    }
    if (leaf.leafIndex > expected) {
      const gap = leaf.leafIndex - expected
      const after = lastEventId()
      fail({
        leafIndex: expected,
        problem: 'missing',
        detail: `${gap === 1 ? `leaf ${expected} is` : `leaves ${expected}–${leaf.leafIndex - 1} are`} not in the export` +
          (after ? ` (after event ${after})` : '')
      })
      broken = true
      expected = Math.min(leaf.leafIndex, size)
      if (expected >= size) return false
    }

    // Check the event against its leaf hash; the tree is built from the leaf hashes.
    if (leaf.hashAt >= 0) {
      // The usual case, checked in readFast: the tree takes the hash from the line's base64.
      noteTime(line)
      lastLine = line
      tree.pushBase64(line, leaf.hashAt)
    } else {
      tree.push(checkEvent(leaf, line))
    }
    expected++
    checkPrefix()
    if (options.onProgress && expected % progressEvery === 0) options.onProgress({ leaves: expected, treeSize: size })
    return true
  }
  const input = options.exportLines
  if (Symbol.asyncIterator in input) {
    for await (const raw of input) if (!step(raw)) break
  } else {
    for (const raw of input) if (!step(raw)) break
  }

  if (expected < size) {
    const last = lastEventId()
    fail({
      leafIndex: expected,
      problem: 'missing',
      detail: `the export ends after ${expected} leaves; the checkpoint has ${size}` +
      (last ? ` (the last event present is ${last})` : '')
    })
    broken = true
  }
  if (previous && previous.size === 0) checkPrefix()
  classify(mismatches, fail)

  let rootHash: string | null = null
  if (!broken) {
    const root = tree.root()
    rootHash = root.toString('base64')
    if (!root.equals(checkpoint.rootHash)) {
      fail({
        leafIndex: null,
        problem: 'root-mismatch',
        detail: 'the leaf hashes of the export do not give the signed root: leaves were changed, removed or reordered together with their hashes' +
          (timeHint ? `; the first sign of reordering: ${timeHint}` : '')
      })
    }
  }
  options.onProgress?.({ leaves: expected, treeSize: size })
  return result({ origin: checkpoint.origin, treeSize: size, rootHash, leavesChecked: expected, purgedLeaves: purged, previousTreeSize: previous?.size ?? null })
}

/** Names each mismatch by where its event does belong in the committed leaf hashes. */
function classify (mismatches: Mismatch[], fail: (e: VerifyError) => void): void {
  const byStated = new Map<string, Mismatch>()
  for (const m of mismatches) byStated.set(m.statedHash.toString('base64'), m)
  let shiftedUntil = -1
  const skip = new Set<number>() // the other half of a swap already named
  for (const m of mismatches) {
    if (m.index <= shiftedUntil || skip.has(m.index)) continue
    const home = byStated.get(m.eventHash.toString('base64'))
    if (home && home.eventHash.equals(m.statedHash)) {
      fail({
        leafIndex: m.index,
        problem: 'reordered',
        eventId: m.eventId,
        detail: `leaves ${m.index} and ${home.index} were swapped: leaf ${m.index} holds event ${m.eventId ?? '?'}, which the log committed to at leaf ${home.index}`
      })
      shiftedUntil = Math.max(shiftedUntil, m.index)
      skip.add(home.index)
    } else if (home && home.index === m.index + 1) {
      // Event i+1 sits at i, event i+2 at i+1, ...: the event at i was removed and the rest moved up.
      let end = m.index
      for (let next = byStated.get(m.eventHash.toString('base64')); next && next.index === end + 1;) {
        end = next.index
        next = byStated.get(next.eventHash.toString('base64'))
      }
      shiftedUntil = end
      fail({
        leafIndex: m.index,
        problem: 'missing',
        eventId: m.eventId,
        detail: `the event signed at leaf ${m.index} is missing: event ${m.eventId ?? '?'} of leaf ${m.index + 1} and the ones after it moved up one place`
      })
    } else if (home) {
      fail({
        leafIndex: m.index,
        problem: 'reordered',
        eventId: m.eventId,
        detail: `leaf ${m.index} holds event ${m.eventId ?? '?'}, which the log committed to at leaf ${home.index}`
      })
    } else {
      fail({
        leafIndex: m.index,
        problem: 'altered',
        eventId: m.eventId,
        detail: `event ${m.eventId ?? '?'} at leaf ${m.index} does not match the leaf hash the log committed to: its content was changed`
      })
    }
  }
}
