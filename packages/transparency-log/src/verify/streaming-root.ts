// The RFC 6962 root of a stream of leaf hashes in O(log n) memory: the compact range as a stack of
// perfect subtrees, merged as they complete — the algorithm of merkle/append.ts (appendToRange),
// without its node records, because the verifier hashes every leaf of the log and its throughput
// is the point. The stack is one array of 32-bit words and the interior nodes are hashed in place
// (node-hash-words.ts): no Buffer per node. The tests check it against MemoryNodeStore +
// appendLeaves + rootAt for every size up to a few hundred leaves.
import * as crypto from 'node:crypto'
import { emptyRoot } from '../merkle/index.ts'
import { nodeHashWords, readBase64Words, readWords, wordsToBytes } from './node-hash-words.ts'

type OneShot = (algorithm: string, data: Uint8Array, outputEncoding: 'base64') => string
// crypto.hash (Node ≥ 20.12) skips creating a Hash object per call; older Node falls back. A string
// result costs about a third less per call than a Buffer (no backing store to allocate and free).
const oneShot = (crypto as unknown as { hash?: OneShot }).hash
export const sha256Base64 = oneShot
  ? (data: Uint8Array): string => oneShot('sha256', data, 'base64')
  : (data: Uint8Array): string => crypto.createHash('sha256').update(data).digest('base64')

/** One perfect subtree per set bit of the size: 53 bits cover every safe integer; one slot to fold in. */
const SLOTS = 54

export class StreamingRoot {
  /** The roots of the perfect subtrees, largest first, 8 words each. */
  private readonly words = new Int32Array(SLOTS * 8)
  private depth = 0
  size = 0

  push (leafHash: Uint8Array): void {
    if (leafHash.length !== 32) throw new RangeError('a leaf hash has 32 bytes')
    readWords(leafHash, this.words, this.depth * 8)
    this.merge()
  }

  /** Pushes the leaf hash spelled in canonical base64 at text[at, at + 44) (as checked by the caller). */
  pushBase64 (text: Uint8Array, at: number): void {
    readBase64Words(text, at, this.words, this.depth * 8)
    this.merge()
  }

  /** Takes in the leaf just written above the stack. */
  private merge (): void {
    if (this.size >= Number.MAX_SAFE_INTEGER) throw new RangeError('the tree is full')
    this.depth++
    // Each trailing 1 bit of the old size is a perfect subtree of the new leaf's height: merge.
    for (let n = this.size; n % 2 === 1; n = (n - 1) / 2) {
      const left = (this.depth - 2) * 8
      nodeHashWords(this.words, left, left + 8, left)
      this.depth--
    }
    this.size++
  }

  /** Root of the leaves pushed so far: the right-to-left fold of the compact range. */
  root (): Buffer {
    if (this.depth === 0) return emptyRoot()
    const acc = SLOTS * 8 - 8 // the spare slot past any subtree
    this.words.copyWithin(acc, (this.depth - 1) * 8, this.depth * 8)
    for (let i = this.depth - 2; i >= 0; i--) nodeHashWords(this.words, i * 8, acc, acc)
    return wordsToBytes(this.words, acc)
  }
}
