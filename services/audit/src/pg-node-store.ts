// The Merkle tree's perfect-subtree hashes in PostgreSQL (table merkle_nodes). A proof needs
// O(log n) nodes; they are read in ONE query (two parallel arrays, unnest WITH ORDINALITY),
// so a proof costs one round trip whatever the tree size.
import type { Pool, PoolClient } from '@wams/platform'
import type { NodeId, NodeReader, StoredNode } from '@wams/transparency-log'
import { MerkleNodeMissingError } from './errors.ts'
import { byteaArray, int2Array, int8Array } from './pg-binary-array.ts'

export class PgNodeStore implements NodeReader {
  constructor (private readonly db: Pool | PoolClient) {}

  async getNodes (ids: NodeId[]): Promise<Buffer[]> {
    if (ids.length === 0) return []
    const { rows } = await this.db.query<{ hash: Buffer | null }>({
      name: 'audit-get-nodes',
      text: `SELECT n.hash FROM unnest($1::smallint[], $2::bigint[]) WITH ORDINALITY AS q(level, idx, ord)
             LEFT JOIN merkle_nodes n ON n.level = q.level AND n.idx = q.idx ORDER BY q.ord`,
      values: [ids.map((id) => id.level), ids.map((id) => id.index)]
    })
    return rows.map((row, i) => {
      if (row.hash === null) throw new MerkleNodeMissingError(ids[i]!.level, ids[i]!.index)
      return row.hash
    })
  }
}

/** Writes new nodes in one statement; a node that exists already is an error (the tree is append-only). */
export async function putNodes (client: PoolClient, nodes: StoredNode[]): Promise<void> {
  if (nodes.length === 0) return
  await client.query({
    name: 'audit-put-nodes',
    text: 'INSERT INTO merkle_nodes (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])',
    values: [int2Array(nodes.map((n) => n.level)), int8Array(nodes.map((n) => n.index)), byteaArray(nodes.map((n) => n.hash))]
  })
}
