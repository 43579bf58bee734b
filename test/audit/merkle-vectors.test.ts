// Known-answer tests of the audit log's Merkle tree against the RFC 6962 test
// vectors shared by certificate-transparency and transparency-dev/merkle:
//   leaves, node hashes, roots, compact ranges:
//     github.com/transparency-dev/merkle testonly/constants.go
//   inclusion and consistency proofs (leaf numbers there are 1-based):
//     github.com/transparency-dev/merkle proof/verify_test.go
import t from 'tap'
import {
  MemoryNodeStore,
  appendLeaves,
  consistencyProof,
  emptyRoot,
  eventLeafHash,
  inclusionProof,
  leafHash,
  nodeHash,
  readRange,
  rootAt,
  verifyConsistency,
  verifyInclusion,
} from '@wams/transparency-log'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const hexes = (bs: Uint8Array[]): string[] => bs.map(hex)
const h = (s: string): Buffer => Buffer.from(s, 'hex')

const LEAF_INPUTS = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(h)

// NodeHashes(): [level][index] of every perfect subtree of the 8-leaf tree.
const NODE_HASHES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  [
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
  ],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
]

// RootHashes(), indexed by tree size.
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
]

// CompactTrees(): the right-edge perfect subtrees of each tree size, as [level, index].
const COMPACT_RANGES: [number, number][][] = [
  [],
  [[0, 0]],
  [[1, 0]],
  [[1, 0], [0, 2]],
  [[2, 0]],
  [[2, 0], [0, 4]],
  [[2, 0], [1, 2]],
  [[2, 0], [1, 2], [0, 6]],
  [[3, 0]],
]

// proof/verify_test.go inclusionProofs, leaf converted to a 0-based index.
const INCLUSION_PROOFS = [
  { index: 0, size: 1, proof: [] },
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
]

// proof/verify_test.go consistencyProofs.
const CONSISTENCY_PROOFS = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
]

async function vectorTree (): Promise<MemoryNodeStore> {
  const store = new MemoryNodeStore()
  const { nodes } = await appendLeaves(store, 0, LEAF_INPUTS.map(leafHash))
  await store.putNodes(nodes)
  return store
}

t.test('hashing', async (t) => {
  t.equal(hex(emptyRoot()), ROOTS[0], 'empty tree root is SHA-256("")')
  t.equal(hex(leafHash(new Uint8Array())), NODE_HASHES[0]?.[0], 'leaf hash of the empty input')
  t.equal(hex(leafHash(h('00'))), NODE_HASHES[0]?.[1], 'leaf hash of 00')
  t.equal(hex(nodeHash(leafHash(h('')), leafHash(h('00')))), NODE_HASHES[1]?.[0], 'node hash of the first two leaves')
  t.not(hex(leafHash(h('00'))), hex(nodeHash(h(''), h('00'))), 'leaf and node hashes are domain-separated')
})

t.test('appending the 8 vector leaves stores exactly every perfect subtree', async (t) => {
  const { nodes, newSize } = await appendLeaves(new MemoryNodeStore(), 0, LEAF_INPUTS.map(leafHash))
  t.equal(newSize, 8)
  const byLevel: string[][] = []
  for (const node of nodes) (byLevel[node.level] ??= [])[node.index] = hex(node.hash)
  t.same(byLevel, NODE_HASHES)
  t.equal(nodes.length, 15, 'no node is produced twice')
})

t.test('roots and compact ranges for sizes 0..8', async (t) => {
  const store = await vectorTree()
  for (let size = 0; size <= 8; size++) {
    t.equal(hex(await rootAt(store, size)), ROOTS[size], `root of size ${size}`)
    const range = await readRange(store, size)
    t.same(
      range.map((n) => [n.level, n.index]),
      COMPACT_RANGES[size],
      `compact range of size ${size}`
    )
    t.same(
      hexes(range.map((n) => n.hash)),
      (COMPACT_RANGES[size] ?? []).map(([level, index]) => NODE_HASHES[level]?.[index]),
      `compact range hashes of size ${size}`
    )
  }
})

t.test('roots when growing the tree one leaf at a time', async (t) => {
  const store = new MemoryNodeStore()
  for (let size = 0; size < 8; size++) {
    const { nodes, newSize } = await appendLeaves(store, size, [leafHash(LEAF_INPUTS[size] as Buffer)])
    await store.putNodes(nodes)
    t.equal(hex(await rootAt(store, newSize)), ROOTS[newSize], `root after leaf ${size}`)
  }
})

t.test('published inclusion proofs', async (t) => {
  const store = await vectorTree()
  for (const { index, size, proof } of INCLUSION_PROOFS) {
    const name = `leaf ${index} in size ${size}`
    const generated = await inclusionProof(store, index, size)
    t.same(hexes(generated), proof, `${name}: generated proof matches`)

    const leaf = leafHash(LEAF_INPUTS[index] as Buffer)
    const root = h(ROOTS[size] as string)
    const p = proof.map(h)
    t.ok(verifyInclusion(leaf, index, size, p, root), `${name}: verifies`)

    // The corruptions of verify_test.go's corruptInclusionProof.
    t.notOk(verifyInclusion(leaf, index - 1, size, p, root), `${name}: index - 1`)
    t.notOk(verifyInclusion(leaf, index + 1, size, p, root), `${name}: index + 1`)
    t.notOk(verifyInclusion(leaf, index ^ 2, size, p, root), `${name}: index ^ 2`)
    t.notOk(verifyInclusion(leaf, index, size * 2, p, root), `${name}: size * 2`)
    t.notOk(verifyInclusion(leaf, index, Math.floor(size / 2), p, root), `${name}: size / 2`)
    t.notOk(verifyInclusion(Buffer.from('WrongLeaf'), index, size, p, root), `${name}: wrong leaf`)
    t.notOk(verifyInclusion(leaf, index, size, p, emptyRoot()), `${name}: empty root`)
    t.notOk(verifyInclusion(leaf, index, size, [...p, root], root), `${name}: trailing root`)
    t.notOk(verifyInclusion(leaf, index, size, [root, ...p], root), `${name}: preceding root`)
    t.notOk(verifyInclusion(leaf, index, size, [...p, Buffer.alloc(0)], root), `${name}: trailing garbage`)
    p.forEach((_, i) => {
      const bad = p.map((x) => Buffer.from(x));
      (bad[i] as Buffer)[0]! ^= 8
      t.notOk(verifyInclusion(leaf, index, size, bad, root), `${name}: flipped bit in proof[${i}]`)
    })
    if (p.length > 0) t.notOk(verifyInclusion(leaf, index, size, p.slice(0, -1), root), `${name}: removed hash`)
  }
})

t.test('published consistency proofs', async (t) => {
  const store = await vectorTree()
  for (const { size1, size2, proof } of CONSISTENCY_PROOFS) {
    const name = `${size1} -> ${size2}`
    t.same(hexes(await consistencyProof(store, size1, size2)), proof, `${name}: generated proof matches`)

    const root1 = h(ROOTS[size1] as string)
    const root2 = h(ROOTS[size2] as string)
    const p = proof.map(h)
    t.ok(verifyConsistency(size1, size2, p, root1, root2), `${name}: verifies`)
    if (p.length === 0) continue

    // The corruptions of verify_test.go's corruptConsistencyProof.
    t.notOk(verifyConsistency(size1 - 1, size2, p, root1, root2), `${name}: size1 - 1`)
    t.notOk(verifyConsistency(size1 + 1, size2, p, root1, root2), `${name}: size1 + 1`)
    t.notOk(verifyConsistency(size1 ^ 2, size2, p, root1, root2), `${name}: size1 ^ 2`)
    t.notOk(verifyConsistency(size1, size2 * 2, p, root1, root2), `${name}: size2 * 2`)
    t.notOk(verifyConsistency(size1, Math.floor(size2 / 2), p, root1, root2), `${name}: size2 / 2`)
    t.notOk(verifyConsistency(size1, size2, p, root2, root1), `${name}: swapped roots`)
    t.notOk(verifyConsistency(size1, size2, [], root1, root2), `${name}: empty proof`)
    t.notOk(verifyConsistency(size1, size2, [...p, root2], root1, root2), `${name}: trailing root2`)
    t.notOk(verifyConsistency(size1, size2, [root1, ...p], root1, root2), `${name}: preceding root1`)
    t.notOk(verifyConsistency(size1, size2, p.slice(0, -1), root1, root2), `${name}: truncated proof`)
    p.forEach((_, i) => {
      const bad = p.map((x) => Buffer.from(x));
      (bad[i] as Buffer)[0]! ^= 16
      t.notOk(verifyConsistency(size1, size2, bad, root1, root2), `${name}: flipped bit in proof[${i}]`)
    })
  }
})

t.test('consistency edge cases', async (t) => {
  const empty = emptyRoot()
  const root1 = h(ROOTS[1] as string)
  const root2 = h(ROOTS[2] as string)
  t.ok(verifyConsistency(0, 0, [], empty, empty), 'empty tree is consistent with itself')
  t.ok(verifyConsistency(0, 5, [], empty, root2), 'empty tree is a prefix of every tree')
  t.notOk(verifyConsistency(0, 5, [], root1, root2), 'a size-0 tree must have the empty root')
  t.notOk(verifyConsistency(0, 1, [empty], empty, root1), 'size 0: the proof must be empty')
  t.notOk(verifyConsistency(1, 1, [], root1, root2), 'equal sizes need equal roots')
  t.notOk(verifyConsistency(1, 1, [root1], root1, root1), 'equal sizes: the proof must be empty')
  t.notOk(verifyConsistency(2, 1, [], root2, root1), 'a tree cannot shrink')
  t.same(await consistencyProof(await vectorTree(), 0, 8), [], 'proof from the empty tree is empty')
  await t.rejects(consistencyProof(await vectorTree(), 5, 3), RangeError)
})

t.test('inclusion edge cases', async (t) => {
  const store = await vectorTree()
  const leaf = leafHash(LEAF_INPUTS[0] as Buffer)
  t.notOk(verifyInclusion(leaf, 0, 0, [], emptyRoot()), 'nothing is in the empty tree')
  t.notOk(verifyInclusion(leaf, 1, 1, [], leaf), 'index beyond the tree')
  t.ok(verifyInclusion(leaf, 0, 1, [], leaf), 'a one-leaf tree: the root is the leaf')
  await t.rejects(inclusionProof(store, 8, 8), RangeError)
  await t.rejects(inclusionProof(store, 0, 9), /not stored/, 'reading beyond the stored tree fails')
})

t.test('event leaf hash = SHA-256(0x00 ‖ RFC 8785 canonical JSON)', async (t) => {
  const event = { é: 'z', b: 2, z: 'é', a: [1, 'x'], c: { z: null, y: 1e21 } }
  // Independently: printf '\x00{"a":[1,"x"],"b":2,"c":{"y":1e+21,"z":null},"z":"\xc3\xa9","\xc3\xa9":"z"}' | sha256sum
  // (keys sorted by UTF-16 code unit, ES number formatting, UTF-8 text).
  const expected = 'cb4bc6e6003badbb50a8ca2fe554e02559f9f8af89e0c0b69bbbda45c1f97054'
  t.equal(hex(eventLeafHash(event)), expected)
  t.equal(
    hex(eventLeafHash({ c: { y: 1e21, z: null }, a: [1, 'x'], z: 'é', b: 2.0, é: 'z' })),
    expected,
    'key order and number spelling do not matter'
  )
  t.not(hex(eventLeafHash({ ...event, b: 3 })), expected, 'a changed value changes the hash')
})
