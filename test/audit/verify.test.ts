// The offline verifier on exports built here, without infrastructure: a faithful export verifies;
// every kind of tampering fails and names the first leaf concerned; the checkpoint must be signed
// by the given key; an earlier checkpoint must be a prefix; the CLI's exit codes and output.
import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { parseTraceparent, buildAuditEvent, type AuditEvent } from '@wams/platform'
import { verifyExport, runVerify } from '../../services/audit/src/index.ts'
import { MemoryNodeStore, appendLeaves, rootAt, eventLeafHash, canonicalEventJson } from '@wams/transparency-log'
import { generateSigningKey, signCheckpoint, verifierKeyString } from '@wams/transparency-log'

const ORIGIN = 'test.example/audit'
const key = generateSigningKey()
const vkey = verifierKeyString(ORIGIN, key.privateKey)
const signer = { name: ORIGIN, privateKey: key.privateKey }

function makeEvents (n: number, start = Date.parse('2025-03-01T10:00:00Z')): AuditEvent[] {
  return Array.from({ length: n }, (_, i) => buildAuditEvent({
    type: 'data-request.decision',
    source: 'gateway',
    transactionId: `tx-${i}`,
    actor: { org: '00000099000000000101', sub: 'u', roles: ['college'], partyType: 'gemeente' },
    processingActivity: { id: 'wams.data-request', version: '1' },
    outcome: i % 3 === 0 ? 'deny' : 'permit',
    provider: '00000099000000000201',
    category: 'health',
    detail: { decision: 'permit', providerReason: `${i}: één “quote” \\ ok` }
  }, parseTraceparent(undefined), new Date(start + i * 1000)))
}

async function checkpointOf (hashes: Buffer[]): Promise<string> {
  const store = new MemoryNodeStore()
  const { nodes } = await appendLeaves(store, 0, hashes)
  await store.putNodes(nodes)
  return signCheckpoint({ origin: ORIGIN, size: hashes.length, rootHash: await rootAt(store, hashes.length) }, signer)
}

/** The exporter's line format (GET /v1/audit/export). */
function line (leafIndex: number, hash: Buffer, event: object | null): string {
  return `{"leafIndex":${leafIndex},"leafHash":"${hash.toString('base64')}","event":${event === null ? 'null' : canonicalEventJson(event)}}`
}

async function fixture (n: number) {
  const events = makeEvents(n)
  const hashes = events.map((e) => eventLeafHash(e))
  const note = await checkpointOf(hashes)
  const lines = events.map((e, i) => line(i, hashes[i]!, e))
  return { events, hashes, note, lines }
}

t.test('a faithful export verifies, with progress, purged leaves and a consistent earlier checkpoint', async (t) => {
  const { hashes, note, lines, events } = await fixture(300)
  const previous = await checkpointOf(hashes.slice(0, 137))
  lines[5] = line(5, hashes[5]!, null) // purged by retention: checked by its leaf hash
  const progress: number[] = []
  const result = await verifyExport({ exportLines: lines, checkpointNote: note, verifierKey: vkey, previousCheckpointNote: previous, progressEvery: 100, onProgress: (p) => progress.push(p.leaves) })
  t.same(result.errors, [])
  t.match(result, { ok: true, treeSize: 300, leavesChecked: 300, purgedLeaves: 1, previousTreeSize: 137, origin: ORIGIN })
  t.same(progress, [100, 200, 300, 300])
  // Another JSON layout of the same events (pretty, other key order, CRLF) still verifies: the hash is over RFC 8785.
  const reversed = (v: unknown): unknown => Array.isArray(v)
    ? v.map(reversed)
    : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)])) : v
  const pretty = events.map((e, i) => JSON.stringify({ event: reversed(e), leafHash: hashes[i]!.toString('base64'), leafIndex: i }, null, 1).replace(/\n/g, ' ') + '\r')
  t.equal((await verifyExport({ exportLines: pretty, checkpointNote: note, verifierKey: vkey })).ok, true, 'non-canonical layout verifies')
  // An export taken later holds more leaves than the checkpoint: only the covered ones count.
  const more = [...lines, line(300, hashes[0]!, events[0]!)]
  t.equal((await verifyExport({ exportLines: more, checkpointNote: note, verifierKey: vkey })).ok, true)
})

t.test('an altered event is named, even with a matching leaf hash beside it', async (t) => {
  const { events, hashes, note, lines } = await fixture(50)
  const changed = { ...events[17]!, outcome: 'permit' as const, fieldsReleased: ['diagnosisSummary'] }
  lines[17] = line(17, hashes[17]!, changed)
  const r = await verifyExport({ exportLines: lines, checkpointNote: note, verifierKey: vkey })
  t.equal(r.ok, false)
  t.match(r.errors[0], { leafIndex: 17, problem: 'altered', eventId: events[17]!.eventId })
  // The attacker also recomputes the leaf hash: the root no longer matches the signature.
  lines[17] = line(17, eventLeafHash(changed), changed)
  const r2 = await verifyExport({ exportLines: lines, checkpointNote: note, verifierKey: vkey })
  t.match(r2.errors, [{ leafIndex: null, problem: 'root-mismatch' }])
})

t.test('a removed event is named: a gap, a shift of the rest, or a cut-off end', async (t) => {
  const { events, hashes, note, lines } = await fixture(40)
  const gap = lines.filter((_, i) => i !== 9)
  const r = await verifyExport({ exportLines: gap, checkpointNote: note, verifierKey: vkey })
  t.match(r.errors[0], { leafIndex: 9, problem: 'missing' })
  t.match(r.errors[0]!.detail, events[8]!.eventId, 'names the event before the gap')
  // Removed and the later events renumbered: each sits one place early under the committed hashes.
  const shifted = events.filter((_, i) => i !== 9).map((e, i) => line(i, hashes[i]!, e))
  const r2 = await verifyExport({ exportLines: shifted, checkpointNote: note, verifierKey: vkey })
  t.match(r2.errors[0], { leafIndex: 9, problem: 'missing', eventId: events[10]!.eventId })
  t.equal(r2.errors.filter((e) => e.problem === 'altered').length, 0, 'the shift is not reported as 30 alterations')
  const cut = await verifyExport({ exportLines: lines.slice(0, 33), checkpointNote: note, verifierKey: vkey })
  t.match(cut.errors, [{ leafIndex: 33, problem: 'missing', detail: /ends after 33 leaves/ }])
})

t.test('reordered events are named: swapped, adjacent, or lines out of order', async (t) => {
  const { events, hashes, note, lines } = await fixture(64)
  const swap = (i: number, j: number) => lines.map((l, k) => (k === i ? line(i, hashes[i]!, events[j]!) : k === j ? line(j, hashes[j]!, events[i]!) : l))
  const r = await verifyExport({ exportLines: swap(12, 40), checkpointNote: note, verifierKey: vkey })
  t.match(r.errors, [{ leafIndex: 12, problem: 'reordered', eventId: events[40]!.eventId, detail: /swapped/ }])
  const adj = await verifyExport({ exportLines: swap(20, 21), checkpointNote: note, verifierKey: vkey })
  t.match(adj.errors, [{ leafIndex: 20, problem: 'reordered', eventId: events[21]!.eventId }])
  const outOfOrder = [...lines.slice(0, 5), lines[6]!, lines[5]!, ...lines.slice(7)]
  const r3 = await verifyExport({ exportLines: outOfOrder, checkpointNote: note, verifierKey: vkey })
  t.equal(r3.ok, false)
  t.match(r3.errors[0], { leafIndex: 5, problem: 'missing' })
  t.ok(r3.errors.some((e) => e.problem === 'reordered' && e.leafIndex === 5 && e.eventId === events[5]!.eventId))
  // Swapped together with their hashes: only the root shows it; the event times hint where.
  const both = [...lines]
  both[3] = line(3, hashes[60]!, events[60]!)
  both[60] = line(60, hashes[3]!, events[3]!)
  const r4 = await verifyExport({ exportLines: both, checkpointNote: note, verifierKey: vkey })
  t.match(r4.errors, [{ problem: 'root-mismatch' }])
})

t.test('the checkpoint must be signed by the given key; the log must extend the earlier checkpoint', async (t) => {
  const { hashes, note, lines } = await fixture(20)
  const other = verifierKeyString(ORIGIN, generateSigningKey().privateKey)
  t.match((await verifyExport({ exportLines: lines, checkpointNote: note, verifierKey: other })).errors, [{ problem: 'bad-checkpoint' }])
  const forged = note.replace(/\n20\n/, '\n21\n')
  t.match((await verifyExport({ exportLines: lines, checkpointNote: forged, verifierKey: vkey })).errors, [{ problem: 'bad-checkpoint' }])
  // An earlier checkpoint over other leaves (a forked history) is inconsistent with this export.
  const forkHashes = [...hashes.slice(0, 10)]
  forkHashes[4] = eventLeafHash({ forked: true })
  const fork = await checkpointOf(forkHashes)
  t.match((await verifyExport({ exportLines: lines, checkpointNote: note, verifierKey: vkey, previousCheckpointNote: fork })).errors,
    [{ problem: 'inconsistent' }])
  const larger = await checkpointOf([...hashes, hashes[0]!])
  t.match((await verifyExport({ exportLines: lines, checkpointNote: note, verifierKey: vkey, previousCheckpointNote: larger })).errors,
    [{ problem: 'inconsistent', detail: /shrank/ }])
  t.match((await verifyExport({ exportLines: ['not json', ...lines.slice(1)], checkpointNote: note, verifierKey: vkey })).errors[0],
    { leafIndex: 0, problem: 'malformed' })
})

function sink () {
  let text = ''
  const stream = new Writable({ write (chunk, _enc, cb) { text += String(chunk); cb() } })
  return { stream, text: () => text }
}

t.test('wams verify: exit 0 when verified, 1 naming the event when not, 2 on bad usage; progress on stderr', async (t) => {
  const { events, hashes, note, lines } = await fixture(120)
  const dir = mkdtempSync(join(tmpdir(), 'wams-verify-'))
  writeFileSync(join(dir, 'export.jsonl'), lines.join('\n') + '\n')
  writeFileSync(join(dir, 'note.txt'), note)
  writeFileSync(join(dir, 'previous.txt'), await checkpointOf(hashes.slice(0, 50)))
  writeFileSync(join(dir, 'key.txt'), vkey + '\n')
  const run = async (args: string[]) => {
    const out = sink()
    const err = sink()
    const code = await runVerify(args, { stdout: out.stream, stderr: err.stream })
    return { code, out: out.text(), err: err.text() }
  }
  const ok = await run(['--export', join(dir, 'export.jsonl'), '--checkpoint', join(dir, 'note.txt'), '--key', vkey, '--previous', join(dir, 'previous.txt')])
  t.equal(ok.code, 0)
  t.match(ok.out, /^OK: 120 leaves .* consistent with the previous checkpoint of 50 leaves/)
  t.match(ok.err, /120\/120 leaves \(100%\)/)
  const withKeyFile = await run(['--export', join(dir, 'export.jsonl'), '--checkpoint', join(dir, 'note.txt'), '--key', join(dir, 'key.txt')])
  t.equal(withKeyFile.code, 0, 'the key may be given as a file')

  lines[77] = line(77, hashes[77]!, { ...events[77]!, necessity: 'changed afterwards' })
  writeFileSync(join(dir, 'export.jsonl'), lines.join('\n') + '\n')
  const bad = await run(['--export', join(dir, 'export.jsonl'), '--checkpoint', join(dir, 'note.txt'), '--key', vkey])
  t.equal(bad.code, 1)
  t.match(bad.out, new RegExp(`FAILED: .*\\n  leaf 77: altered \\(event ${events[77]!.eventId}\\)`))
  const json = await run(['--export', join(dir, 'export.jsonl'), '--checkpoint', join(dir, 'note.txt'), '--key', vkey, '--json'])
  t.match(JSON.parse(json.out), { ok: false, errors: [{ leafIndex: 77, problem: 'altered' }] })

  t.equal((await run(['--export', join(dir, 'export.jsonl')])).code, 2, 'missing arguments')
  t.equal((await run(['--export', join(dir, 'nope.jsonl'), '--checkpoint', join(dir, 'note.txt'), '--key', vkey])).code, 2, 'missing file')
  t.equal((await run(['--bogus'])).code, 2, 'unknown option')
})

t.test('the verifier\'s streaming root equals the Merkle tree code\'s root for every size', async (t) => {
  const { StreamingRoot } = await import('../../packages/transparency-log/src/verify/streaming-root.ts')
  const store = new MemoryNodeStore()
  const streaming = new StreamingRoot()
  t.same(streaming.root(), await rootAt(store, 0), 'empty tree')
  let mismatches = 0
  for (let size = 1; size <= 300; size++) {
    const leaf = eventLeafHash({ n: size })
    const { nodes } = await appendLeaves(store, size - 1, [leaf])
    await store.putNodes(nodes)
    // Every other leaf as the verifier takes it from an export line: its base64 spelling.
    if (size % 2 === 0) streaming.pushBase64(Buffer.from(`"leafHash":"${leaf.toString('base64')}"`), 12)
    else streaming.push(leaf)
    if (!streaming.root().equals(await rootAt(store, size))) mismatches++
  }
  t.equal(mismatches, 0, 'sizes 1..300')
})

t.test('the verifier\'s interior node hash equals SHA-256(0x01 ‖ left ‖ right) of node:crypto', async (t) => {
  const { randomBytes } = await import('node:crypto')
  const { nodeHash } = await import('@wams/transparency-log')
  const { nodeHashWords, readWords, wordsToBytes } = await import('../../packages/transparency-log/src/verify/node-hash-words.ts')
  const words = new Int32Array(24)
  let mismatches = 0
  // Random hashes, and every value of right's last byte (the one byte of the second block).
  for (let i = 0; i < 5000; i++) {
    const left = randomBytes(32)
    const right = randomBytes(32)
    if (i < 256) right[31] = i
    readWords(left, words, 0)
    readWords(right, words, 8)
    nodeHashWords(words, 0, 8, i % 2 === 0 ? 16 : 0) // into a third place, or over left
    if (!wordsToBytes(words, i % 2 === 0 ? 16 : 0).equals(nodeHash(left, right))) mismatches++
  }
  t.equal(mismatches, 0, '5000 random pairs')
})

t.test('lines read from a file as bytes, split across read chunks, verify the same', async (t) => {
  const { createReadStream } = await import('node:fs')
  const { readLines } = await import('../../services/audit/src/index.ts')
  const { events, note, lines, hashes } = await fixture(100)
  const dir = mkdtempSync(join(tmpdir(), 'wams-lines-'))
  const file = join(dir, 'export.jsonl')
  writeFileSync(file, lines.join('\r\n') + '\r\n\r\n')
  const read: Buffer[] = []
  for await (const l of readLines(createReadStream(file, { highWaterMark: 333 }))) read.push(Buffer.from(l))
  t.same(read.filter((l) => l.length > 1).map((l) => l.toString().replace(/\r$/, '')), lines, 'every line, whole')
  const ok = await verifyExport({ exportLines: readLines(createReadStream(file, { highWaterMark: 333 })), checkpointNote: note, verifierKey: vkey })
  t.match(ok, { ok: true, leavesChecked: 100 })
  lines[64] = line(64, hashes[64]!, { ...events[64]!, outcome: 'deny' })
  writeFileSync(file, lines.join('\n'))
  const bad = await verifyExport({ exportLines: readLines(createReadStream(file, { highWaterMark: 333 })), checkpointNote: note, verifierKey: vkey })
  t.match(bad.errors, [{ leafIndex: 64, problem: 'altered', eventId: events[64]!.eventId }])
})
