// Storage model of the log: the hash of every *perfect* subtree, never of the
// imperfect right edge. Perfect subtrees never change once complete, so the
// store is append-only; everything else is recomputed from O(log n) of them.
import { HASH_SIZE } from './hasher.ts'

/** Node (level, index) covers leaves [index·2^level, (index+1)·2^level); level 0 = leaves. */
export interface NodeId {
  level: number;
  index: number;
}

/** A perfect subtree hash to store. */
export interface StoredNode extends NodeId {
  hash: Buffer;
}

/** Reads stored perfect-subtree hashes. */
export interface NodeReader {
  /**
   * Returns the hashes of `ids`, in the same order, in one batched read (one
   * query for a SQL store). Rejects if any node is not stored.
   */
  getNodes(ids: NodeId[]): Promise<Buffer[]>;
}

/** Writes newly completed perfect-subtree hashes. */
export interface NodeWriter {
  putNodes(nodes: StoredNode[]): Promise<void>;
}

const INITIAL_SLOTS = 64

/**
 * In-memory store (unit tests, offline verifier). One growable buffer per level
 * holding 32-byte slots, which keeps millions of nodes cheap. Nodes of a level
 * must be written in index order, as appending produces them; rewriting a node
 * with a different hash is refused, as in the append-only database.
 */
export class MemoryNodeStore implements NodeReader, NodeWriter {
  private readonly levels: { slots: Buffer; count: number }[] = []

  async getNodes (ids: NodeId[]): Promise<Buffer[]> {
    return ids.map((id) => this.get(id))
  }

  async putNodes (nodes: StoredNode[]): Promise<void> {
    for (const node of nodes) this.put(node)
  }

  /** Number of nodes stored at `level` (at level 0: the tree size). */
  countAt (level: number): number {
    return this.levels[level]?.count ?? 0
  }

  private get ({ level, index }: NodeId): Buffer {
    const row = this.levels[level]
    if (row === undefined || !Number.isInteger(index) || index < 0 || index >= row.count) {
      throw new Error(`merkle node ${level}/${index} is not stored`)
    }
    // A copy, so a caller cannot alter the stored hash.
    return Buffer.from(row.slots.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE))
  }

  private put ({ level, index, hash }: StoredNode): void {
    if (hash.length !== HASH_SIZE) {
      throw new Error(`merkle node ${level}/${index}: hash must be ${HASH_SIZE} bytes`)
    }
    const row = this.row(level)
    if (index < row.count) {
      const stored = row.slots.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE)
      if (!stored.equals(hash)) throw new Error(`merkle node ${level}/${index} is already stored with another hash`)
      return
    }
    if (index !== row.count) {
      throw new Error(`merkle node ${level}/${index} would leave a gap after node ${row.count - 1}`)
    }
    if ((index + 1) * HASH_SIZE > row.slots.length) {
      const grown = Buffer.alloc(row.slots.length * 2)
      row.slots.copy(grown)
      row.slots = grown
    }
    hash.copy(row.slots, index * HASH_SIZE)
    row.count++
  }

  private row (level: number): { slots: Buffer; count: number } {
    if (!Number.isInteger(level) || level < 0 || level > 63) {
      throw new RangeError(`invalid merkle level ${level}`)
    }
    let row = this.levels[level]
    while (row === undefined) {
      this.levels.push({ slots: Buffer.alloc(INITIAL_SLOTS * HASH_SIZE), count: 0 })
      row = this.levels[level]
    }
    return row
  }
}

/**
 * One batched read through `reader`, checking that it answered every id with a
 * hash of the right size (a store bug must not turn into a wrong proof).
 */
export async function readNodes (reader: NodeReader, ids: NodeId[]): Promise<Buffer[]> {
  if (ids.length === 0) return []
  const hashes = await reader.getNodes(ids)
  if (hashes.length !== ids.length) {
    throw new Error(`node reader returned ${hashes.length} hashes for ${ids.length} nodes`)
  }
  hashes.forEach((hash, i) => {
    if (hash.length !== HASH_SIZE) {
      throw new Error(`node reader returned a ${hash.length}-byte hash for node ${ids[i]?.level}/${ids[i]?.index}`)
    }
  })
  return hashes
}
