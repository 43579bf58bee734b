// The audit path shared by inclusion and consistency proofs: the sibling of a
// node at every level up to the root. A sibling past the end of the tree does
// not exist (RFC 6962's unbalanced right edge: the node is its own parent); a
// sibling straddling the end is the imperfect right-edge subtree, whose hash is
// folded from its perfect sub-subtrees rather than read or rebuilt from leaves.
import { readNodes, type NodeId, type NodeReader } from './node-store.ts'
import { foldPerfectSubtrees } from './root.ts'
import { height, nodeRange, perfectCover } from './tree-shape.ts'

/** One proof hash, as the perfect subtrees (left to right) whose fold it is. */
export type ProofPart = NodeId[]

/** Sibling parts of node (level, index) in a tree of `size` leaves, from the bottom up. */
export function pathParts (level: number, index: number, size: number): ProofPart[] {
  const parts: ProofPart[] = []
  const top = height(size)
  let cur = index
  for (let l = level; l < top; l++) {
    const sibling: NodeId = { level: l, index: cur % 2 === 0 ? cur + 1 : cur - 1 }
    const { start, end } = nodeRange(sibling)
    if (start < size) {
      parts.push(end <= size ? [sibling] : perfectCover(start, size))
    }
    cur = Math.floor(cur / 2)
  }
  return parts
}

/** Resolves proof parts to hashes with a single batched read. */
export async function fetchParts (reader: NodeReader, parts: ProofPart[]): Promise<Buffer[]> {
  const hashes = await readNodes(reader, parts.flat())
  let at = 0
  return parts.map((part) => {
    const group = hashes.slice(at, at + part.length)
    at += part.length
    return foldPerfectSubtrees(group)
  })
}
