// The witness (C2SP tlog-witness, tlog-cosignature): `Witness` cosigns a log's checkpoints only
// when they extend the one it cosigned last, and remembers that one in its state file, so that a
// restarted witness still refuses a split view. Then end to end against a real audit service
// (PostgreSQL, Kafka): `npx wams witness --once` cosigns the log's checkpoint, the service keeps
// the cosignature and serves the checkpoint with it, and `npx wams verify --witness-key` counts it.
import t from 'tap'
import { createPublicKey } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  MemoryNodeStore, WitnessRefusal, Witness, appendLeaves, checkCosignatures, consistencyProof, cosignerVerifierKey,
  generateSigningKey, leafHash, parseCosignature, rootAt, signCheckpoint, verifierKeyString, verifyCosignature, parseCosignerKey,
  parseCheckpoint
} from '@wams/transparency-log'

const ORIGIN = 'wams.example/audit'

/** A log in memory: its own key, a tree that grows, its signed checkpoints and consistency proofs. */
class TestLog {
  readonly key = generateSigningKey()
  readonly vkey: string
  private store = new MemoryNodeStore()
  size = 0

  constructor (readonly origin = ORIGIN, public seed = 'main') {
    this.vkey = verifierKeyString(origin, this.key.publicKey)
  }

  /** Another log with the same key and the same first `n` leaves, then other leaves: a fork. */
  async fork (n: number, seed: string): Promise<TestLog> {
    const other = new TestLog(this.origin, this.seed)
    Object.assign(other, { key: this.key, vkey: this.vkey })
    await other.grow(n)
    other.seed = seed
    return other
  }

  async grow (n: number): Promise<this> {
    const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`${this.seed}-${this.size + i}`)))
    const { nodes, newSize } = await appendLeaves(this.store, this.size, leaves)
    await this.store.putNodes(nodes)
    this.size = newSize
    return this
  }

  async checkpoint (): Promise<string> {
    return signCheckpoint({ origin: this.origin, size: this.size, rootHash: await rootAt(this.store, this.size) }, { name: this.origin, privateKey: this.key.privateKey })
  }

  async proof (from: number): Promise<Buffer[]> {
    return consistencyProof(this.store, from, this.size)
  }
}

function witnessKey () {
  const { privateKey } = generateSigningKey()
  return { name: 'witness.wams.example/ap', privateKey }
}

const refusal = (reason: string, status?: number) => ({ name: 'WitnessRefusal', reason, ...(status === undefined ? {} : { status }) })

t.test('Witness: cosigns a growing log and refuses rollback, split view and inconsistency', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wams-witness-'))
  const stateFile = join(dir, 'state.json')
  const log = new TestLog()
  const cosigner = witnessKey()
  const witness = Witness.open({ cosigner, logs: [{ origin: ORIGIN, verifierKey: log.vkey }], stateFile })
  t.teardown(() => witness.close())
  const wkey = parseCosignerKey(witness.verifierKey)
  t.equal(witness.verifierKey, cosignerVerifierKey(cosigner.name, createPublicKey(cosigner.privateKey)))

  // A sequence: first checkpoint (no proof), then each from the last cosigned one.
  const cosigned: string[] = []
  for (const grow of [3, 1, 4, 8, 0, 21]) {
    const from = witness.stateOf(ORIGIN)?.treeSize ?? 0
    await log.grow(grow)
    const note = await log.checkpoint()
    const line = witness.cosign(note, await log.proof(from))
    const parsed = parseCheckpoint(note)
    t.ok(verifyCosignature(parsed.text, parseCosignature(line), wkey), `cosigned ${log.size} leaves`)
    t.match(checkCosignatures(`${note}${line}\n`, [witness.verifierKey], 1), { ok: true })
    t.equal(witness.stateOf(ORIGIN)?.treeSize, log.size)
    cosigned.push(note)
  }
  t.same(JSON.parse(readFileSync(stateFile, 'utf8')).logs[ORIGIN].treeSize, log.size, 'the state file holds the last cosigned size')

  const old = cosigned[2]!
  t.throws(() => witness.cosign(old, []), refusal('rollback'), 'an older (smaller) checkpoint is a rollback')
  const fork = await log.fork(log.size - 5, 'fork')
  await fork.grow(5)
  t.equal(fork.size, log.size)
  const forked = await fork.checkpoint()
  t.throws(() => witness.cosign(forked, []), refusal('split-view'), 'the same size with another root is a split view')
  await fork.grow(3)
  const larger = await fork.checkpoint()
  const forkProof = await fork.proof(log.size)
  t.throws(() => witness.cosign(larger, forkProof), refusal('inconsistent'),
    'a larger fork: its own proof does not reach the cosigned root')
  await log.grow(2)
  const proof = await log.proof(witness.stateOf(ORIGIN)!.treeSize)
  const bent = proof.map((h, i) => (i === 0 ? Buffer.from(h).fill(7) : h))
  const next = await log.checkpoint()
  t.throws(() => witness.cosign(next, bent), refusal('inconsistent'), 'a changed proof hash')
  t.throws(() => witness.cosign(next, proof.slice(1)), refusal('inconsistent'), 'a shortened proof')
  t.throws(() => witness.cosign(next, proof, { oldSize: 3 }), refusal('old-size-mismatch', 409))
  const evidence = readFileSync(`${stateFile}.evidence.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
  t.same(evidence.map((e) => e.reason), ['rollback', 'split-view', 'inconsistent', 'inconsistent', 'inconsistent'],
    'each refusal that shows misbehaviour is kept with the log-signed note')
  t.equal(witness.stateOf(ORIGIN)?.treeSize, log.size - 2, 'no refusal moved the state')
  t.match(witness.cosign(await log.checkpoint(), proof, { oldSize: log.size - 2 }), /^— witness\.wams\.example\/ap /, 'the real extension is cosigned')
  t.match(witness.cosign(await log.checkpoint(), []), /^— /, 'the same checkpoint again: cosigned again')

  // Not the log's checkpoint at all.
  const stranger = new TestLog('other.example/log')
  await stranger.grow(2)
  const strangers = await stranger.checkpoint()
  t.throws(() => witness.cosign(strangers, []), refusal('unknown-origin', 404))
  const impostor = new TestLog()
  await impostor.grow(log.size)
  const impostors = await impostor.checkpoint()
  t.throws(() => witness.cosign(impostors, []), refusal('bad-signature', 403), 'signed by another key')
  t.throws(() => witness.cosign('not a note', []), refusal('malformed', 400))
  t.throws(() => witness.cosign(next, ['not base64!']), refusal('malformed'))
})

t.test('Witness: a restarted witness remembers, and will not start without its memory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wams-witness-'))
  const stateFile = join(dir, 'state.json')
  const log = new TestLog()
  const cosigner = witnessKey()
  const options = { cosigner, logs: [{ origin: ORIGIN, verifierKey: log.vkey }], stateFile }
  const first = Witness.open(options)
  await log.grow(10)
  first.cosign(await log.checkpoint(), [])
  t.throws(() => Witness.open(options), /in use by process/, 'one witness process per state file')
  first.close()

  const fork = await log.fork(6, 'fork')
  await fork.grow(4)
  const restarted = Witness.open(options)
  t.teardown(() => restarted.close())
  t.equal(restarted.stateOf(ORIGIN)?.treeSize, 10)
  const forked = await fork.checkpoint()
  t.throws(() => restarted.cosign(forked, []), refusal('split-view'), 'the split view is refused after a restart')
  const foreign = await new TestLog().checkpoint()
  t.throws(() => restarted.cosign(foreign, []), refusal('bad-signature'))
  await log.grow(5)
  t.match(restarted.cosign(await log.checkpoint(), await log.proof(10)), /^— /, 'and the log itself goes on')
  restarted.close()

  writeFileSync(stateFile, '{"version":1,"logs":')
  t.throws(() => Witness.open(options), /not JSON: refusing to start/, 'a damaged state file stops the witness')
  t.notOk(existsSync(`${stateFile}.lock`), 'and does not keep the lock')
  writeFileSync(`${stateFile}.lock`, '999999999\n')
  writeFileSync(stateFile, JSON.stringify({ version: 1, logs: {} }))
  const afterCrash = Witness.open(options)
  afterCrash.close()
  t.pass('a lock left by a process that is gone is taken over')
})

t.test('refusals carry the status of tlog-witness', async (t) => {
  t.equal(new WitnessRefusal('split-view', 'x').status, 409)
  t.equal(new WitnessRefusal('inconsistent', 'x').status, 422)
})
