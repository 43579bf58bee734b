// Appending leaves: every leaf and every parent that becomes perfect is a new
// node to store. Only the right-edge perfect subtrees of the current tree (its
// compact range, at most ⌈log2 n⌉ nodes) are needed, never older nodes.
import { HASH_SIZE, nodeHash } from './hasher.ts'
import { readNodes, type NodeReader, type StoredNode } from './node-store.ts'
import { assertTreeIndex, frontier } from './tree-shape.ts'

export interface AppendResult {
  /** New perfect-subtree hashes, in creation order (per level, by ascending index). */
  nodes: StoredNode[];
  newSize: number;
}

/**
 * Pure core of appending: given the compact range of a tree of `size` leaves
 * (its right-edge perfect subtrees, largest first) and the new leaf hashes,
 * returns the new nodes plus the compact range of the grown tree, so a caller
 * that keeps the range in memory can skip the read next time.
 */
export function appendToRange (
  range: StoredNode[],
  size: number,
  leafHashes: Buffer[]
): AppendResult & { range: StoredNode[] } {
  assertTreeIndex(size, 'tree size')
  const expected = frontier(size)
  if (range.length !== expected.length || range.some((n, i) => n.level !== expected[i]?.level || n.index !== expected[i]?.index)) {
    throw new Error(`compact range does not belong to a tree of size ${size}`)
  }
  if (leafHashes.some((hash) => hash.length !== HASH_SIZE)) {
    throw new Error(`leaf hashes must be ${HASH_SIZE} bytes`)
  }
  const stack = [...range]
  const nodes: StoredNode[] = []
  let index = size
  for (const hash of leafHashes) {
    let node: StoredNode = { level: 0, index, hash }
    nodes.push(node)
    // Two neighbours of the same level are siblings: merge them into their parent.
    for (let top = stack.at(-1); top !== undefined && top.level === node.level; top = stack.at(-1)) {
      stack.pop()
      node = { level: node.level + 1, index: top.index / 2, hash: nodeHash(top.hash, node.hash) }
      nodes.push(node)
    }
    stack.push(node)
    index++
  }
  return { nodes, newSize: index, range: stack }
}

/** Reads the compact range of a tree of `size` leaves (one batched read). */
export async function readRange (reader: NodeReader, size: number): Promise<StoredNode[]> {
  assertTreeIndex(size, 'tree size')
  const ids = frontier(size)
  const hashes = await readNodes(reader, ids)
  return ids.map((id, i) => ({ ...id, hash: hashes[i] as Buffer }))
}

/** Appends `leafHashes` to a stored tree of `size` leaves; returns the nodes to store. */
export async function appendLeaves (
  reader: NodeReader,
  size: number,
  leafHashes: Buffer[]
): Promise<AppendResult> {
  assertTreeIndex(size, 'tree size')
  if (leafHashes.length === 0) return { nodes: [], newSize: size }
  const { nodes, newSize } = appendToRange(await readRange(reader, size), size, leafHashes)
  return { nodes, newSize }
}
