// The RFC 6962 root of a stream of leaf hashes in O(log n) memory: the compact range as a stack of
// perfect subtrees, merged as they complete — the algorithm of merkle/append.ts (appendToRange),
// without its node records and with one-shot hashing into a reused buffer, because the verifier
// hashes every leaf of the log and its throughput is the point. The tests check it against
// MemoryNodeStore + appendLeaves + rootAt for every size up to a few hundred leaves.
import * as crypto from 'node:crypto'
import { emptyRoot } from '../merkle/index.ts'

type OneShot = (algorithm: string, data: Uint8Array, outputEncoding: 'buffer') => Buffer
// crypto.hash (Node ≥ 20.12) skips creating a Hash object per call; older Node falls back.
const oneShot = (crypto as unknown as { hash?: OneShot }).hash
export const sha256 = oneShot
  ? (data: Uint8Array): Buffer => oneShot('sha256', data, 'buffer')
  : (data: Uint8Array): Buffer => crypto.createHash('sha256').update(data).digest()

export class StreamingRoot {
  private readonly hashes: Buffer[] = []
  private readonly levels: number[] = []
  private readonly scratch = Buffer.alloc(65, 1) // 0x01 ‖ left ‖ right
  size = 0

  push (leafHash: Buffer): void {
    let node = leafHash
    let level = 0
    // Two neighbours of the same level are siblings: merge them into their parent.
    while (this.levels.length > 0 && this.levels[this.levels.length - 1] === level) {
      this.scratch.set(this.hashes.pop()!, 1)
      this.scratch.set(node, 33)
      node = sha256(this.scratch)
      this.levels.pop()
      level++
    }
    this.hashes.push(node)
    this.levels.push(level)
    this.size++
  }

  /** Root of the leaves pushed so far: the right-to-left fold of the compact range. */
  root (): Buffer {
    if (this.hashes.length === 0) return emptyRoot()
    let acc = this.hashes[this.hashes.length - 1]!
    for (let i = this.hashes.length - 2; i >= 0; i--) {
      this.scratch.set(this.hashes[i]!, 1)
      this.scratch.set(acc, 33)
      acc = sha256(this.scratch)
    }
    return acc
  }
}
