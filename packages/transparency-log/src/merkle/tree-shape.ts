// Shape of the tree: which perfect subtrees make up a range of leaves.
// Sizes and indices are plain numbers; JavaScript's bitwise operators work on
// 32 bits only, so shifts are written as divisions to stay exact up to 2^53.
import type { NodeId } from './node-store.ts'

/** Throws unless n is a usable leaf count or leaf index (a safe, non-negative integer). */
export function assertTreeIndex (n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${n}`)
  }
}

/** Number of leaves covered by one node of the given level. */
export function width (level: number): number {
  return 2 ** level
}

/** The leaf range [start, end) that node (level, index) covers. */
export function nodeRange (id: NodeId): { start: number; end: number } {
  const w = width(id.level)
  return { start: id.index * w, end: (id.index + 1) * w }
}

/** ⌈log2 size⌉: the number of levels above the leaves in a tree of `size` leaves. */
export function height (size: number): number {
  let h = 0
  while (width(h) < size) h++
  return h
}

/**
 * The fewest perfect subtrees that exactly cover the leaves [start, end), left to
 * right (a "compact range"). Each is the largest aligned subtree that fits.
 */
export function perfectCover (start: number, end: number): NodeId[] {
  const ids: NodeId[] = []
  let at = start
  while (at < end) {
    let level = 0
    while (at % width(level + 1) === 0 && at + width(level + 1) <= end) level++
    ids.push({ level, index: at / width(level) })
    at += width(level)
  }
  return ids
}

/** The perfect subtrees on the right edge of a tree of `size` leaves, largest first. */
export function frontier (size: number): NodeId[] {
  return perfectCover(0, size)
}
