// Known answers for C2SP tlog-cosignature (Ed25519 cosignature/v1), from
// packages/transparency-log/vectors/cosignature-v1.json:
//  - from the spec itself (c2sp.org/tlog-cosignature): the signed message of § Ed25519 signed
//    message, and the example checkpoint with a cosignature (its key ID and timestamp; the spec
//    does not publish that witness's public key, so its signature cannot be checked);
//  - from transparency-dev/formats (note/note_cosigv1_test.go): a type 0x04 verifier key
//    whose key ID must come out right, and a cosignature whose timestamp is known;
//  - generated here from a fixed seed (Ed25519 signatures are deterministic): a witness key, its
//    cosignatures of two checkpoints, and tampered variants that must not verify. The test
//    recomputes them all, and checks the signatures with node:crypto alone on a message built
//    by hand, apart from the package's code. WRITE_VECTORS=1 rewrites that part of the file.
import t from 'tap'
import { createHash, createPrivateKey, createPublicKey, verify, type KeyObject } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import {
  SignedNoteError, checkCosignatures, cosignatureMessage, cosignerKeyId, cosignerVerifierKey, parseCosignature,
  parseCosignerKey, parseNote, rawPublicKey, signCosignature, verifyCosignature
} from '@wams/transparency-log'

const FILE = new URL('../../packages/transparency-log/vectors/cosignature-v1.json', import.meta.url)

interface Tampered { what: string, body: string, line: string }
interface Generated {
  seedText: string
  name: string
  vkey: string
  cases: Array<{ body: string, timestamp: number, line: string }>
  tampered: Tampered[]
}
interface Vectors {
  spec: {
    message: { body: string, timestamp: number, message: string }
    example: { note: string, line: string, name: string, keyId: string, timestamp: number }
  }
  transparencyDev: {
    vkeys: Array<{ vkey: string, valid: boolean }>
    timestamps: Array<{ base64: string, keyId: string, timestamp: number }>
  }
  generated: Generated
}

const vectors = JSON.parse(readFileSync(FILE, 'utf8')) as Vectors

function keyFromSeed (seed: Buffer): KeyObject {
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex')
  return createPrivateKey({ key: Buffer.concat([prefix, seed]), format: 'der', type: 'pkcs8' })
}

function generate (seedText: string, name: string): Generated {
  const privateKey = keyFromSeed(createHash('sha256').update(seedText).digest())
  const cosigner = { name, privateKey }
  const bodies = [
    { body: vectors.spec.message.body, timestamp: vectors.spec.message.timestamp },
    { body: 'wams.example/audit\n7\nHRPX4w0Cq8zQDEbjfWUz1K5rQxr7RoVEuZ0W2HDy6Hc=\nextension line\n', timestamp: 1767225600 }
  ]
  const cases = bodies.map((b) => ({ ...b, line: signCosignature(b.body, cosigner, b.timestamp) }))
  const [first] = cases
  const blob = Buffer.from(first!.line.split(' ')[2]!, 'base64')
  const reblob = (f: (b: Buffer) => void) => { const b = Buffer.from(blob); f(b); return `— ${name} ${b.toString('base64')}` }
  const noteKeyId = createHash('sha256').update(name).update(Buffer.from([0x0a, 0x01])).update(rawPublicKey(privateKey)).digest().subarray(0, 4)
  const tampered: Tampered[] = [
    { what: 'tree size changed', body: first!.body.replace('\n20852163\n', '\n20852164\n'), line: first!.line },
    { what: 'timestamp changed, signature kept', body: first!.body, line: reblob((b) => b.writeBigUInt64BE(BigInt(first!.timestamp + 1), 4)) },
    { what: 'one bit of the signature flipped', body: first!.body, line: reblob((b) => { b[20] = b[20]! ^ 1 }) },
    { what: 'key ID of an ordinary note signature (type 0x01)', body: first!.body, line: reblob((b) => noteKeyId.copy(b, 0)) },
    { what: 'another name, same key ID', body: first!.body, line: first!.line.replace(name, `${name}x`) },
    { what: 'extension line dropped', body: cases[1]!.body.replace('extension line\n', ''), line: cases[1]!.line }
  ]
  return { seedText, name, vkey: cosignerVerifierKey(name, createPublicKey(privateKey)), cases, tampered }
}

t.test('the spec\'s signed message', async (t) => {
  const { body, timestamp, message } = vectors.spec.message
  t.equal(cosignatureMessage(body, BigInt(timestamp)).toString('utf8'), message)
})

t.test('the spec\'s example cosignature parses to its key ID and timestamp', async (t) => {
  const { note, line, name, keyId, timestamp } = vectors.spec.example
  const c = parseCosignature(line)
  t.equal(c.name, name)
  t.equal(c.keyId.toString('hex'), keyId)
  t.equal(c.timestamp, BigInt(timestamp))
  t.equal(c.signature.length, 64)
  t.ok(parseNote(note).signatures.some((s) => s.name === name), 'the note carries it beside the log\'s signature')
})

t.test('transparency-dev verifier keys and timestamps', async (t) => {
  for (const { vkey, valid } of vectors.transparencyDev.vkeys) {
    if (valid) t.equal(cosignerVerifierKey(parseCosignerKey(vkey).name, parseCosignerKey(vkey).publicKey), vkey, `${vkey.split('+')[0]}: key ID recomputed`)
    else t.throws(() => parseCosignerKey(vkey), SignedNoteError, `${vkey.split('+')[0]}: refused`)
  }
  for (const { base64, keyId, timestamp } of vectors.transparencyDev.timestamps) {
    const c = parseCosignature(`— somebody ${base64}`)
    t.equal(c.keyId.toString('hex'), keyId)
    t.equal(c.timestamp, BigInt(timestamp))
  }
})

t.test('generated vectors: reproduced, verified independently, tampered ones refused', async (t) => {
  const g = vectors.generated
  const again = generate(g.seedText, g.name)
  if (process.env.WRITE_VECTORS === '1') {
    writeFileSync(FILE, `${JSON.stringify({ ...vectors, generated: again }, null, 2)}\n`)
  }
  t.same(again, g, 'this implementation reproduces the stored vectors from the seed')
  const key = parseCosignerKey(g.vkey)
  const raw = rawPublicKey(key.publicKey)
  t.equal(cosignerKeyId(g.name, raw).toString('hex'), createHash('sha256').update(`${g.name}\n`).update(Buffer.from([0x04])).update(raw).digest().subarray(0, 4).toString('hex'))
  for (const c of g.cases) {
    const blob = Buffer.from(c.line.slice(`— ${g.name} `.length), 'base64')
    t.equal(blob.length, 4 + 8 + 64)
    t.equal(blob.readBigUInt64BE(4), BigInt(c.timestamp), 'u64 big-endian timestamp after the key ID')
    const message = Buffer.from(`cosignature/v1\ntime ${c.timestamp}\n${c.body}`)
    t.ok(verify(null, message, key.publicKey, blob.subarray(12)), 'node:crypto verifies the signature over the hand-built message')
    t.ok(verifyCosignature(c.body, parseCosignature(c.line), key), 'and so does the package')
    const note = `${c.body}\n${c.line}\n`
    t.match(checkCosignatures(note, [g.vkey], 1), { ok: true, valid: 1 })
  }
  for (const bad of g.tampered) {
    let ok: boolean
    try {
      ok = verifyCosignature(bad.body, parseCosignature(bad.line), key)
    } catch {
      ok = false
    }
    t.notOk(ok, `refused: ${bad.what}`)
    t.match(checkCosignatures(`${bad.body}\n${bad.line}\n`, [g.vkey], 1), { ok: false, valid: 0 }, `not counted: ${bad.what}`)
  }
})
