// The root of a tree of n leaves from stored perfect subtrees. RFC 6962 splits
// a tree at the largest power of two below n, so its root is the right-to-left
// fold of the perfect subtrees covering [0, n): O(log n) reads, not n.
import { emptyRoot, nodeHash } from './hasher.ts'
import { readNodes, type NodeReader } from './node-store.ts'
import { assertTreeIndex, frontier } from './tree-shape.ts'

/**
 * Hash of a range covered by `hashes`, the perfect subtrees of its compact
 * range from left to right (largest first), as RFC 6962 nests them.
 */
export function foldPerfectSubtrees (hashes: Buffer[]): Buffer {
  let acc = hashes.at(-1)
  if (acc === undefined) return emptyRoot()
  for (let i = hashes.length - 2; i >= 0; i--) {
    acc = nodeHash(hashes[i] as Buffer, acc)
  }
  return acc
}

/** Root hash of the tree made of the first `size` leaves. */
export async function rootAt (reader: NodeReader, size: number): Promise<Buffer> {
  assertTreeIndex(size, 'tree size')
  return foldPerfectSubtrees(await readNodes(reader, frontier(size)))
}
