// Appending leaves to the one Merkle tree, inside the caller's transaction. The tree_head row is
// locked first (FOR UPDATE) and the leaves go at the size read there, so any number of appenders
// (the storing instances, a sequencer) can neither fork nor skip the tree: they take turns. The
// tree's compact range is kept in memory after a commit, so an append that finds the head where
// this instance left it reads no node; any other head (another instance appended) costs one read.
// An instance's store appends only while its sequencer runs (paused otherwise): a stopped
// sequencer freezes what this instance adds to the tree, and what it stores meanwhile waits
// without a leaf index for a sequencer to append it in store order.
import type { PoolClient } from '@wams/platform'
import { appendToRange, foldPerfectSubtrees, readRange, type StoredNode } from '@wams/transparency-log'
import { PgNodeStore } from './pg-node-store.ts'

/** Notified with the new size after an append (the live stream listens). */
export const SEQUENCED_CHANNEL = 'wams_audit_sequenced'
/** Notified after events were stored without a leaf index (the sequencer listens). */
export const STORED_CHANNEL = 'wams_audit_stored'

export interface TreeHead { size: number, rootHash: Buffer }

export interface PlannedAppend {
  /** The leaf index of the first new leaf (the tree's size before). */
  size: number
  newSize: number
  rootHash: Buffer
  /** New perfect-subtree nodes, leaves included, to be written with the leaves. */
  nodes: StoredNode[]
  /** Call after the transaction committed: the next append starts from this range. */
  committed: () => void
}

export class TreeAppender {
  private cached: { size: number, rootHash: Buffer, range: StoredNode[] } | null = null
  private paused = false

  /** Whether the store appends what it stores (else it leaves the events to a sequencer). */
  get appending (): boolean { return !this.paused }
  pause (): void { this.paused = true }
  resume (): void { this.paused = false }

  /** Locks the tree head for the rest of the transaction and returns it. */
  async lockHead (client: PoolClient): Promise<TreeHead> {
    const head = (await client.query<{ size: string, root_hash: Buffer }>({
      name: 'audit-lock-tree-head',
      text: 'SELECT size, root_hash FROM tree_head WHERE id = 1 FOR UPDATE'
    })).rows[0]!
    return { size: Number(head.size), rootHash: head.root_hash }
  }

  /** The nodes and the new head for `leafHashes` appended at `head` (locked by lockHead in this transaction). */
  async plan (client: PoolClient, head: TreeHead, leafHashes: Buffer[]): Promise<PlannedAppend> {
    const c = this.cached
    const range = c !== null && c.size === head.size && c.rootHash.equals(head.rootHash) ? c.range : await readRange(new PgNodeStore(client), head.size)
    const appended = appendToRange(range, head.size, leafHashes)
    const rootHash = foldPerfectSubtrees(appended.range.map((n) => n.hash))
    return {
      size: head.size,
      newSize: appended.newSize,
      rootHash,
      nodes: appended.nodes,
      committed: () => { this.cached = { size: appended.newSize, rootHash, range: appended.range } }
    }
  }

  /** After a failed transaction: the database is the truth, read the range again next time. */
  forget (): void {
    this.cached = null
  }
}
