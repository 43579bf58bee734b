// A witness (C2SP tlog-witness): it cosigns a log's checkpoint only when the checkpoint is signed
// by the log's key and is consistent with the checkpoint it cosigned last for that log, so that a
// log cannot show one history to some and another to others without a witness noticing. Per log
// it remembers the size and root it cosigned last (state-file.ts) and refuses a smaller tree
// (rollback), the same size with another root (split view) and a tree whose consistency proof
// from the remembered one does not verify. The state is updated, durably, before the cosignature
// is returned (tlog-witness: "MUST persist the new checkpoint before responding"); cosign is
// synchronous, check and update together, so two calls cannot interleave (the race the spec
// describes), and the lock file keeps a second process off the same state.
import { appendFileSync } from 'node:fs'
import { createPublicKey } from 'node:crypto'
import { hashesEqual, verifyConsistency } from '../merkle/index.ts'
import { SignedNoteError, parseCheckpoint, parseVerifierKey, verifyCheckpoint, type ParsedCheckpoint } from '../signed-note.ts'
import { strictBase64 } from './base64.ts'
import { signCosignature } from './cosignature.ts'
import { cosignerVerifierKey, type Cosigner } from './cosigner-key.ts'
import { MISBEHAVIOUR, WitnessRefusal } from './refusal.ts'
import { lockState, readState, writeState, type WitnessState } from './state-file.ts'

/** A log the witness cosigns for: its checkpoints' origin line and its C2SP verifier key. */
export interface WitnessLog {
  origin: string
  verifierKey: string
}

export interface WitnessOptions {
  cosigner: Cosigner
  logs: WitnessLog[]
  /** The JSON state file (created when missing). Refusals that show misbehaviour go to `<stateFile>.evidence.jsonl`. */
  stateFile: string
  /** Milliseconds since the epoch (tests pin it). */
  now?: () => number
}

/** "The client MUST NOT send more than 63 consistency proof lines." */
const MAX_PROOF = 63

export class Witness {
  private state: WitnessState
  private readonly logs: Map<string, WitnessLog>
  private readonly now: () => number
  private release: (() => void) | null

  private constructor (private readonly options: WitnessOptions) {
    for (const log of options.logs) parseVerifierKey(log.verifierKey) // a log key that cannot be read stops the start
    this.logs = new Map(options.logs.map((l) => [l.origin, l]))
    this.now = options.now ?? Date.now
    this.release = lockState(options.stateFile)
    try {
      this.state = readState(options.stateFile)
    } catch (err) {
      this.release()
      throw err
    }
  }

  /** Opens the witness on its state file (taking its lock). */
  static open (options: WitnessOptions): Witness {
    return new Witness(options)
  }

  /** The witness's verifier key, `<name>+<key ID>+<base64(0x04 ‖ key)>`, for the clients that count its cosignatures. */
  get verifierKey (): string {
    return cosignerVerifierKey(this.options.cosigner.name, createPublicKey(this.options.cosigner.privateKey))
  }

  get name (): string {
    return this.options.cosigner.name
  }

  /** The checkpoint cosigned last for a log, if any. */
  stateOf (origin: string): { treeSize: number, rootHash: Buffer, cosignedAt: number } | undefined {
    const s = this.state.logs[origin]
    return s && { treeSize: s.treeSize, rootHash: Buffer.from(s.rootHash, 'base64'), cosignedAt: s.cosignedAt }
  }

  /**
   * Cosigns a checkpoint note given the consistency proof (hashes, raw or base64) from the
   * checkpoint this witness cosigned last for its log (empty for the first one, or for the same
   * checkpoint again). `oldSize`, when given, is the size the caller believes that was
   * (tlog-witness's "old" line): another size is refused with the witness's own. Returns the
   * cosignature line (without its newline); throws WitnessRefusal.
   */
  cosign (note: string, proof: ReadonlyArray<Uint8Array | string>, options: { oldSize?: number } = {}): string {
    const checkpoint = this.verified(note)
    const { origin, size, rootHash } = checkpoint
    const hashes = proofHashes(proof, origin, size)
    const last = this.stateOf(origin)
    const witnessSize = last?.treeSize ?? 0
    const refuse = (reason: ConstructorParameters<typeof WitnessRefusal>[0], message: string): never => {
      const refusal = new WitnessRefusal(reason, message, { origin, size, witnessSize })
      if (MISBEHAVIOUR.has(reason)) this.keepEvidence(refusal, note, hashes)
      throw refusal
    }
    if (options.oldSize !== undefined && options.oldSize !== witnessSize) {
      refuse('old-size-mismatch', `the witness cosigned ${witnessSize} leaves of "${origin}" last, not ${options.oldSize}`)
    }
    if (last === undefined) {
      if (hashes.length > 0) refuse('inconsistent', `the first checkpoint of "${origin}" needs no consistency proof; got ${hashes.length} hashes`)
    } else if (size < last.treeSize) {
      refuse('rollback', `rollback: "${origin}" at ${size} leaves, but the witness cosigned ${last.treeSize} leaves`)
    } else if (size === last.treeSize && !hashesEqual(rootHash, last.rootHash)) {
      refuse('split-view', `split view: "${origin}" at ${size} leaves with root ${rootHash.toString('base64')}, but the witness cosigned root ${last.rootHash.toString('base64')} at that size`)
    } else if (!verifyConsistency(last.treeSize, size, hashes, last.rootHash, rootHash)) {
      refuse('inconsistent', `inconsistent: the proof does not show that "${origin}" at ${size} leaves extends the ${last.treeSize} leaves the witness cosigned`)
    }

    const time = Math.floor(this.now() / 1000)
    const line = signCosignature(checkpoint.text, this.options.cosigner, time)
    const next: WitnessState = {
      version: 1,
      logs: { ...this.state.logs, [origin]: { treeSize: size, rootHash: rootHash.toString('base64'), cosignedAt: time } }
    }
    writeState(this.options.stateFile, next) // durable before the cosignature leaves
    this.state = next
    return line
  }

  /** Releases the state file's lock. */
  close (): void {
    this.release?.()
    this.release = null
  }

  private verified (note: string): ParsedCheckpoint {
    let checkpoint: ParsedCheckpoint
    try {
      checkpoint = parseCheckpoint(note)
    } catch (err) {
      throw new WitnessRefusal('malformed', `not a checkpoint: ${(err as Error).message}`)
    }
    const log = this.logs.get(checkpoint.origin)
    if (log === undefined) {
      throw new WitnessRefusal('unknown-origin', `the witness does not know the log "${checkpoint.origin}"`, { origin: checkpoint.origin, size: checkpoint.size })
    }
    try {
      verifyCheckpoint(note, log.verifierKey, { origin: log.origin })
    } catch (err) {
      if (!(err instanceof SignedNoteError)) throw err
      throw new WitnessRefusal('bad-signature', `not signed by the log's key: ${err.message}`, { origin: checkpoint.origin, size: checkpoint.size })
    }
    return checkpoint
  }

  /** tlog-witness: the witness MAY log a request that fails, "as it might be proof of log misbehavior". */
  private keepEvidence (refusal: WitnessRefusal, note: string, proof: Buffer[]): void {
    const record = {
      time: new Date(this.now()).toISOString(),
      reason: refusal.reason,
      message: refusal.message,
      ...refusal.detail,
      witnessRootHash: this.state.logs[refusal.detail.origin ?? '']?.rootHash ?? null,
      note,
      proof: proof.map((h) => h.toString('base64'))
    }
    try {
      appendFileSync(`${this.options.stateFile}.evidence.jsonl`, `${JSON.stringify(record)}\n`, { mode: 0o600 })
    } catch {
      // The refusal stands and is reported by the caller; the evidence file is a bonus.
    }
  }
}

function proofHashes (proof: ReadonlyArray<Uint8Array | string>, origin: string, size: number): Buffer[] {
  if (proof.length > MAX_PROOF) throw new WitnessRefusal('malformed', `a consistency proof has at most ${MAX_PROOF} hashes`, { origin, size })
  return proof.map((h) => {
    const bytes = typeof h === 'string' ? strictBase64(h) : Buffer.from(h)
    if (bytes === undefined || bytes.length !== 32) throw new WitnessRefusal('malformed', 'a consistency proof line is not a base64 SHA-256 hash', { origin, size })
    return bytes
  })
}
