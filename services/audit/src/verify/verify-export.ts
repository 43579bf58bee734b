// The offline verifier (`wams verify`): given an export (JSONL, one line per leaf, from
// GET /v1/audit/export), a signed checkpoint and the log's verifier key, it proves that no event
// was altered, removed or reordered, and names the first one that was.
//
// Two independent checks, both required:
//  1. the leaf hashes of the export, in leaf order, rebuild the root the checkpoint signs
//     (RFC 6962; the tree is rebuilt in O(log n) memory from its compact range), and the root of
//     their prefix equals the root of an earlier checkpoint (consistency: nothing was rewritten
//     since);
//  2. every event that is present hashes to its leaf hash (SHA-256(0x00 ‖ RFC 8785 JSON)).
// Events whose content was purged (retention) are present as `event: null` and are checked by
// their leaf hash only. A mismatch is classified by where its event's hash does belong: at another
// leaf's place (reordered), at the next leaf's place (the leaf before it was removed), or nowhere
// (altered). A gap or a step back in leafIndex is a removal or a reordering of lines.
import { canonicalEventJson, appendToRange, emptyRoot, foldPerfectSubtrees, leafHash, type StoredNode } from '../merkle/index.ts'
import { verifyCheckpoint, type Checkpoint } from '../checkpoint/signed-note.ts'

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
  exportLines: AsyncIterable<string> | Iterable<string>
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

const HEAD = '{"leafIndex":'
const HASH_KEY = '"leafHash":"'
const EVENT_KEY = ',"event":'
const B64_HASH = 44
/** A leaf whose event id (UUIDv7) is this much older than an earlier leaf's hints at a reordering. */
const TIME_STEP_BACK_MS = 5 * 60 * 1000
const FLUSH = 1024

interface Leaf {
  leafIndex: number
  statedHash: Buffer | null
  /** The event's JSON text as it stands in the line (fast path), else null. */
  eventText: string | null
  /** The parsed event (null: purged); undefined when only its text was read. */
  event: unknown
  parsed: boolean
}

/** Reads one export line; the fast path takes our own exporter's layout without a JSON parse. */
function readLine (line: string): Leaf | string {
  if (line.startsWith(HEAD)) {
    const comma = line.indexOf(',', HEAD.length)
    const idx = line.slice(HEAD.length, comma)
    const hashAt = comma + 1 + HASH_KEY.length
    const eventAt = hashAt + B64_HASH + 1 + EVENT_KEY.length
    if (comma > 0 && /^(0|[1-9][0-9]*)$/.test(idx) && line.startsWith(HASH_KEY, comma + 1) && line[hashAt + B64_HASH] === '"' &&
        line.startsWith(EVENT_KEY, hashAt + B64_HASH + 1) && line.endsWith('}')) {
      const eventText = line.slice(eventAt, -1)
      const statedHash = Buffer.from(line.slice(hashAt, hashAt + B64_HASH), 'base64')
      if (statedHash.length === 32 && (eventText === 'null' || eventText.startsWith('{'))) {
        return { leafIndex: Number(idx), statedHash, eventText: eventText === 'null' ? null : eventText, event: eventText === 'null' ? null : undefined, parsed: false }
      }
    }
  }
  let record: { leafIndex?: unknown, leafHash?: unknown, event?: unknown }
  try {
    record = JSON.parse(line) as typeof record
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
  return { leafIndex: record.leafIndex as number, statedHash, eventText: null, event, parsed: true }
}

function eventIdOf (event: unknown): string | undefined {
  const id = (event as { eventId?: unknown } | null)?.eventId
  return typeof id === 'string' ? id : undefined
}

/** Milliseconds of a UUIDv7 (its first 48 bits); null for anything else. */
function uuidv7Time (id: string | undefined): number | null {
  if (!id || id[14] !== '7') return null
  const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16)
  return Number.isFinite(ms) ? ms : null
}

/** The event id inside canonical event text, without parsing it. */
function eventIdInText (text: string): string | undefined {
  const at = text.indexOf('"eventId":"')
  return at < 0 ? undefined : text.slice(at + 11, at + 47)
}

export async function verifyExport (options: VerifyOptions): Promise<VerifyResult> {
  const maxErrors = options.maxErrors ?? 100
  const progressEvery = options.progressEvery ?? 100_000
  const errors: VerifyError[] = []
  let errorCount = 0
  const fail = (e: VerifyError) => { errorCount++; if (errors.length < maxErrors) errors.push(e) }
  const result = (extra: Partial<VerifyResult>): VerifyResult => ({
    ok: errorCount === 0, origin: null, treeSize: 0, rootHash: null, leavesChecked: 0, purgedLeaves: 0, previousTreeSize: null,
    ...extra, errors: [...errors].sort((a, b) => (a.leafIndex ?? Infinity) - (b.leafIndex ?? Infinity)), errorCount
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

  let range: StoredNode[] = []
  let built = 0 // leaves in `range`
  let pending: Buffer[] = []
  const flush = () => {
    if (pending.length === 0) return
    range = appendToRange(range, built, pending).range
    built += pending.length
    pending = []
  }
  const checkPrefix = (at: number) => {
    if (!previous || previous.size !== at || previous.size === 0 || broken) return
    flush()
    if (!foldPerfectSubtrees(range.map((n) => n.hash)).equals(previous.rootHash)) {
      fail({ leafIndex: null, problem: 'inconsistent', detail: `the first ${at} leaves do not give the root of the previous checkpoint: leaves before it were changed` })
    }
  }

  let expected = 0 // the next leaf index
  let broken = false // a leaf hash is unknown: the root cannot be rebuilt
  let purged = 0
  let lastEventId: string | undefined
  let newestMs = 0
  let timeHint: string | null = null
  const mismatches: Mismatch[] = []
  const MAX_MISMATCHES = 100_000

  for await (const raw of options.exportLines) {
    if (expected >= size) break // later leaves are not covered by this checkpoint
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.trim() === '') continue
    const leaf = readLine(line)
    if (typeof leaf === 'string') {
      fail({ leafIndex: expected, problem: 'malformed', detail: `the line after leaf ${expected - 1}: ${leaf}` })
      broken = true
      continue
    }
    if (leaf.leafIndex < expected) {
      fail({ leafIndex: leaf.leafIndex, problem: 'reordered', eventId: eventIdOf(leaf.event) ?? (leaf.eventText ? eventIdInText(leaf.eventText) : undefined),
        detail: `leaf ${leaf.leafIndex} appears again after leaf ${expected - 1}: lines are out of order or duplicated` })
      broken = true
      continue
    }
    if (leaf.leafIndex > expected) {
      const gap = leaf.leafIndex - expected
      fail({ leafIndex: expected, problem: 'missing',
        detail: `${gap === 1 ? `leaf ${expected} is` : `leaves ${expected}–${leaf.leafIndex - 1} are`} not in the export` +
          (lastEventId ? ` (after event ${lastEventId})` : '') })
      broken = true
      expected = Math.min(leaf.leafIndex, size)
      if (expected >= size) break
    }

    // Check the event against its leaf hash; the tree is built from the leaf hashes.
    let hash = leaf.statedHash
    let eventId: string | undefined
    if (leaf.eventText !== null || leaf.event !== null) {
      let eventHash = leaf.eventText !== null ? leafHash(Buffer.from(leaf.eventText, 'utf8')) : null
      if (eventHash === null || (hash !== null && !eventHash.equals(hash))) {
        // Not our exporter's canonical text: hash the RFC 8785 form of the parsed event.
        let event = leaf.event
        try {
          if (!leaf.parsed) event = (JSON.parse(line) as { event: unknown }).event
          eventHash = leafHash(Buffer.from(canonicalEventJson(event as object), 'utf8'))
        } catch {
          fail({ leafIndex: expected, problem: 'malformed', detail: `leaf ${expected}: the event is not valid JSON` })
          eventHash = Buffer.alloc(32) // matches nothing: the leaf is also reported as altered
        }
        eventId = eventIdOf(event)
      } else {
        eventId = leaf.eventText !== null ? eventIdInText(leaf.eventText) : eventIdOf(leaf.event)
      }
      if (hash === null) hash = eventHash
      else if (!eventHash.equals(hash) && mismatches.length < MAX_MISMATCHES) {
        mismatches.push({ index: expected, eventHash, statedHash: hash, eventId })
      }
      const ms = uuidv7Time(eventId)
      if (ms !== null) {
        if (timeHint === null && ms < newestMs - TIME_STEP_BACK_MS) {
          timeHint = `leaf ${expected} (event ${eventId}) was created more than 5 minutes before an earlier leaf`
        }
        newestMs = Math.max(newestMs, ms)
      }
      lastEventId = eventId
    } else {
      purged++
    }
    pending.push(hash!)
    if (pending.length >= FLUSH) flush()
    expected++
    checkPrefix(expected)
    if (options.onProgress && expected % progressEvery === 0) options.onProgress({ leaves: expected, treeSize: size })
  }

  if (expected < size) {
    fail({ leafIndex: expected, problem: 'missing', detail: `the export ends after ${expected} leaves; the checkpoint has ${size}` +
      (lastEventId ? ` (the last event present is ${lastEventId})` : '') })
    broken = true
  }
  if (previous && previous.size === 0) checkPrefix(0)
  classify(mismatches, fail)

  let rootHash: string | null = null
  if (!broken) {
    flush()
    const root = foldPerfectSubtrees(range.map((n) => n.hash))
    rootHash = root.toString('base64')
    if (!root.equals(checkpoint.rootHash)) {
      fail({ leafIndex: null, problem: 'root-mismatch',
        detail: 'the leaf hashes of the export do not give the signed root: leaves were changed, removed or reordered together with their hashes' +
          (timeHint ? `; the first sign of reordering: ${timeHint}` : '') })
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
      fail({ leafIndex: m.index, problem: 'reordered', eventId: m.eventId,
        detail: `leaves ${m.index} and ${home.index} were swapped: leaf ${m.index} holds event ${m.eventId ?? '?'}, which the log committed to at leaf ${home.index}` })
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
      fail({ leafIndex: m.index, problem: 'missing', eventId: m.eventId,
        detail: `the event signed at leaf ${m.index} is missing: event ${m.eventId ?? '?'} of leaf ${m.index + 1} and the ones after it moved up one place` })
    } else if (home) {
      fail({ leafIndex: m.index, problem: 'reordered', eventId: m.eventId,
        detail: `leaf ${m.index} holds event ${m.eventId ?? '?'}, which the log committed to at leaf ${home.index}` })
    } else {
      fail({ leafIndex: m.index, problem: 'altered', eventId: m.eventId,
        detail: `event ${m.eventId ?? '?'} at leaf ${m.index} does not match the leaf hash the log committed to: its content was changed` })
    }
  }
}
