// Witness cosignatures of the log's checkpoints: a cosignature is stored only when it is by a key of
// WITNESS_KEYS and verifies over the stored checkpoint (C2SP tlog-cosignature), and served as extra
// signature lines of the checkpoint's signed note (C2SP signed-note allows many), so a client that
// trusts some witnesses checks them with the same note, and one that trusts none ignores them.
import type { Pool, PoolClient } from '@wams/platform'
import {
  SignedNoteError, addSignatureLines, describeCosigner, parseCheckpoint, parseCosignature, verifyCosignature, type CosignerKey
} from '@wams/transparency-log'
import { AuditCheckpointNotFoundError, AuditCosignatureInvalidError, AuditWitnessUnknownError } from './errors.ts'
import type { StoredCheckpoint } from './checkpointer.ts'

/** A cosignature stamped further ahead of the log's clock than this is refused (seconds). */
const MAX_CLOCK_SKEW_S = 300

export interface StoredCosignature {
  treeSize: number
  /** `<name>+<hex key ID>` of the witness key. */
  witness: string
  timestamp: number
  /** False when the witness had already given this checkpoint a cosignature as new or newer. */
  stored: boolean
  /** The checkpoint's note with all its cosignatures. */
  signedNote: string
}

/** The cosignature lines of a checkpoint, oldest witness first. */
export async function cosignatureLines (db: Pool | PoolClient, treeSize: number): Promise<string[]> {
  const { rows } = await db.query<{ line: string }>(
    'SELECT line FROM checkpoint_cosignatures WHERE tree_size = $1 ORDER BY received_at, witness_name', [treeSize])
  return rows.map((r) => r.line)
}

/** The checkpoint's signed note with its cosignature lines appended. */
export async function cosignedNote (db: Pool | PoolClient, checkpoint: Pick<StoredCheckpoint, 'treeSize' | 'signedNote'>): Promise<string> {
  return addSignatureLines(checkpoint.signedNote, await cosignatureLines(db, checkpoint.treeSize))
}

/** Verifies one cosignature line against the checkpoint of `treeSize` and the witness keys, and keeps it. */
export async function storeCosignature (
  pool: Pool,
  input: { treeSize: number, line: string, witnessKeys: readonly CosignerKey[], now: Date }
): Promise<StoredCosignature> {
  const { rows } = await pool.query<{ signed_note: string }>('SELECT signed_note FROM checkpoints WHERE tree_size = $1', [input.treeSize])
  if (rows[0] === undefined) throw new AuditCheckpointNotFoundError()
  let cosignature
  try {
    cosignature = parseCosignature(input.line)
  } catch (err) {
    if (err instanceof SignedNoteError) throw new AuditCosignatureInvalidError(err.message)
    throw err
  }
  const key = input.witnessKeys.find((k) => k.name === cosignature.name && k.keyId.equals(cosignature.keyId))
  if (key === undefined) throw new AuditWitnessUnknownError()
  const body = parseCheckpoint(rows[0].signed_note).text
  if (!verifyCosignature(body, cosignature, key)) {
    throw new AuditCosignatureInvalidError(`the cosignature by ${describeCosigner(key)} does not verify over the checkpoint of ${input.treeSize} leaves`)
  }
  const timestamp = Number(cosignature.timestamp)
  if (timestamp > Math.floor(input.now.getTime() / 1000) + MAX_CLOCK_SKEW_S) {
    throw new AuditCosignatureInvalidError('the cosignature is stamped in the future')
  }
  const line = input.line.endsWith('\n') ? input.line.slice(0, -1) : input.line
  const stored = await pool.query(
    `INSERT INTO checkpoint_cosignatures (tree_size, witness_name, key_id, cosigned_at, line) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (tree_size, witness_name, key_id) DO UPDATE SET cosigned_at = excluded.cosigned_at, line = excluded.line, received_at = now()
     WHERE checkpoint_cosignatures.cosigned_at < excluded.cosigned_at`,
    [input.treeSize, key.name, key.keyId, timestamp, line])
  return {
    treeSize: input.treeSize,
    witness: describeCosigner(key),
    timestamp,
    stored: (stored.rowCount ?? 0) > 0,
    signedNote: await cosignedNote(pool, { treeSize: input.treeSize, signedNote: rows[0].signed_note })
  }
}
