// The hash chain of a case's ledger. Each event's content is hashed as RFC 8785 canonical JSON,
// and each event's chain hash covers the previous one, so changing, removing or reordering any
// event breaks every hash after it. A purged event keeps its content hash: the chain still
// verifies without the personal data. The ledger service writes with these functions and the
// CLI (`npx wams verify-case`) checks with them, so both agree byte for byte.
import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'

/** prev_hash of the first event of every chain. */
export const GENESIS_HASH = '0'.repeat(64)

/** RFC 8785 (JCS) canonical JSON; refuses values JSON cannot carry (NaN, lone surrogates, undefined). */
export function canonicalJson (value: unknown): string {
  const text = canonicalize(value)
  if (text === undefined) throw new TypeError('value has no JSON representation')
  return text
}

function sha256Hex (text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

/** SHA-256 (hex) of the canonical JSON of an event's content. */
export function contentHash (content: unknown): string {
  return sha256Hex(canonicalJson(content))
}

/** SHA-256 (hex) of the ASCII concatenation prev_hash ‖ content_hash (both lowercase hex). */
export function chainHash (prevHash: string, contentHashHex: string): string {
  return sha256Hex(prevHash + contentHashHex)
}

/** One event as stored and as GET /v1/cases/{caseId}/ledger returns it; content is null once purged. */
export interface ChainLink {
  seq: number
  content: unknown
  contentHash: string
  prevHash: string
  hash: string
}

export type ChainFailure =
  | 'SEQ_NOT_CONSECUTIVE' | 'PREV_HASH_MISMATCH' | 'CONTENT_SEQ_MISMATCH' | 'CONTENT_HASH_MISMATCH'
  | 'HASH_MISMATCH' | 'LENGTH_MISMATCH' | 'HEAD_MISMATCH'

export interface ChainVerification {
  valid: boolean
  /** Number of events checked. */
  length: number
  /** The first seq that does not verify (for a missing tail: the first missing seq); null when valid. */
  firstInvalidSeq: number | null
  reason: ChainFailure | null
}

export interface VerifyOptions {
  /** The number of events the chain must have (e.g. the case's version), to detect a cut-off tail. */
  expectedLength?: number
  /** The hash the last event must have (e.g. from the audit log), to detect a rewritten tail. */
  expectedHead?: string
}

/**
 * Checks a chain in seq order (1, 2, …): consecutive seqs, each prev_hash equal to the previous
 * hash (the first to GENESIS_HASH), the content hash of every unpurged event, and every chain hash.
 */
export function verifyChain (events: readonly ChainLink[], options: VerifyOptions = {}): ChainVerification {
  const fail = (seq: number, reason: ChainFailure): ChainVerification => ({ valid: false, length: events.length, firstInvalidSeq: seq, reason })
  let prev = GENESIS_HASH
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!
    const expectedSeq = i + 1
    if (e.seq !== expectedSeq) return fail(expectedSeq, 'SEQ_NOT_CONSECUTIVE')
    if (e.prevHash !== prev) return fail(e.seq, 'PREV_HASH_MISMATCH')
    if (e.content !== null && e.content !== undefined) {
      // The content names its own seq, so a row moved to another place cannot verify there.
      const named = (e.content as { seq?: unknown }).seq
      if (named !== undefined && named !== e.seq) return fail(e.seq, 'CONTENT_SEQ_MISMATCH')
      let actual: string
      try { actual = contentHash(e.content) } catch { return fail(e.seq, 'CONTENT_HASH_MISMATCH') }
      if (actual !== e.contentHash) return fail(e.seq, 'CONTENT_HASH_MISMATCH')
    }
    if (chainHash(e.prevHash, e.contentHash) !== e.hash) return fail(e.seq, 'HASH_MISMATCH')
    prev = e.hash
  }
  if (options.expectedLength !== undefined && events.length !== options.expectedLength) {
    return fail(Math.min(events.length, options.expectedLength) + 1, 'LENGTH_MISMATCH')
  }
  if (options.expectedHead !== undefined && prev !== options.expectedHead) {
    return fail(events.length, 'HEAD_MISMATCH')
  }
  return { valid: true, length: events.length, firstInvalidSeq: null, reason: null }
}
