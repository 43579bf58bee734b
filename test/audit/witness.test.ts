// The witness (C2SP tlog-witness, tlog-cosignature): `Witness` cosigns a log's checkpoints only
// when they extend the one it cosigned last, and remembers that one in its state file, so that a
// restarted witness still refuses a split view. Then end to end against a real audit service
// (PostgreSQL, Kafka): `npx wams witness --once` cosigns the log's checkpoint, the service keeps
// the cosignature and serves the checkpoint with it, and `npx wams verify --witness-key` counts it.
import t from 'tap'
import { createPublicKey, randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import {
  MemoryNodeStore, WitnessRefusal, Witness, appendLeaves, checkCosignatures, consistencyProof, cosignerVerifierKey,
  generateSigningKey, leafHash, loadOrCreateCosigner, parseCosignature, rootAt, signCheckpoint, signCosignature,
  verifierKeyString, verifyCosignature, parseCosignerKey, parseCheckpoint
} from '@wams/transparency-log'
import { runVerify } from '@wams/transparency-log/verify'
import { witnessCommand } from '../../packages/cli/src/witness.ts'
import { bearer, token } from '../support/tokens.ts'
import { ORG, decision, freshInfra, producer, send, startAudit, waitForCheckpoint } from './support.ts'

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

// ---- end to end: the CLI witness against a real audit service --------------------------------

function capture () {
  let text = ''
  return { stream: new Writable({ write (c, _e, cb) { text += String(c); cb() } }), text: () => text }
}

async function cli (argv: string[]): Promise<{ code: number, out: string, err: string }> {
  const out = capture()
  const err = capture()
  let code: number
  try {
    code = await witnessCommand(argv, { stdout: out.stream, stderr: err.stream })
  } catch (e) {
    code = 2
    err.stream.write((e as Error).message)
  }
  return { code, out: out.text(), err: err.text() }
}

async function verify (argv: string[]): Promise<{ code: number, out: string }> {
  const out = capture()
  const code = await runVerify(argv, { stdout: out.stream, stderr: capture().stream })
  return { code, out: out.text() }
}

t.test('npx wams witness against the audit service: cosigned, served, counted by wams verify', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wams-witness-e2e-'))
  const keyFile = join(dir, 'witness.pem')
  const stateFile = join(dir, 'witness-state.json')
  // The supervisor makes the witness key first and configures the log with it (WITNESS_KEYS).
  const { cosigner } = loadOrCreateCosigner(keyFile, 'ap.example/witness')
  const witnessVkey = cosignerVerifierKey(cosigner.name, createPublicKey(cosigner.privateKey))
  const infra = await freshInfra(t, 'audit_witness')
  const app = await startAudit(t, infra, { env: { WITNESS_KEYS: witnessVkey } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const supervisor = bearer({ org: ORG.ap, roles: ['supervisor'] })
  const supervisorToken = token({ org: ORG.ap, roles: ['supervisor'] })

  const broker = await producer(t, infra)
  const events = (n: number) => Array.from({ length: n }, () => decision({
    caseId: randomUUID(), requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.zorggroep, subjectRef: null, outcome: 'permit'
  }))
  await send(broker, events(5))
  await waitForCheckpoint(app, 5)
  const logKey = (await app.inject({ url: '/v1/audit/keys' })).json().keys[0].verifierKey as string
  const args = ['--log-url', url, '--log-key', logKey, '--key-file', keyFile, '--state', stateFile, '--token', supervisorToken, '--name', 'ap.example/witness', '--once']

  const first = await cli(args)
  t.equal(first.code, 0, first.err)
  t.match(first.out, `witness key: ${witnessVkey}`, 'it prints its verifier key first')
  t.match(first.out, /cosigned "wams\.example\/audit" at \d+ leaves/)
  let served = (await app.inject({ url: '/v1/audit/checkpoint' })).json()
  t.match(checkCosignatures(served.signedNote, [witnessVkey], 1), { ok: true, valid: 1 }, 'GET /v1/audit/checkpoint carries the cosignature')
  t.equal(served.signedNote.split('\n\n')[1].trim().split('\n').length, 2, 'two signature lines: the log\'s and the witness\'s')
  t.match(await cli(args), { code: 0, out: /cosigned already/ }, 'nothing new: nothing to do')

  // The log grows: the witness asks for the consistency proof from what it cosigned.
  const before = served.treeSize as number
  await send(broker, events(7))
  await waitForCheckpoint(app, before + 7)
  const second = await cli(args)
  t.equal(second.code, 0, second.err)
  t.match(second.out, new RegExp(`cosigned ${before} leaves last`))
  served = (await app.inject({ url: '/v1/audit/checkpoint' })).json()
  t.equal(JSON.parse(readFileSync(stateFile, 'utf8')).logs['wams.example/audit'].treeSize, served.treeSize)
  t.match(checkCosignatures(served.signedNote, [witnessVkey], 1), { ok: true })

  await t.test('wams verify --witness-key: passes with the witness, fails with another key', async (t) => {
    writeFileSync(join(dir, 'export.jsonl'), (await app.inject({ url: `/v1/audit/export?to=${served.treeSize}`, headers: supervisor })).body)
    writeFileSync(join(dir, 'checkpoint.txt'), served.signedNote)
    const base = ['--export', join(dir, 'export.jsonl'), '--checkpoint', join(dir, 'checkpoint.txt'), '--key', logKey]
    const other = cosignerVerifierKey('ap.example/witness', generateSigningKey().publicKey)
    const ok = await verify([...base, '--witness-key', witnessVkey])
    t.equal(ok.code, 0, ok.out)
    t.match(ok.out, /OK: the checkpoint carries valid cosignatures of 1 of the given witnesses; 1 required/)
    const wrong = await verify([...base, '--witness-key', other])
    t.equal(wrong.code, 1)
    t.match(wrong.out, /FAILED: the checkpoint carries valid cosignatures of 0 .*\n.*: missing/)
    t.equal((await verify([...base, '--witness-key', other, '--witness-key', witnessVkey])).code, 1, 'both required by default')
    t.equal((await verify([...base, '--witness-key', other, '--witness-key', witnessVkey, '--min-cosignatures', '1'])).code, 0, 'one of two')
    t.equal((await verify([...base, '--witness-key', witnessVkey, '--min-cosignatures', '2'])).code, 2, 'a quorum larger than the keys is a usage error')
    t.equal((await verify(base)).code, 0, 'without witness keys, as before')
    const json = JSON.parse((await verify([...base, '--witness-key', witnessVkey, '--json'])).out)
    t.match(json, { ok: true, cosignatures: { ok: true, valid: 1, required: 1, witnesses: [{ status: 'valid' }] } })
  })

  await t.test('POST /v1/audit/checkpoints/{treeSize}/cosignatures takes only valid cosignatures of configured witnesses', async (t) => {
    const path = `/v1/audit/checkpoints/${served.treeSize}/cosignatures`
    const body = parseCheckpoint(served.signedNote).text
    const now = Math.floor(Date.now() / 1000)
    const post = (cosignature: string, headers: Record<string, string> = supervisor, at = path) =>
      app.inject({ method: 'POST', url: at, headers, payload: { cosignature } })
    const again = await post(signCosignature(body, cosigner, now + 1))
    t.equal(again.statusCode, 201, 'a newer cosignature of the same checkpoint replaces the older')
    t.match(again.json(), { treeSize: served.treeSize, witness: witnessVkey.split('+').slice(0, 2).join('+'), timestamp: now + 1 })
    t.match(checkCosignatures(again.json().signedNote, [witnessVkey], 1), { ok: true })
    t.equal((await post(signCosignature(body, cosigner, now - 100))).statusCode, 200, 'an older one changes nothing')
    const college = bearer({ org: ORG.voorbeeldstad, roles: ['college'] })
    t.match((await post(signCosignature(body, cosigner, now), college)).json(), { status: 403, code: 'AUDIT_SUPERVISOR_ONLY' })
    const stranger = { name: 'ap.example/witness', privateKey: generateSigningKey().privateKey }
    t.match((await post(signCosignature(body, stranger, now))).json(), { status: 403, code: 'AUDIT_WITNESS_UNKNOWN' })
    const otherBody = body.replace(/\n\d+\n/, '\n1\n')
    t.match((await post(signCosignature(otherBody, cosigner, now))).json(), { status: 422, code: 'AUDIT_COSIGNATURE_INVALID' }, 'over another checkpoint')
    t.match((await post(signCosignature(body, cosigner, now + 3600))).json(), { status: 422, code: 'AUDIT_COSIGNATURE_INVALID' }, 'stamped in the future')
    t.match((await post(signCosignature(body, cosigner, now), supervisor, '/v1/audit/checkpoints/999999/cosignatures')).json(), { status: 404, code: 'AUDIT_CHECKPOINT_NOT_FOUND' })
    t.equal((await post('— ap.example/witness bm90IGEgY29zaWduYXR1cmU=')).statusCode, 400, 'not a cosignature line')
    t.equal((await post(signCosignature(body, cosigner, now), supervisor, '/v1/audit/checkpoints/99999999999999999999/cosignatures')).statusCode, 400, 'a size beyond 2^53 - 1')
    t.equal((await app.inject({ method: 'POST', url: path, payload: { cosignature: 'x' } })).statusCode, 401)
  })

  await t.test('without --once it polls until stopped, cosigning each new checkpoint', async (t) => {
    const stop = new AbortController()
    const out = capture()
    const running = witnessCommand(args.filter((a) => a !== '--once').concat('--interval', '100'), { stdout: out.stream, stderr: capture().stream, signal: stop.signal })
    const size = (await app.inject({ url: '/v1/audit/checkpoint' })).json().treeSize as number
    await send(broker, events(3))
    await waitForCheckpoint(app, size + 3)
    // (The log's own events, such as the failed authentication above, may be in it too.)
    const cosignedSizes = () => [...out.text().matchAll(/cosigned "wams\.example\/audit" at (\d+) leaves/g)].map((m) => Number(m[1]))
    const deadline = Date.now() + 20_000
    while (!cosignedSizes().some((n) => n >= size + 3) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    stop.abort()
    t.equal(await running, 0, 'it stops on the signal')
    t.ok(cosignedSizes().some((n) => n >= size + 3), `it cosigned the grown log (${out.text()})`)
    const last = Math.max(...cosignedSizes())
    const { rows } = await app.auditLog.pool.query('SELECT witness_name FROM checkpoint_cosignatures WHERE tree_size = $1', [last])
    t.same(rows, [{ witness_name: 'ap.example/witness' }], 'and handed the cosignature in')
  })

  await t.test('a split view served by the log is refused and reported, after a restart too', async (t) => {
    // The log (its own key) signs another root for the size the witness cosigned last, and serves
    // it as its latest checkpoint: a fork. (Under the checkpointer's lock; from then on the
    // checkpointer itself refuses to sign, as the tree is not consistent with the forged root.)
    const size = JSON.parse(readFileSync(stateFile, 'utf8')).logs['wams.example/audit'].treeSize as number
    const forged = signCheckpoint({ origin: 'wams.example/audit', size, rootHash: Buffer.alloc(32, 1) }, app.auditLog.key)
    const client = await app.auditLog.pool.connect()
    try {
      await client.query('BEGIN')
      await client.query('SELECT pg_advisory_xact_lock(7246782)') // the checkpointer's (checkpointer.ts)
      await client.query('UPDATE checkpoints SET signed_note = $1 WHERE tree_size = $2', [forged, size])
      await client.query('DELETE FROM checkpoint_cosignatures WHERE tree_size > $1', [size])
      await client.query('DELETE FROM checkpoints WHERE tree_size > $1', [size])
      await client.query('COMMIT')
    } finally {
      client.release()
    }
    t.equal((await app.inject({ url: '/v1/audit/checkpoint' })).json().treeSize, size, 'the log serves the fork')
    const refused = await cli(args)
    t.equal(refused.code, 1, 'non-zero exit with --once')
    t.match(refused.err, /REFUSED \(split-view\): split view: "wams\.example\/audit" at \d+ leaves/)
    const evidence = readFileSync(`${stateFile}.evidence.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    t.match(evidence.at(-1), { reason: 'split-view', note: forged }, 'the forked note is kept as evidence')
    // Each --once run is a fresh witness on the state file: the next one refuses as well.
    t.match(await cli(args), { code: 1, err: /REFUSED \(split-view\)/ }, 'refused again by the restarted witness')
    const served2 = (await app.inject({ url: '/v1/audit/checkpoint' })).json()
    t.match(checkCosignatures(served2.signedNote, [witnessVkey], 1), { ok: false }, 'the fork carries no valid cosignature')
  })
})
