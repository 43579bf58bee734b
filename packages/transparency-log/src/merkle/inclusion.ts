// Inclusion proofs (RFC 9162 §2.1.3): the audit path from a leaf to the root.
import { HASH_SIZE, hashesEqual, nodeHash } from './hasher.ts'
import type { NodeReader } from './node-store.ts'
import { fetchParts, pathParts } from './proof-path.ts'
import { assertTreeIndex } from './tree-shape.ts'

/** Proof that leaf `index` is in the tree of `size` leaves; at most ⌈log2 size⌉ hashes, leaf end first. */
export async function inclusionProof (reader: NodeReader, index: number, size: number): Promise<Buffer[]> {
  assertTreeIndex(index, 'leaf index')
  assertTreeIndex(size, 'tree size')
  if (index >= size) throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`)
  return fetchParts(reader, pathParts(0, index, size))
}

/**
 * RFC 9162 §2.1.3.2: true iff `proof` shows that `leafHash` is leaf `index` of
 * the tree of `size` leaves whose root is `root`. Never throws on bad input.
 */
export function verifyInclusion (
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false
  if (leafHash.length !== HASH_SIZE || root.length !== HASH_SIZE) return false
  if (proof.some((p) => p.length !== HASH_SIZE)) return false

  // fn walks the leaf's position up the tree, sn the last leaf's position.
  let fn = index
  let sn = size - 1
  let r: Uint8Array = leafHash
  for (const p of proof) {
    if (sn === 0) return false // proof longer than the path to the root
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r)
      // Skip the levels where the node had no right sibling.
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2)
        sn = Math.floor(sn / 2)
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && hashesEqual(r, root)
}

/**
 * Inclusion proofs for several leaves of one tree with a single batched read (one query for a
 * SQL store), in the order of `indices`.
 */
export async function inclusionProofs (reader: NodeReader, indices: readonly number[], size: number): Promise<Buffer[][]> {
  assertTreeIndex(size, 'tree size')
  const perLeaf = indices.map((index) => {
    assertTreeIndex(index, 'leaf index')
    if (index >= size) throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`)
    return pathParts(0, index, size)
  })
  const all = await fetchParts(reader, perLeaf.flat())
  let at = 0
  return perLeaf.map((parts) => {
    const proof = all.slice(at, at + parts.length)
    at += parts.length
    return proof
  })
}
