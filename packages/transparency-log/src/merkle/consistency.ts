// Consistency proofs (RFC 9162 §2.1.4): the tree of size2 leaves extends the
// tree of size1 leaves without changing any of them (append-only).
import { HASH_SIZE, emptyRoot, hashesEqual, nodeHash } from './hasher.ts'
import type { NodeReader } from './node-store.ts'
import { fetchParts, pathParts, type ProofPart } from './proof-path.ts'
import { assertTreeIndex } from './tree-shape.ts'

/**
 * Proof that the tree of `size1` leaves is a prefix of the tree of `size2`
 * leaves; at most ⌈log2 size2⌉ + 1 hashes. Empty when size1 is 0 or size2.
 */
export async function consistencyProof (reader: NodeReader, size1: number, size2: number): Promise<Buffer[]> {
  assertTreeIndex(size1, 'first tree size')
  assertTreeIndex(size2, 'second tree size')
  if (size1 > size2) throw new RangeError(`tree size ${size1} is larger than ${size2}`)
  if (size1 === 0 || size1 === size2) return []

  // The last (smallest) perfect subtree of the old tree: the proof is that node
  // followed by its audit path in the new tree. When the old tree is itself
  // perfect that node is its root, which the verifier already has.
  let level = 0
  while (size1 % 2 ** (level + 1) === 0) level++
  const index = size1 / 2 ** level - 1
  const parts: ProofPart[] = index === 0 ? [] : [[{ level, index }]]
  parts.push(...pathParts(level, index, size2))
  return fetchParts(reader, parts)
}

/**
 * RFC 9162 §2.1.4.2: true iff `proof` shows that the tree of `size1` leaves
 * with root `root1` is a prefix of the tree of `size2` leaves with root
 * `root2`. A size-0 tree must have the empty root. Never throws on bad input.
 */
export function verifyConsistency (
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array
): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size1 > size2) return false
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE) return false
  if (proof.some((p) => p.length !== HASH_SIZE)) return false
  if (size1 === 0) return proof.length === 0 && hashesEqual(root1, emptyRoot())
  if (size1 === size2) return proof.length === 0 && hashesEqual(root1, root2)
  if (proof.length === 0) return false

  // A perfect old tree is its own last subtree: the proof omits its root.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof]
  const [first, ...rest] = path
  if (first === undefined) return false

  let fn = size1 - 1
  let sn = size2 - 1
  // Start at the level of the old tree's last perfect subtree.
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  let fr: Uint8Array = first
  let sr: Uint8Array = first
  for (const c of rest) {
    if (sn === 0) return false // proof longer than the path to the root
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2)
        sn = Math.floor(sn / 2)
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && hashesEqual(fr, root1) && hashesEqual(sr, root2)
}

function isPowerOfTwo (n: number): boolean {
  let p = 1
  while (p < n) p *= 2
  return p === n
}
