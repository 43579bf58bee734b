// Signed checkpoints (C2SP tlog-checkpoint, Ed25519). "A log MUST NOT sign any checkpoint which is
// inconsistent with any checkpoint it previously signed": before signing, the new root is
// recomputed from the stored nodes and a consistency proof from the previous checkpoint is
// built from those nodes and verified; on any mismatch nothing is signed. Checkpoints are made
// one at a time (transaction-scoped advisory lock), stored, and published to the checkpoints
// topic through the outbox in the same transaction, so a stored checkpoint is always published.
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { appendToOutbox, inTransaction, type Pool, type PoolClient } from '@wams/platform'
import { consistencyProof, rootAt, verifyConsistency } from '@wams/transparency-log'
import { signCheckpoint } from '@wams/transparency-log'
import { PgNodeStore } from './pg-node-store.ts'
import type { SigningKey } from './signing-key.ts'
import { CheckpointRefusedError } from './errors.ts'

const CHECKPOINT_LOCK = 7_246_782

export interface StoredCheckpoint {
  treeSize: number
  rootHash: Buffer
  signedNote: string
  signedAt: Date
}

interface CheckpointRow { tree_size: string, root_hash: Buffer, signed_note: string, signed_at: Date }

const fromRow = (r: CheckpointRow): StoredCheckpoint =>
  ({ treeSize: Number(r.tree_size), rootHash: r.root_hash, signedNote: r.signed_note, signedAt: r.signed_at })

export async function latestCheckpoint (db: Pool | PoolClient): Promise<StoredCheckpoint | null> {
  const { rows } = await db.query<CheckpointRow>('SELECT tree_size, root_hash, signed_note, signed_at FROM checkpoints ORDER BY tree_size DESC LIMIT 1')
  return rows[0] ? fromRow(rows[0]) : null
}

export class Checkpointer {
  constructor (private readonly opts: { pool: Pool, key: SigningKey, origin: string, logger: Logger, now: () => Date }) {}

  /** Signs a checkpoint of the current tree head, unless the latest checkpoint already has its size. */
  async checkpoint (): Promise<{ checkpoint: StoredCheckpoint, created: boolean }> {
    return inTransaction(this.opts.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [CHECKPOINT_LOCK])
      const previous = await latestCheckpoint(client)
      const head = (await client.query<{ size: string, root_hash: Buffer }>('SELECT size, root_hash FROM tree_head WHERE id = 1')).rows[0]!
      const size = Number(head.size)
      if (previous && previous.treeSize === size) return { checkpoint: previous, created: false }

      const refuse = (why: string): never => {
        this.opts.logger.error({ previousSize: previous?.treeSize ?? null, size }, `audit: refusing to sign a checkpoint: ${why}`)
        throw new CheckpointRefusedError(`refusing to sign a checkpoint: ${why}`)
      }
      if (previous && previous.treeSize > size) refuse('the tree is smaller than the latest checkpoint')
      const nodes = new PgNodeStore(client)
      const root = await rootAt(nodes, size)
      if (!root.equals(head.root_hash)) refuse('the stored nodes do not give the tree head\'s root')
      if (previous) {
        const proof = await consistencyProof(nodes, previous.treeSize, size)
        if (!verifyConsistency(previous.treeSize, size, proof, previous.rootHash, root)) {
          refuse('the tree is not consistent with the previous checkpoint')
        }
      }

      const signedNote = signCheckpoint({ origin: this.opts.origin, size, rootHash: root }, this.opts.key)
      const signedAt = this.opts.now()
      await client.query('INSERT INTO checkpoints (tree_size, root_hash, signed_note, key_name, signed_at) VALUES ($1, $2, $3, $4, $5)',
        [size, root, signedNote, this.opts.key.name, signedAt])
      await appendToOutbox(client, [{
        topic: 'checkpoints',
        key: this.opts.origin,
        eventId: randomUUID(),
        payload: { origin: this.opts.origin, treeSize: size, rootHash: root.toString('base64'), signedNote, signedAt: signedAt.toISOString() }
      }])
      return { checkpoint: { treeSize: size, rootHash: root, signedNote, signedAt }, created: true }
    })
  }
}
