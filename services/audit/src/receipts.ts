// Inclusion receipts: how a producer learns that the log holds its events (SPEC §7, evidence end
// to end). For each event id asked about, the answer is a leaf index and an inclusion proof under
// the latest signed checkpoint, or "pending" (stored, not yet under a checkpoint), or "unknown"
// (never stored: the producer sends it again). The producer recomputes the leaf hash from its own
// copy of the event and checks proof and signature itself, so it trusts nothing it is told.
import type { InclusionReceipts } from '@wams/schemas'
import type { Pool } from '@wams/platform'
import { inclusionProofs } from '@wams/transparency-log'
import { latestCheckpoint } from './checkpointer.ts'
import { PgNodeStore } from './pg-node-store.ts'

export async function inclusionReceipts (pool: Pool, eventIds: readonly string[]): Promise<InclusionReceipts> {
  const ids = [...new Set(eventIds.map((id) => id.toLowerCase()))]
  // The checkpoint first: an event sequenced after it is reported pending, never proven against a
  // tree that does not hold it.
  const checkpoint = await latestCheckpoint(pool)
  const { rows } = await pool.query<{ event_id: string, leaf_index: string | null }>({
    name: 'audit-receipt-lookup',
    text: 'SELECT event_id::text, leaf_index FROM audit_events WHERE event_id = ANY($1::uuid[])',
    values: [ids]
  })
  const found = new Map(rows.map((r) => [r.event_id, r.leaf_index === null ? null : Number(r.leaf_index)]))
  const size = checkpoint?.treeSize ?? 0
  const included: Array<{ eventId: string, leafIndex: number }> = []
  const pending: string[] = []
  const unknown: string[] = []
  for (const id of ids) {
    if (!found.has(id)) unknown.push(id)
    else {
      const leafIndex = found.get(id)!
      if (leafIndex === null || leafIndex >= size) pending.push(id)
      else included.push({ eventId: id, leafIndex })
    }
  }
  const proofs = included.length > 0 ? await inclusionProofs(new PgNodeStore(pool), included.map((i) => i.leafIndex), size) : []
  return {
    checkpoint: checkpoint === null
      ? null
      : { treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash.toString('base64'), signedNote: checkpoint.signedNote },
    receipts: included.map((i, n) => ({ ...i, inclusionProof: proofs[n]!.map((h) => h.toString('base64')) })),
    pending,
    unknown
  }
}
