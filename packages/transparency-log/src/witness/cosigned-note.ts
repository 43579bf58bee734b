// A checkpoint with its cosignatures: a signed note carries several signature lines (C2SP
// signed-note), the log's and one per witness. A client is configured with the witness keys it
// trusts and ignores every other line (tlog-cosignature § Format, tlog-witness § add-checkpoint);
// it counts the trusted witnesses whose cosignature verifies against its quorum.
import { SignedNoteError, parseNote } from '../signed-note.ts'
import { fromBlob, verifyCosignature } from './cosignature.ts'
import { describeCosigner, parseCosignerKey, type CosignerKey } from './cosigner-key.ts'

/** What one trusted witness key says about a checkpoint. */
export interface WitnessVerdict {
  /** `<name>+<hex key ID>` of the trusted key. */
  witness: string
  /** valid: a line by this key verifies; missing: no line by it; invalid: its line(s) do not verify. */
  status: 'valid' | 'missing' | 'invalid'
  /** The POSIX time of its (latest) valid cosignature. */
  timestamp?: number
  detail?: string
}

export interface CosignatureCheck {
  /** Trusted witnesses with a valid cosignature. */
  valid: number
  required: number
  ok: boolean
  witnesses: WitnessVerdict[]
}

/**
 * Checks the note's cosignatures by the trusted witness keys (verifier key strings or parsed);
 * ok when at least `required` distinct keys cosigned it. Lines by other keys are ignored.
 * `notAfter` (POSIX seconds): a cosignature stamped later than this is not counted.
 */
export function checkCosignatures (
  note: string,
  trusted: ReadonlyArray<string | CosignerKey>,
  required: number,
  options: { notAfter?: number } = {}
): CosignatureCheck {
  if (!Number.isSafeInteger(required) || required < 0) throw new SignedNoteError(`invalid number of cosignatures ${required}`)
  const parsed = parseNote(note)
  const keys = trusted.map((k) => (typeof k === 'string' ? parseCosignerKey(k) : k))
  const seen = new Set<string>()
  const witnesses: WitnessVerdict[] = []
  for (const key of keys) {
    const witness = describeCosigner(key)
    if (seen.has(witness)) continue // one key counts once
    seen.add(witness)
    const lines = parsed.signatures.filter((s) => s.name === key.name && s.keyHash.equals(key.keyId))
    if (lines.length === 0) { witnesses.push({ witness, status: 'missing' }); continue }
    let best: number | undefined
    let problem = 'the signature does not verify'
    for (const line of lines) {
      try {
        const cosignature = fromBlob(line.name, Buffer.concat([line.keyHash, line.signature]))
        if (!verifyCosignature(parsed.text, cosignature, key)) continue
        const time = Number(cosignature.timestamp)
        if (options.notAfter !== undefined && time > options.notAfter) { problem = `stamped in the future (${time})`; continue }
        best = Math.max(best ?? time, time)
      } catch (err) {
        problem = (err as Error).message
      }
    }
    witnesses.push(best === undefined ? { witness, status: 'invalid', detail: problem } : { witness, status: 'valid', timestamp: best })
  }
  const valid = witnesses.filter((w) => w.status === 'valid').length
  return { valid, required, ok: valid >= required, witnesses }
}

/**
 * The note with the given signature lines added after its own, each once (a line it already
 * carries is not repeated). The signed text is unchanged, so every earlier signature still holds.
 */
export function addSignatureLines (note: string, lines: Iterable<string>): string {
  parseNote(note) // a well-formed note only
  const present = new Set(note.slice(note.lastIndexOf('\n\n') + 2).split('\n'))
  let out = note
  for (const raw of lines) {
    const line = raw.endsWith('\n') ? raw.slice(0, -1) : raw
    if (line === '' || line.includes('\n') || present.has(line)) continue
    present.add(line)
    out += `${line}\n`
  }
  parseNote(out) // still well-formed (e.g. not past the bound on signature lines)
  return out
}
