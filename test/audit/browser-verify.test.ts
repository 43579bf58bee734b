// The browser's checks (packages/transparency-log/src/browser.ts, WebCrypto only), run in Node on
// the same globalThis.crypto.subtle a browser has:
// - the RFC 6962 vectors (packages/transparency-log/vectors/rfc6962.json) with the corruptions of
//   transparency-dev/merkle's verify_test.go;
// - agreement with the Node implementation on random trees, proofs and events;
// - C2SP signed notes: the x/mod sumdb/note reference note, checkpoints the Node code signs, a
//   tlog-cosignature line made here from its spec;
// - the module bundles for the browser without any node: import.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import fc from 'fast-check'
import { build } from 'esbuild'
import {
  MemoryNodeStore, appendLeaves, consistencyProof, eventLeafHash as nodeEventLeafHash, inclusionProof,
  leafHash as nodeLeafHash, rawPublicKey, rootAt, signCheckpoint, verifierKeyString,
  verifyConsistency as nodeVerifyConsistency, verifyInclusion as nodeVerifyInclusion
} from '@wams/transparency-log'
import {
  NoteError, checkNoteKey, cosignatureMessage, emptyRoot, eventLeafHash, fromBase64, leafHash, nodeHash, parseCheckpoint,
  parseNote, parseVerifierKey, toBase64, toHex, verifyCheckpoint, verifyConsistency, verifyInclusion, webCrypto
} from '@wams/transparency-log/browser'

interface Vectors {
  leafInputs: string[]
  nodeHashes: string[][]
  roots: string[]
  inclusionProofs: Array<{ index: number, size: number, proof: string[] }>
  consistencyProofs: Array<{ size1: number, size2: number, proof: string[] }>
}
const V = JSON.parse(readFileSync(new URL('../../packages/transparency-log/vectors/rfc6962.json', import.meta.url), 'utf8')) as Vectors
const h = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))
const flip = (p: Uint8Array[], i: number, bit: number) => p.map((x, j) => { const y = new Uint8Array(x); if (j === i) y[0]! ^= bit; return y })

t.test('hashes: RFC 6962 vectors', async (t) => {
  t.equal(toHex(await emptyRoot()), V.roots[0], 'empty root = SHA-256("")')
  for (const [i, input] of V.leafInputs.entries()) t.equal(toHex(await leafHash(h(input))), V.nodeHashes[0]![i], `leaf ${i}`)
  for (let level = 1; level < V.nodeHashes.length; level++) {
    for (const [i, expected] of V.nodeHashes[level]!.entries()) {
      t.equal(toHex(await nodeHash(h(V.nodeHashes[level - 1]![2 * i]!), h(V.nodeHashes[level - 1]![2 * i + 1]!))), expected, `node ${level}/${i}`)
    }
  }
})

t.test('inclusion proofs: RFC 6962 vectors and their corruptions', async (t) => {
  for (const { index, size, proof } of V.inclusionProofs) {
    const name = `leaf ${index} in size ${size}`
    const leaf = await leafHash(h(V.leafInputs[index]!))
    const root = h(V.roots[size]!)
    const p = proof.map(h)
    t.ok(await verifyInclusion(leaf, index, size, p, root), `${name}: verifies`)
    t.notOk(await verifyInclusion(leaf, index - 1, size, p, root), `${name}: index - 1`)
    t.notOk(await verifyInclusion(leaf, index + 1, size, p, root), `${name}: index + 1`)
    t.notOk(await verifyInclusion(leaf, index ^ 2, size, p, root), `${name}: index ^ 2`)
    t.notOk(await verifyInclusion(leaf, index, size * 2, p, root), `${name}: size * 2`)
    t.notOk(await verifyInclusion(leaf, index, Math.floor(size / 2), p, root), `${name}: size / 2`)
    t.notOk(await verifyInclusion(new TextEncoder().encode('WrongLeaf'), index, size, p, root), `${name}: wrong leaf`)
    t.notOk(await verifyInclusion(leaf, index, size, p, await emptyRoot()), `${name}: empty root`)
    t.notOk(await verifyInclusion(leaf, index, size, [...p, root], root), `${name}: trailing root`)
    t.notOk(await verifyInclusion(leaf, index, size, [root, ...p], root), `${name}: preceding root`)
    t.notOk(await verifyInclusion(leaf, index, size, [...p, new Uint8Array()], root), `${name}: trailing garbage`)
    for (let i = 0; i < p.length; i++) t.notOk(await verifyInclusion(leaf, index, size, flip(p, i, 8), root), `${name}: flipped bit in proof[${i}]`)
    if (p.length > 0) t.notOk(await verifyInclusion(leaf, index, size, p.slice(0, -1), root), `${name}: removed hash`)
  }
  const leaf = await leafHash(h(V.leafInputs[0]!))
  t.notOk(await verifyInclusion(leaf, 0, 0, [], await emptyRoot()), 'nothing is in the empty tree')
  t.ok(await verifyInclusion(leaf, 0, 1, [], leaf), 'a one-leaf tree: the root is the leaf')
  t.notOk(await verifyInclusion(leaf, Number.NaN, 1, [], leaf), 'a NaN index')
})

t.test('consistency proofs: RFC 6962 vectors and their corruptions', async (t) => {
  for (const { size1, size2, proof } of V.consistencyProofs) {
    const name = `${size1} -> ${size2}`
    const root1 = h(V.roots[size1]!)
    const root2 = h(V.roots[size2]!)
    const p = proof.map(h)
    t.ok(await verifyConsistency(size1, size2, p, root1, root2), `${name}: verifies`)
    if (p.length === 0) continue
    t.notOk(await verifyConsistency(size1 - 1, size2, p, root1, root2), `${name}: size1 - 1`)
    t.notOk(await verifyConsistency(size1 + 1, size2, p, root1, root2), `${name}: size1 + 1`)
    t.notOk(await verifyConsistency(size1 ^ 2, size2, p, root1, root2), `${name}: size1 ^ 2`)
    t.notOk(await verifyConsistency(size1, size2 * 2, p, root1, root2), `${name}: size2 * 2`)
    t.notOk(await verifyConsistency(size1, Math.floor(size2 / 2), p, root1, root2), `${name}: size2 / 2`)
    t.notOk(await verifyConsistency(size1, size2, p, root2, root1), `${name}: swapped roots`)
    t.notOk(await verifyConsistency(size1, size2, [], root1, root2), `${name}: empty proof`)
    t.notOk(await verifyConsistency(size1, size2, [...p, root2], root1, root2), `${name}: trailing root2`)
    t.notOk(await verifyConsistency(size1, size2, [root1, ...p], root1, root2), `${name}: preceding root1`)
    t.notOk(await verifyConsistency(size1, size2, p.slice(0, -1), root1, root2), `${name}: truncated proof`)
    for (let i = 0; i < p.length; i++) t.notOk(await verifyConsistency(size1, size2, flip(p, i, 16), root1, root2), `${name}: flipped bit in proof[${i}]`)
  }
  const empty = await emptyRoot()
  const root1 = h(V.roots[1]!)
  const root2 = h(V.roots[2]!)
  t.ok(await verifyConsistency(0, 5, [], empty, root2), 'the empty tree is a prefix of every tree')
  t.notOk(await verifyConsistency(0, 5, [], root1, root2), 'a size-0 tree must have the empty root')
  t.notOk(await verifyConsistency(1, 1, [], root1, root2), 'equal sizes need equal roots')
  t.notOk(await verifyConsistency(2, 1, [], root2, root1), 'a tree cannot shrink')
})

t.test('agrees with the Node implementation on random trees, proofs and corruptions', async (t) => {
  const store = new MemoryNodeStore()
  const leaves = Array.from({ length: 300 }, (_, i) => nodeLeafHash(Buffer.from(`leaf ${i}`)))
  await store.putNodes((await appendLeaves(store, 0, leaves)).nodes)
  const arb = fc.tuple(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), fc.integer({ min: -1, max: 40 }))
  let checked = 0
  await fc.assert(fc.asyncProperty(arb, async ([size2, a, b, corrupt]) => {
    const index = a % size2
    const size1 = b % (size2 + 1)
    const root2 = await rootAt(store, size2)
    const root1 = await rootAt(store, size1)
    let inc: Uint8Array[] = await inclusionProof(store, index, size2)
    let con: Uint8Array[] = await consistencyProof(store, size1, size2)
    if (corrupt >= 0 && corrupt < inc.length) inc = flip(inc, corrupt, 1)
    if (corrupt >= 0 && corrupt < con.length) con = flip(con, corrupt, 1)
    if (corrupt === 39) inc = inc.slice(1)
    const leaf = leaves[index]!
    const expectInc = nodeVerifyInclusion(leaf, index, size2, inc, root2)
    const expectCon = nodeVerifyConsistency(size1, size2, con, root1, root2)
    if (await verifyInclusion(leaf, index, size2, inc, root2) !== expectInc) return false
    if (await verifyConsistency(size1, size2, con, root1, root2) !== expectCon) return false
    checked++
    return true
  }), { numRuns: 300, seed: 6962 })
  t.equal(checked, 300, '300 random cases: the same verdicts as node:crypto')
})

t.test('event leaf hash: RFC 8785 JSON, the same as the Node implementation', async (t) => {
  const event = { é: 'z', b: 2, z: 'é', a: [1, 'x'], c: { z: null, y: 1e21 } }
  t.equal(toHex(await eventLeafHash(event)), 'cb4bc6e6003badbb50a8ca2fe554e02559f9f8af89e0c0b69bbbda45c1f97054', 'the known answer')
  await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
    const event = { value }
    return toHex(await eventLeafHash(event)) === nodeEventLeafHash(event).toString('hex')
  }), { numRuns: 200, seed: 8785 })
  t.pass('200 random JSON events hash as in Node')
})

t.test('base64: the one canonical spelling only', async (t) => {
  t.same(fromBase64('AAEC'), new Uint8Array([0, 1, 2]))
  t.equal(toBase64(new Uint8Array([255, 254])), '//4=')
  for (const bad of ['', 'AAE', 'AA=C', 'AB==', 'AAEC\n', 'A A=', 'AAEC====']) t.equal(fromBase64(bad), undefined, JSON.stringify(bad))
})

// x/mod sumdb/note's reference note (as test/audit/signed-note.test.ts).
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop'
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
const PETER_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n'
const ENOCH_SIG = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n'

t.test('signed notes: the sumdb/note reference values', async (t) => {
  const peter = await parseVerifierKey(PETER_VKEY)
  t.equal(toHex(peter.keyId), 'c74f20a3')
  const enoch = await parseVerifierKey(ENOCH_VKEY)
  const double = `${GO_TEXT}\n${PETER_SIG}${ENOCH_SIG}`
  t.same(parseNote(double).signatures.map((s) => s.name), ['PeterNeumann', 'EnochRoot'])
  t.match(await checkNoteKey(double, peter), { status: 'valid' })
  t.match(await checkNoteKey(double, enoch), { status: 'valid' })
  t.match(await checkNoteKey(`${GO_TEXT}\n${PETER_SIG}`, enoch), { status: 'missing' })
  t.match(await checkNoteKey(double.replace('cryptography', 'cryptographY'), peter), { status: 'invalid' })
  await t.rejects(parseVerifierKey(PETER_VKEY.replace('c74f20a3', 'c74f20a4')), NoteError, 'a key ID that does not match its key')
  await t.rejects(parseVerifierKey('PeterNeumann+c74f20a3+AhpcA'), NoteError, 'malformed key')
  t.throws(() => parseNote(`${GO_TEXT}${PETER_SIG}`), NoteError, 'no blank line')
  t.throws(() => parseNote(`${GO_TEXT}\n— PeterNeumann AAAA\n`), NoteError, 'too short a signature blob')
  t.throws(() => parseNote(`a\u0007\n\n${PETER_SIG}`), NoteError, 'control characters')
})

t.test('checkpoints the Node code signs verify in the browser code, and nothing else does', async (t) => {
  const ORIGIN = 'audit.wams.example/log'
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const vkey = verifierKeyString(ORIGIN, publicKey)
  const rootHash = nodeLeafHash(Buffer.from('root'))
  const note = signCheckpoint({ origin: ORIGIN, size: 42, rootHash }, { name: ORIGIN, privateKey })
  const head = await verifyCheckpoint(note, vkey, { origin: ORIGIN })
  t.equal(head.size, 42)
  t.equal(toHex(head.rootHash), rootHash.toString('hex'))
  t.same(parseCheckpoint(note).extensions, [])
  await t.rejects(verifyCheckpoint(note.replace('\n42\n', '\n43\n'), vkey), /invalid signature/, 'another tree size')
  await t.rejects(verifyCheckpoint(note, vkey, { origin: 'other/log' }), /expected "other\/log"/, 'another origin')
  const other = verifierKeyString(ORIGIN, generateKeyPairSync('ed25519').publicKey)
  await t.rejects(verifyCheckpoint(note, other), /not signed by/, 'another key')
  const lines = note.split('\n')
  const sig = fromBase64(lines[4]!.split(' ')[2]!)!
  sig[10]! ^= 1
  await t.rejects(verifyCheckpoint(`${lines.slice(0, 4).join('\n')}\n— ${ORIGIN} ${toBase64(sig)}\n`, vkey), /invalid signature/, 'a flipped bit in the signature')
})

t.test('a tlog-cosignature/v1 line, made here from its spec, verifies; altered, it does not', async (t) => {
  const ORIGIN = 'audit.wams.example/log'
  const log = generateKeyPairSync('ed25519')
  const note = signCheckpoint({ origin: ORIGIN, size: 7, rootHash: nodeLeafHash(Buffer.from('r')) }, { name: ORIGIN, privateKey: log.privateKey })
  const witness = keyFromSeed(Buffer.alloc(32, 7))
  const raw = rawPublicKey(witness)
  const name = 'witness.example/w1'
  const keyId = (await webCrypto().sha256(Buffer.concat([Buffer.from(name), Buffer.from([0x0a, 0x04]), raw]))).slice(0, 4)
  const vkey = `${name}+${toHex(keyId)}+${Buffer.concat([Buffer.from([0x04]), raw]).toString('base64')}`
  const body = parseNote(note).text
  const cosign = (time: bigint, signedTime = time) => {
    const stamp = Buffer.alloc(8)
    stamp.writeBigUInt64BE(time)
    const signature = sign(null, cosignatureMessage(body, signedTime), witness)
    return `— ${name} ${Buffer.concat([keyId, stamp, signature]).toString('base64')}\n`
  }
  const key = await parseVerifierKey(vkey)
  t.equal(key.type, 0x04)
  t.same(await checkNoteKey(note + cosign(1700000000n), key), { key: `${name}+${toHex(keyId)}`, status: 'valid', timestamp: 1700000000 })
  t.match(await checkNoteKey(note + cosign(1700000001n, 1700000000n), key), { status: 'invalid' }, 'a timestamp other than the signed one')
  t.match(await checkNoteKey(note, key), { status: 'missing' })
  t.ok(await verifyCheckpoint(note + cosign(1700000000n), verifierKeyString(ORIGIN, log.publicKey)), 'the log signature still verifies beside a cosignature')
  await t.rejects(verifyCheckpoint(note, vkey), /note signing key/, 'a cosigner key is not the log\'s key')
})

t.test('bundles for the browser with no node: import', async (t) => {
  const out = await build({
    entryPoints: [new URL('../../packages/transparency-log/src/browser.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent'
  })
  const code = out.outputFiles[0]!.text
  t.notMatch(code, /from ["']node:|require\(["']node:|Buffer\./, 'no Node built-in')
  t.match(code, /crypto\.subtle|subtle\.digest/, 'WebCrypto')
})

function keyFromSeed (seed: Buffer): KeyObject {
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex')
  return createPrivateKey({ key: Buffer.concat([prefix, seed]), format: 'der', type: 'pkcs8' })
}
