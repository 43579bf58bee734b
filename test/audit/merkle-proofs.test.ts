// Property tests of the audit log's Merkle tree: every proof the store can
// produce verifies, every tampering is caught, and proofs touch O(log n) nodes.
// The oracle is the recursive definition of RFC 6962 §2.1 computed from all
// leaves, independent of the stored-subtree algorithms under test.
import t from 'tap'
import {
  MemoryNodeStore,
  appendLeaves,
  appendToRange,
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  rootAt,
  verifyConsistency,
  verifyInclusion,
} from '@wams/transparency-log'
import type { NodeId, NodeReader, StoredNode } from '@wams/transparency-log'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const hexes = (bs: Uint8Array[]): string[] => bs.map(hex)

function syntheticLeaf (i: number): Buffer {
  const data = Buffer.alloc(8)
  data.writeUInt32BE(Math.floor(i / 2 ** 32), 0)
  data.writeUInt32BE(i % 2 ** 32, 4)
  return leafHash(data)
}

function leaves (n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => syntheticLeaf(i))
}

async function storeOf (leafHashes: Buffer[], batch = leafHashes.length): Promise<MemoryNodeStore> {
  const store = new MemoryNodeStore()
  let size = 0
  for (let at = 0; at < leafHashes.length; at += batch) {
    const { nodes, newSize } = await appendLeaves(store, size, leafHashes.slice(at, at + batch))
    await store.putNodes(nodes)
    size = newSize
  }
  return store
}

// --- RFC 6962 §2.1 oracle, straight from the definitions -------------------

function splitPoint (n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

function mth (d: Buffer[]): Buffer {
  if (d.length === 0) return emptyRoot()
  if (d.length === 1) return d[0] as Buffer
  const k = splitPoint(d.length)
  return nodeHash(mth(d.slice(0, k)), mth(d.slice(k)))
}

function path (m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return []
  const k = splitPoint(d.length)
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))]
}

function subproof (m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)]
  const k = splitPoint(d.length)
  return m <= k
    ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))]
}

function oracleConsistency (m: number, d: Buffer[]): Buffer[] {
  return m === 0 || m === d.length ? [] : subproof(m, d, true)
}

// --- a reader that counts what proof generation asks for -------------------

class CountingReader implements NodeReader {
  calls = 0
  nodes = 0
  constructor (private readonly inner: NodeReader) {}
  async getNodes (ids: NodeId[]): Promise<Buffer[]> {
    this.calls++
    this.nodes += ids.length
    return this.inner.getNodes(ids)
  }

  reset (): void {
    this.calls = 0
    this.nodes = 0
  }
}

function flipByte (proof: Buffer[], i: number): Buffer[] {
  const bad = proof.map((p) => Buffer.from(p))
  const target = bad[i] as Buffer
  target[target.length - 1] = (target[target.length - 1] as number) ^ 0x01
  return bad
}

// ---------------------------------------------------------------------------

t.test('roots of sizes 0..70 match RFC 6962 MTH', async (t) => {
  const all = leaves(70)
  const store = await storeOf(all)
  let mismatches = 0
  for (let size = 0; size <= 70; size++) {
    if (!(await rootAt(store, size)).equals(mth(all.slice(0, size)))) mismatches++
  }
  t.equal(mismatches, 0)
})

t.test('inclusion proofs for every index of every size 1..70', async (t) => {
  const all = leaves(70)
  const store = await storeOf(all)
  const failures: string[] = []
  let checked = 0
  for (let size = 1; size <= 70; size++) {
    const d = all.slice(0, size)
    const root = await rootAt(store, size)
    for (let index = 0; index < size; index++) {
      const leaf = all[index] as Buffer
      const proof = await inclusionProof(store, index, size)
      const where = `${index}/${size}`
      if (hexes(proof).join() !== hexes(path(index, d)).join()) failures.push(`${where}: differs from RFC 6962 PATH`)
      if (!verifyInclusion(leaf, index, size, proof, root)) failures.push(`${where}: does not verify`)
      if (size > 1 && verifyInclusion(leaf, (index + 1) % size, size, proof, root)) failures.push(`${where}: wrong index verifies`)
      if (verifyInclusion(all[(index + 1) % 70] as Buffer, index, size, proof, root)) failures.push(`${where}: other leaf verifies`)
      for (let i = 0; i < proof.length; i++) {
        if (verifyInclusion(leaf, index, size, flipByte(proof, i), root)) failures.push(`${where}: flipped proof[${i}] verifies`)
      }
      if (verifyInclusion(leaf, index, size, proof, flipByte([root], 0)[0] as Buffer)) failures.push(`${where}: flipped root verifies`)
      checked++
    }
  }
  t.equal(checked, (70 * 71) / 2, 'all (index, size) pairs checked')
  t.same(failures, [])
})

t.test('consistency proofs for every 0 <= size1 <= size2 <= 40', async (t) => {
  const all = leaves(40)
  const store = await storeOf(all)
  const roots = await Promise.all(Array.from({ length: 41 }, (_, n) => rootAt(store, n)))
  const failures: string[] = []
  let checked = 0
  for (let size2 = 0; size2 <= 40; size2++) {
    for (let size1 = 0; size1 <= size2; size1++) {
      const root1 = roots[size1] as Buffer
      const root2 = roots[size2] as Buffer
      const proof = await consistencyProof(store, size1, size2)
      const where = `${size1}->${size2}`
      if (hexes(proof).join() !== hexes(oracleConsistency(size1, all.slice(0, size2))).join()) {
        failures.push(`${where}: differs from RFC 6962 PROOF`)
      }
      if (!verifyConsistency(size1, size2, proof, root1, root2)) failures.push(`${where}: does not verify`)
      for (let i = 0; i < proof.length; i++) {
        if (verifyConsistency(size1, size2, flipByte(proof, i), root1, root2)) failures.push(`${where}: flipped proof[${i}] verifies`)
      }
      if (size1 > 0 && size1 < size2) {
        if (verifyConsistency(size1, size2, proof, flipByte([root1], 0)[0] as Buffer, root2)) failures.push(`${where}: flipped root1 verifies`)
        if (verifyConsistency(size1, size2, proof, root1, flipByte([root2], 0)[0] as Buffer)) failures.push(`${where}: flipped root2 verifies`)
        if (size1 > 1 && verifyConsistency(size1 - 1, size2, proof, roots[size1 - 1] as Buffer, root2)) failures.push(`${where}: wrong size1 verifies`)
        if (verifyConsistency(size1, size2, proof, root2, root1)) failures.push(`${where}: swapped roots verify`)
      }
      checked++
    }
  }
  t.equal(checked, (41 * 42) / 2, 'all (size1, size2) pairs checked')
  t.same(failures, [])
})

t.test('swapping two neighbouring leaves is detected', async (t) => {
  const size = 13
  const all = leaves(size)
  const store = await storeOf(all)
  const root = await rootAt(store, size)
  for (let i = 0; i + 1 < size; i++) {
    const swapped = [...all];
    [swapped[i], swapped[i + 1]] = [all[i + 1] as Buffer, all[i] as Buffer]
    const swappedStore = await storeOf(swapped)
    const swappedRoot = await rootAt(swappedStore, size)
    t.not(hex(swappedRoot), hex(root), `swap ${i}<->${i + 1}: root changes`)
    const proof = await inclusionProof(store, i, size)
    t.notOk(verifyInclusion(all[i] as Buffer, i, size, proof, swappedRoot), `swap ${i}<->${i + 1}: original proof fails on the swapped root`)
    const swappedProof = await inclusionProof(swappedStore, i, size)
    t.notOk(verifyInclusion(all[i] as Buffer, i, size, swappedProof, swappedRoot), `swap ${i}<->${i + 1}: leaf ${i} is not at index ${i} any more`)
    // An old checkpoint of the honest log is inconsistent with the swapped log.
    const size1 = i + 1
    const consistency = await consistencyProof(swappedStore, size1, size)
    t.notOk(
      verifyConsistency(size1, size, consistency, await rootAt(store, size1), swappedRoot),
      `swap ${i}<->${i + 1}: swapped log is not an extension of the honest log at size ${size1}`
    )
  }
})

t.test('appending in batches of varied sizes gives the same nodes as one by one', async (t) => {
  const all = leaves(300)
  const describe = (nodes: StoredNode[]): string[] => nodes.map((n) => `${n.level}/${n.index}/${hex(n.hash)}`)

  const oneStore = new MemoryNodeStore()
  const oneByOne: StoredNode[] = []
  for (let size = 0; size < all.length; size++) {
    const { nodes, newSize } = await appendLeaves(oneStore, size, [all[size] as Buffer])
    t.equal(newSize, size + 1)
    await oneStore.putNodes(nodes)
    oneByOne.push(...nodes)
  }

  for (const pattern of [[1, 2, 3, 5, 8, 13, 21, 34], [7], [64, 1, 63, 2], [300]]) {
    const store = new MemoryNodeStore()
    const batched: StoredNode[] = []
    let size = 0
    for (let p = 0; size < all.length; p++) {
      const n = pattern[p % pattern.length] as number
      const { nodes, newSize } = await appendLeaves(store, size, all.slice(size, size + n))
      t.equal(newSize, Math.min(size + n, all.length))
      await store.putNodes(nodes)
      batched.push(...nodes)
      size = newSize
    }
    t.same(describe(batched), describe(oneByOne), `batches ${pattern.join(',')}`)
    t.equal(hex(await rootAt(store, 300)), hex(mth(all)), `batches ${pattern.join(',')}: root`)
  }
  t.equal(oneByOne.length, 2 * 300 - 4, 'a tree of n leaves has 2n - popcount(n) perfect subtrees')

  // The pure core, with the compact range carried in memory instead of read.
  let range: StoredNode[] = []
  const inMemory: StoredNode[] = []
  for (let size = 0; size < all.length; size += 11) {
    const result = appendToRange(range, size, all.slice(size, size + 11))
    inMemory.push(...result.nodes)
    range = result.range
  }
  t.same(describe(inMemory), describe(oneByOne), 'compact range kept in memory')
  t.throws(() => appendToRange(range, 299, [all[0] as Buffer]), /does not belong/, 'a range of another size is refused')
  t.throws(() => appendToRange([], 0, [Buffer.alloc(31)]), /32 bytes/, 'a leaf hash of the wrong size is refused')
})

t.test('the store refuses to rewrite or skip nodes', async (t) => {
  const store = await storeOf(leaves(4))
  await t.rejects(store.putNodes([{ level: 0, index: 1, hash: syntheticLeaf(9) }]), /already stored/)
  await t.rejects(store.putNodes([{ level: 0, index: 6, hash: syntheticLeaf(6) }]), /gap/)
  await store.putNodes([{ level: 0, index: 1, hash: syntheticLeaf(1) }])
  t.equal(store.countAt(0), 4, 'rewriting the same hash is a no-op')
})

t.test('a million leaves: proofs read O(log n) nodes in one batch', async (t) => {
  const n = 1_000_000
  const logN = Math.ceil(Math.log2(n)) // 20
  const store = new MemoryNodeStore()
  const reader = new CountingReader(store)
  const batch = 50_000
  let size = 0
  let appendMaxReads = 0
  while (size < n) {
    const next = Array.from({ length: Math.min(batch, n - size) }, (_, i) => syntheticLeaf(size + i))
    reader.reset()
    const { nodes, newSize } = await appendLeaves(reader, size, next)
    appendMaxReads = Math.max(appendMaxReads, reader.nodes)
    t.ok(reader.calls <= 1, `append at ${size}: one batched read`)
    await store.putNodes(nodes)
    size = newSize
  }
  t.ok(appendMaxReads <= logN, `append reads at most ⌈log2 n⌉ nodes (${appendMaxReads})`)

  reader.reset()
  const root = await rootAt(reader, n)
  t.ok(reader.nodes <= logN && reader.calls === 1, `root reads ${reader.nodes} nodes`)

  const bound = 2 * logN + 2
  for (const index of [0, 1, 262_143, 499_999, 524_287, 524_288, 999_423, 999_998, n - 1]) {
    reader.reset()
    const proof = await inclusionProof(reader, index, n)
    t.ok(reader.nodes <= bound, `inclusion ${index}: ${reader.nodes} node reads <= ${bound}`)
    t.equal(reader.calls, 1, `inclusion ${index}: one batched read`)
    t.ok(proof.length <= logN, `inclusion ${index}: ${proof.length} hashes`)
    t.ok(verifyInclusion(syntheticLeaf(index), index, n, proof, root), `inclusion ${index}: verifies`)
  }

  for (const [size1, size2] of [[1, n], [n - 1, n], [500_000, n], [524_288, n], [777_777, 999_999], [3, 999_983]] as const) {
    reader.reset()
    const proof = await consistencyProof(reader, size1, size2)
    t.ok(reader.nodes <= bound, `consistency ${size1}->${size2}: ${reader.nodes} node reads <= ${bound}`)
    t.equal(reader.calls, 1, `consistency ${size1}->${size2}: one batched read`)
    t.ok(proof.length <= logN + 1, `consistency ${size1}->${size2}: ${proof.length} hashes`)
    const ok = verifyConsistency(size1, size2, proof, await rootAt(store, size1), await rootAt(store, size2))
    t.ok(ok, `consistency ${size1}->${size2}: verifies`)
  }
})
