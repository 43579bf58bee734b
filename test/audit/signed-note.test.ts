// Checkpoints as C2SP signed notes (c2sp.org/signed-note, c2sp.org/tlog-checkpoint).
// Known answers come from the format's reference implementation, Go's
// golang.org/x/mod/sumdb/note (package doc of note.go and note_test.go): the
// "PeterNeumann" key pair, its note and signature, and the "EnochRoot" key.
import t from 'tap'
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import {
  SignedNoteError,
  checkpointText,
  generateSigningKey,
  loadPrivateKeyPem,
  loadPublicKeyPem,
  noteKeyHash,
  openNote,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  privateKeyToPem,
  publicKeyToPem,
  rawPublicKey,
  signCheckpoint,
  signNote,
  verifierKeyString,
  verifyCheckpoint,
} from '@wams/transparency-log'
import { leafHash } from '@wams/transparency-log'

// Ed25519 private key from its 32-byte RFC 8032 seed: PKCS#8 = this DER prefix ‖ seed.
function keyFromSeed (seed: Buffer): KeyObject {
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex')
  return createPrivateKey({ key: Buffer.concat([prefix, seed]), format: 'der', type: 'pkcs8' })
}

// x/mod sumdb/note: skey "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
// whose base64 part is 0x01 ‖ seed.
const PETER_SEED = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1)
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop'
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
const PETER_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n'
const ENOCH_SIG = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n'

const ORIGIN = 'audit.wams.example/log'
const checkpoint = { origin: ORIGIN, size: 1234567, rootHash: leafHash(Buffer.from('root')) }

t.test('key hash and verifier key match the sumdb/note reference values', async (t) => {
  const peter = keyFromSeed(PETER_SEED)
  t.equal(noteKeyHash('PeterNeumann', peter).toString('hex'), 'c74f20a3')
  t.equal(noteKeyHash('PeterNeumann', rawPublicKey(peter)).toString('hex'), 'c74f20a3', 'from the raw key too')
  t.equal(verifierKeyString('PeterNeumann', peter), PETER_VKEY)
  // x/mod's EnochRoot key is the one generated from an all-zero seed.
  t.equal(verifierKeyString('EnochRoot', keyFromSeed(Buffer.alloc(32))), ENOCH_VKEY)
  const parsed = parseVerifierKey(PETER_VKEY)
  t.equal(parsed.name, 'PeterNeumann')
  t.equal(parsed.keyHash.toString('hex'), 'c74f20a3')
  t.equal(rawPublicKey(parsed.publicKey).toString('hex'), rawPublicKey(peter).toString('hex'))
})

t.test('signing reproduces the reference note byte for byte', async (t) => {
  const note = signNote(GO_TEXT, { name: 'PeterNeumann', privateKey: keyFromSeed(PETER_SEED) })
  t.equal(note, `${GO_TEXT}\n${PETER_SIG}`)
})

t.test('opening the reference notes', async (t) => {
  const single = `${GO_TEXT}\n${PETER_SIG}`
  t.equal(openNote(single, PETER_VKEY).text, GO_TEXT)
  const double = `${GO_TEXT}\n${PETER_SIG}${ENOCH_SIG}`
  t.equal(openNote(double, PETER_VKEY).signatures.length, 2, 'the unknown EnochRoot signature is ignored')
  t.equal(openNote(double, ENOCH_VKEY).text, GO_TEXT, 'the cosignature verifies with its own key')
  t.throws(() => openNote(single, ENOCH_VKEY), /not signed by EnochRoot\+af0cfe78/)
  const altered = single.replace('cryptography', 'cryptographY')
  t.throws(() => openNote(altered, PETER_VKEY), /invalid signature by PeterNeumann\+c74f20a3/)
})

t.test('checkpoint round trip', async (t) => {
  const { privateKey, publicKey } = generateSigningKey()
  const note = signCheckpoint(checkpoint, { name: ORIGIN, privateKey })
  const lines = note.split('\n')
  t.same(lines.slice(0, 4), [ORIGIN, '1234567', checkpoint.rootHash.toString('base64'), ''], 'body then blank line')
  t.match(lines[4], /^— audit\.wams\.example\/log [A-Za-z0-9+/]{91}=$/, 'one signature line: 4 + 64 bytes')
  t.equal(lines[5], '', 'the note ends with a newline')
  t.equal(checkpointText(checkpoint), `${ORIGIN}\n1234567\n${checkpoint.rootHash.toString('base64')}\n`)

  const vkey = verifierKeyString(ORIGIN, publicKey)
  const verified = verifyCheckpoint(note, vkey)
  t.equal(verified.origin, ORIGIN)
  t.equal(verified.size, 1234567)
  t.equal(verified.rootHash.toString('hex'), checkpoint.rootHash.toString('hex'))
  t.same(verifyCheckpoint(note, vkey, { origin: ORIGIN }).size, 1234567, 'expected origin accepted')

  const parsed = parseCheckpoint(note)
  t.equal(parsed.size, 1234567)
  t.same(parsed.extensions, [])
  t.equal(parsed.signatures[0]?.keyHash.toString('hex'), vkey.split('+')[1])

  const empty = signCheckpoint({ origin: ORIGIN, size: 0, rootHash: leafHash(Buffer.alloc(0)) }, { name: ORIGIN, privateKey })
  t.equal(verifyCheckpoint(empty, vkey).size, 0, 'size 0 is written "0"')
})

t.test('tampered or foreign checkpoints are rejected', async (t) => {
  const { privateKey, publicKey } = generateSigningKey()
  const signer = { name: ORIGIN, privateKey }
  const vkey = verifierKeyString(ORIGIN, publicKey)
  const note = signCheckpoint(checkpoint, signer)
  const b64Root = checkpoint.rootHash.toString('base64')

  t.throws(() => verifyCheckpoint(note.replace('\n1234567\n', '\n1234568\n'), vkey), /invalid signature/, 'altered size')
  const otherRoot = leafHash(Buffer.from('other root')).toString('base64')
  t.throws(() => verifyCheckpoint(note.replace(b64Root, otherRoot), vkey), /invalid signature/, 'altered root')
  t.throws(() => verifyCheckpoint(note.replace(ORIGIN + '\n', 'evil.example/log\n'), vkey), /invalid signature/, 'altered origin')

  const other = generateSigningKey()
  t.throws(() => verifyCheckpoint(note, verifierKeyString(ORIGIN, other.publicKey)), /not signed by/, 'wrong key, same name')
  t.throws(() => verifyCheckpoint(note, verifierKeyString('someone.else', publicKey)), /not signed by/, 'right key, other name')

  const sigLine = note.split('\n')[4] as string
  const truncated = note.replace(sigLine, sigLine.slice(0, -8))
  t.throws(() => verifyCheckpoint(truncated, vkey), SignedNoteError, 'truncated signature (base64 cut)')
  const blob = Buffer.from(sigLine.split(' ')[2] as string, 'base64')
  const short = `— ${ORIGIN} ${blob.subarray(0, blob.length - 3).toString('base64')}`
  t.throws(() => verifyCheckpoint(note.replace(sigLine, short), vkey), /invalid signature/, 'truncated signature (bytes cut)')
  const flipped = Buffer.from(blob)
  flipped[10] = (flipped[10] as number) ^ 1
  t.throws(() => verifyCheckpoint(note.replace(sigLine, `— ${ORIGIN} ${flipped.toString('base64')}`), vkey), /invalid signature/, 'flipped signature bit')

  // A forged line claiming the trusted key's ID: must be verified, and fails.
  const forged = signCheckpoint(checkpoint, { name: ORIGIN, privateKey: other.privateKey })
  const forgedBlob = Buffer.from((forged.split('\n')[4] as string).split(' ')[2] as string, 'base64')
  blob.copy(forgedBlob, 0, 0, 4)
  const relabelled = note.replace(sigLine, `— ${ORIGIN} ${forgedBlob.toString('base64')}`)
  t.throws(() => verifyCheckpoint(relabelled, vkey), /invalid signature/, 'signature by another key under our key ID')

  t.throws(() => verifyCheckpoint(note, vkey, { origin: 'other.example/log' }), /expected "other.example\/log"/, 'wrong origin')
  t.throws(() => verifyCheckpoint(note.replace(/\n— .*\n$/, '\n'), vkey), /malformed note/, 'signatures removed')
  t.throws(() => verifyCheckpoint(note.replace('\n\n', '\n'), vkey), /malformed note/, 'no blank line')
  t.throws(() => verifyCheckpoint(note.replace('— ', '-- '), vkey), /malformed note/, 'no em dash')
  t.throws(() => verifyCheckpoint(note.replace(' ' + sigLine.split(' ')[2], ' !!!!'), vkey), /malformed note/, 'signature not base64')
  t.throws(() => verifyCheckpoint(note.replace(ORIGIN, `${ORIGIN}\t`), vkey), /control characters/, 'control character')
})

t.test('checkpoint body format is enforced', async (t) => {
  const { privateKey, publicKey } = generateSigningKey()
  const signer = { name: ORIGIN, privateKey }
  const vkey = verifierKeyString(ORIGIN, publicKey)
  const root = checkpoint.rootHash.toString('base64')
  // Signed correctly, but not a valid checkpoint body.
  const bad = (text: string): string => signNote(text, signer)
  t.throws(() => verifyCheckpoint(bad(`${ORIGIN}\n0123\n${root}\n`), vkey), /invalid tree size "0123"/, 'leading zero')
  t.throws(() => verifyCheckpoint(bad(`${ORIGIN}\n-1\n${root}\n`), vkey), /invalid tree size/, 'negative size')
  t.throws(() => verifyCheckpoint(bad(`${ORIGIN}\n99999999999999999999\n${root}\n`), vkey), /invalid tree size/, 'size beyond 2^53')
  t.throws(() => verifyCheckpoint(bad(`${ORIGIN}\n5\n${root.slice(0, -4)}\n`), vkey), /root hash/, 'short root')
  t.throws(() => verifyCheckpoint(bad(`${ORIGIN}\n5\n${root.replace(/=$/, '')}\n`), vkey), /root hash/, 'unpadded base64')
  t.throws(() => verifyCheckpoint(bad(`${ORIGIN}\n5\n`), vkey), /root hash/, 'missing root line')
  t.throws(() => verifyCheckpoint(bad(`\n5\n${root}\n`), vkey), /empty origin/, 'empty origin')
  const withExtension = verifyCheckpoint(bad(`${ORIGIN}\n5\n${root}\nextension\n`), vkey)
  t.equal(withExtension.size, 5, 'extension lines are allowed')
  t.same(parseCheckpoint(bad(`${ORIGIN}\n5\n${root}\nextension\n`)).extensions, ['extension'])
  t.throws(() => signCheckpoint({ ...checkpoint, size: 1.5 }, signer), /tree size/, 'cannot sign a fractional size')
  t.throws(() => signCheckpoint({ ...checkpoint, rootHash: Buffer.alloc(31) }, signer), /32 bytes/)
  t.throws(() => signCheckpoint({ ...checkpoint, origin: 'a\nb' }, signer), /origin/)
  t.throws(() => signNote('no final newline', signer), /end with a newline/)
  t.throws(() => signNote('text\n', { name: 'has space', privateKey }), /invalid key name/)
  t.throws(() => signNote('text\n', { name: 'a+b', privateKey }), /invalid key name/)
})

t.test('unknown signatures (witness cosignatures, rotated keys) are ignored', async (t) => {
  const log = generateSigningKey()
  const witness = generateSigningKey()
  const note = signCheckpoint(checkpoint, { name: ORIGIN, privateKey: log.privateKey })
  const cosigned = note + signNote(checkpointText(checkpoint), { name: 'witness.example', privateKey: witness.privateKey }).split('\n\n')[1]
  t.equal(parseNote(cosigned).signatures.length, 2)
  t.equal(verifyCheckpoint(cosigned, verifierKeyString(ORIGIN, log.publicKey)).size, checkpoint.size)
  t.equal(verifyCheckpoint(cosigned, verifierKeyString('witness.example', witness.publicKey)).size, checkpoint.size)
})

t.test('verifier key strings are checked', async (t) => {
  t.throws(() => parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), /does not match/, 'wrong hash')
  t.throws(() => parseVerifierKey('PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), /does not match/, 'wrong name')
  t.throws(() => parseVerifierKey('PeterNeumann+c74f20a3'), /malformed verifier key/, 'no key')
  t.throws(() => parseVerifierKey('PeterNeumann+c74f20+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), /malformed/, 'short hash')
  const typeTwo = Buffer.from('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'base64')
  typeTwo[0] = 0x02
  t.throws(() => parseVerifierKey(`PeterNeumann+c74f20a3+${typeTwo.toString('base64')}`), /not an Ed25519/, 'other key type')
})

t.test('PEM loading and saving', async (t) => {
  const { privateKey, publicKey } = generateSigningKey()
  const loadedPrivate = loadPrivateKeyPem(privateKeyToPem(privateKey))
  const loadedPublic = loadPublicKeyPem(publicKeyToPem(publicKey))
  t.match(privateKeyToPem(privateKey), /^-----BEGIN PRIVATE KEY-----/)
  t.match(publicKeyToPem(privateKey), /^-----BEGIN PUBLIC KEY-----/, 'public PEM from the private key')
  const vkey = verifierKeyString(ORIGIN, loadedPublic)
  t.equal(vkey, verifierKeyString(ORIGIN, publicKey))
  const note = signCheckpoint(checkpoint, { name: ORIGIN, privateKey: loadedPrivate })
  t.equal(verifyCheckpoint(note, vkey).size, checkpoint.size, 'a reloaded key signs verifiably')

  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  t.throws(() => loadPrivateKeyPem(ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()), /expected an Ed25519 key/)
  t.throws(() => loadPublicKeyPem('not a pem'), /cannot read public key PEM/)
  t.throws(() => signNote('text\n', { name: ORIGIN, privateKey: publicKey }), /private key/, 'a public key cannot sign')
})
