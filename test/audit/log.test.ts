// The audit log end to end on real PostgreSQL and Kafka: a decision written through a producer's
// outbox becomes a stored, queryable event whose inclusion proof and signed checkpoint an
// independent implementation of the SPEC's hashing accepts; invalid messages are kept aside;
// checkpoints are public, signed on demand by the supervisor only, and consistent; tampering
// with the audit database is caught by the offline verifier, which names the event.
import t from 'tap'
import pino from 'pino'
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  OUTBOX_MIGRATIONS, OutboxRelay, Broker, createPool, inTransaction, migrate, recordAudit, PROBLEM_TYPE, type ConsumedMessage
} from '@wams/platform'
import { verifyExport, runVerify } from '../../services/audit/src/index.ts'
import { AuditStore } from '../../services/audit/src/store.ts'
import { MemoryNodeStore, appendLeaves, rootAt, verifyConsistency } from '@wams/transparency-log'
import { KAFKA_BROKERS, freshDatabase } from '../support/infra.ts'
import { bearer } from '../support/tokens.ts'
import { inclusionOk, leafOf, noteOk, sha256 } from '../support/rfc6962.ts'
import { ORG, caseOpened, decision, freshInfra, producer, pseudonymise, send, startAudit, waitFor, waitForCheckpoint } from './support.ts'

const supervisor = bearer({ org: ORG.ap, roles: ['supervisor'] })
const b64 = (s: string) => Buffer.from(s, 'base64')

t.test('audit log', async (t) => {
  const infra = await freshInfra(t, 'audit_log')
  const app = await startAudit(t, infra)

  // A producer service (the gateway, later) writes its decision through its own outbox and relay.
  const scratch = await freshDatabase('audit_producer')
  const scratchPool = createPool(scratch.url, 2)
  await migrate(scratchPool, OUTBOX_MIGRATIONS)
  const relayBroker = new Broker({ brokers: KAFKA_BROKERS, clientId: 'producer', topicPrefix: infra.prefix, partitions: 3, replicationFactor: 1 })
  const relay = new OutboxRelay({ pool: scratchPool, broker: relayBroker, logger: pino({ level: 'silent' }) })
  relay.start()
  t.teardown(async () => { await relay.stop(); await relayBroker.close(); await scratchPool.end(); await scratch.drop() })

  const caseId = randomUUID()
  const subjectRef = pseudonymise('bsn', '999990019')
  const permit = decision({ caseId, requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.zorggroep, subjectRef, outcome: 'permit', detail: { decision: 'permit', partnerStatus: 200, providerReason: 'één “quote” \\ ok' } })
  await inTransaction(scratchPool, (client) => recordAudit(client, [...caseOpened(caseId, ORG.voorbeeldstad), permit]))
  await waitForCheckpoint(app, 2)
  const broker = await producer(t, infra)

  await t.test('a decision is stored, queryable, and proven included by an independent implementation', async (t) => {
    const list = await app.inject({ url: `/v1/audit/events?caseId=${caseId}`, headers: supervisor })
    t.equal(list.statusCode, 200)
    t.same(list.json().events.map((e: { event: { eventId: string } }) => e.event.eventId).sort(), [permit.eventId, list.json().events[0].event.eventId].sort())
    const res = await app.inject({ url: `/v1/audit/events/${permit.eventId}`, headers: supervisor })
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.same(body.event, permit, 'the event exactly as the producer wrote it')
    const leaf = leafOf(body.event)
    t.equal(leaf.toString('base64'), body.leafHash, 'leaf hash = SHA-256(0x00 ‖ RFC 8785 JSON of the returned event)')
    t.ok(inclusionOk(leaf, body.leafIndex, body.treeSize, body.inclusionProof.map(b64), b64(body.rootHash)), 'RFC 9162 inclusion proof verifies')
    const keys = (await app.inject({ url: '/v1/audit/keys' })).json().keys
    t.match(keys, [{ algorithm: 'Ed25519', name: 'wams.example/audit' }])
    const signed = noteOk(body.signedNote, keys[0].publicKeyPem)
    t.ok(signed, 'the checkpoint is signed by the published key')
    t.same(signed, { size: body.treeSize, root: b64(body.rootHash) }, 'it signs the proof\'s tree size and root')
    const tampered = { ...body.event, outcome: 'deny' }
    t.notOk(inclusionOk(leafOf(tampered), body.leafIndex, body.treeSize, body.inclusionProof.map(b64), b64(body.rootHash)), 'a changed event fails')
    const forged = body.signedNote.replace(`\n${body.treeSize}\n`, `\n${body.treeSize + 1}\n`)
    t.equal(noteOk(forged, keys[0].publicKeyPem), null, 'a changed checkpoint fails')
  })

  await t.test('reads need a token of an active party; the checkpoint and the keys are public', async (t) => {
    const none = await app.inject({ url: '/v1/audit/events' })
    t.equal(none.statusCode, 401)
    t.match(none.headers['content-type'], PROBLEM_TYPE)
    t.equal((await app.inject({ url: '/v1/audit/events', headers: bearer({ org: ORG.inactive, roles: ['professional'] }) })).statusCode, 403)
    const unknown = await app.inject({ url: `/v1/audit/events/${randomUUID()}`, headers: supervisor })
    t.equal(unknown.statusCode, 404)
    t.match(unknown.json(), { status: 404, code: 'AUDIT_EVENT_NOT_FOUND' })
    const cp = await app.inject({ url: '/v1/audit/checkpoint' })
    t.equal(cp.statusCode, 200)
    t.match(cp.json(), { origin: 'wams.example/audit', treeSize: Number, signedNote: /^wams\.example\/audit\n\d+\n/ })
    const bad = await app.inject({ url: '/v1/audit/events?limit=501&outcome=maybe', headers: supervisor })
    t.equal(bad.statusCode, 400)
    t.equal(bad.json().errors.length, 2, 'every error at once')
    // Paths relative to the server URL /v1 (API Design Rules /core/uri-version).
    const doc = (await app.inject({ url: '/v1/openapi.json' })).json()
    t.same(doc.servers.map((s: { url: string }) => s.url), ['/v1'])
    const paths = Object.keys(doc.paths)
    t.same(paths.filter((p) => p.startsWith('/audit')).sort(), ['/audit/checkpoint', '/audit/checkpoints',
      '/audit/checkpoints/{treeSize}/cosignatures', '/audit/consistency', '/audit/events', '/audit/events/search', '/audit/events/{eventId}', '/audit/export', '/audit/keys', '/audit/receipts', '/audit/rejected',
      '/audit/statistics', '/audit/stream', '/audit/subject-report'])
  })

  await t.test('checkpoints on demand (supervisor only) are consistent with the earlier ones, and published', async (t) => {
    // The periodic checkpoints stop, so that what the on-demand ones sign is known.
    const seq = app.auditLog.sequencer
    await seq.stop()
    while (await seq.sequenceBatch() > 0);
    const before = (await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: supervisor })).json()
    const college = await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: bearer({ org: ORG.voorbeeldstad, roles: ['college'] }) })
    t.equal(college.statusCode, 403)
    t.match(college.json(), { status: 403, code: 'AUDIT_SUPERVISOR_ONLY' })
    const professional = await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: bearer({ org: ORG.ap, roles: ['professional'] }) })
    t.equal(professional.statusCode, 403, 'the toezichthouder needs the supervisor role')
    t.match(professional.json(), { status: 403, code: 'AUDIT_SUPERVISOR_ONLY' })
    const same = await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: supervisor })
    t.equal(same.statusCode, 200, 'no growth: the latest checkpoint')
    t.same(same.json(), before)

    const more = Array.from({ length: 5 }, () => decision({ caseId, requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.huisarts, subjectRef, outcome: 'deny', reasons: ['PROVIDER_NOT_PARTICIPANT'] }))
    await send(broker, more)
    await waitFor('stored', async () => (await app.auditLog.pool.query('SELECT count(*)::int AS n FROM audit_events WHERE event_id = ANY($1::uuid[])', [more.map((e) => e.eventId)])).rows[0].n === 5)
    while (await seq.sequenceBatch() > 0);
    const created = await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: supervisor })
    t.equal(created.statusCode, 201)
    const after = created.json()
    const head = Number((await app.auditLog.pool.query('SELECT size FROM tree_head')).rows[0].size)
    t.ok(after.treeSize >= before.treeSize + 5, 'the new events are in it')
    t.equal(after.treeSize, head, 'a checkpoint of the tree as it is now')
    seq.start()

    const consistency = await app.inject({ url: `/v1/audit/consistency?from=${before.treeSize}&to=${after.treeSize}`, headers: supervisor })
    t.equal(consistency.statusCode, 200)
    t.ok(verifyConsistency(before.treeSize, after.treeSize, consistency.json().proof.map(b64), b64(before.rootHash), b64(after.rootHash)),
      'the new checkpoint extends the old one')
    const reversed = await app.inject({ url: '/v1/audit/consistency?from=5&to=3', headers: supervisor })
    t.equal(reversed.statusCode, 400)
    t.match(reversed.json(), { status: 400, code: 'AUDIT_RANGE_INVALID' })
    const beyond = await app.inject({ url: `/v1/audit/consistency?from=1&to=${after.treeSize + 1}`, headers: supervisor })
    t.equal(beyond.statusCode, 400)
    t.match(beyond.json(), { status: 400, code: 'AUDIT_RANGE_BEYOND_LOG' })

    // Published on the checkpoints topic through the outbox.
    const seen: ConsumedMessage[] = []
    const sub = await broker.consume({ groupId: `t-${randomUUID()}`, topics: ['checkpoints'], handle: async (m) => { seen.push(...m) } })
    await waitFor('published checkpoints', async () => seen.some((m) => JSON.parse(m.value).treeSize === after.treeSize))
    await sub.stop()
    t.match(JSON.parse(seen.find((m) => JSON.parse(m.value).treeSize === after.treeSize)!.value), { origin: 'wams.example/audit', signedNote: after.signedNote })
  })

  await t.test('the log refuses to sign a checkpoint inconsistent with the previous one', async (t) => {
    await app.auditLog.sequencer.stop()
    t.teardown(() => app.auditLog.sequencer.start())
    const size = (await app.inject({ url: '/v1/audit/checkpoint' })).json().treeSize
    const one = decision({ caseId, requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.zorggroep, subjectRef, outcome: 'permit' })
    await send(broker, [one])
    await waitFor('stored', async () => (await app.auditLog.pool.query('SELECT 1 FROM audit_events WHERE event_id = $1', [one.eventId])).rowCount === 1)
    while (await app.auditLog.sequencer.sequenceBatch() > 0);
    const unsigned = await app.inject({ url: `/v1/audit/events/${one.eventId}`, headers: supervisor })
    t.equal(unsigned.statusCode, 404, 'sequenced, but no checkpoint covers it yet')
    t.match(unsigned.json(), { status: 404, code: 'AUDIT_EVENT_NOT_YET_SIGNED' })
    t.equal(unsigned.headers['retry-after'], '1', 'try again after the checkpoint interval')
    // Someone rewrites history: leaf 0 replaced and the whole tree recomputed to match, head included.
    const pool = app.auditLog.pool
    const saved = (await pool.query('SELECT level, idx, hash FROM merkle_nodes ORDER BY level, idx')).rows
    const head = (await pool.query('SELECT size, root_hash FROM tree_head')).rows[0]
    const leaves = saved.filter((n) => n.level === 0).map((n) => n.hash as Buffer)
    leaves[0] = sha256(Buffer.from('forged'))
    const forged = new MemoryNodeStore()
    const { nodes } = await appendLeaves(forged, 0, leaves)
    await forged.putNodes(nodes)
    await inTransaction(pool, async (c) => {
      await c.query('DELETE FROM merkle_nodes')
      for (const n of nodes) await c.query('INSERT INTO merkle_nodes (level, idx, hash) VALUES ($1, $2, $3)', [n.level, n.index, n.hash])
      await c.query('UPDATE tree_head SET root_hash = $1', [await rootAt(forged, leaves.length)])
    })
    const refused = await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: supervisor })
    t.equal(refused.statusCode, 500)
    t.match(refused.headers['content-type'], PROBLEM_TYPE)
    t.match(refused.json(), { status: 500, code: 'CHECKPOINT_REFUSED' })
    t.equal((await app.inject({ url: '/v1/audit/checkpoint' })).json().treeSize, size, 'nothing new was signed')
    await inTransaction(pool, async (c) => {
      await c.query('DELETE FROM merkle_nodes')
      for (const n of saved) await c.query('INSERT INTO merkle_nodes (level, idx, hash) VALUES ($1, $2, $3)', [n.level, n.idx, n.hash])
      await c.query('UPDATE tree_head SET root_hash = $1', [head.root_hash])
    })
    t.equal((await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: supervisor })).statusCode, 201, 'signs once the tree is sound again')
  })

  await t.test('an invalid message is kept aside, not in the tree, and logged without its content', async (t) => {
    const before = app.auditLog.stats.rejected
    await broker.send('audit', [
      { key: 'k1', value: 'not json at all' },
      { key: 'k2', value: JSON.stringify({ ...permit, eventId: randomUUID(), bsn: '999990019' }) }
    ])
    await waitFor('rejected', async () => app.auditLog.stats.rejected >= before + 2)
    const { rows } = await app.auditLog.pool.query<{ value: Buffer, problems: string[] }>('SELECT value, problems FROM rejected_messages ORDER BY id')
    t.equal(rows.length, 2)
    const garbage = rows.find((r) => r.value.toString() === 'not json at all')
    t.ok(garbage, 'kept, byte for byte')
    t.same(garbage!.problems, ['not JSON'])
    t.match(rows.find((r) => r !== garbage)!.problems, [/additional properties/])
    t.equal((await app.auditLog.pool.query('SELECT count(*)::int AS n FROM audit_events WHERE event ? \'bsn\'')).rows[0].n, 0, 'not stored as an event')

    // The store's log line, captured: where the message is, never what it holds.
    const lines: string[] = []
    const logger = pino({ level: 'info' }, new Writable({ write (chunk, _e, cb) { lines.push(String(chunk)); cb() } }))
    const store = new AuditStore({ pool: app.auditLog.pool, logger, instanceId: 'test' })
    const message = (value: string, offset: string): ConsumedMessage => ({ topic: 'x', partition: 0, offset, key: null, value, headers: {} })
    await store.handle([message(JSON.stringify({ bsn: '999990019', naam: 'Jan Jansen' }), '1'), message('{"eventId": 1, "detail": "999990019"}', '2')])
    t.equal(lines.length, 2)
    t.notMatch(lines.join(''), /999990019|Jansen/)
    t.match(JSON.parse(lines[0]!), { partition: 0, offset: '1', problemCount: Number })
    // A redelivered batch does not store anything twice.
    await store.handle([message(JSON.stringify({ bsn: '999990019' }), '1')])
    t.equal((await app.auditLog.pool.query('SELECT count(*)::int AS n FROM rejected_messages WHERE kafka_topic = \'x\'')).rows[0].n, 2)
  })

  await t.test('tampering with the audit database: the verifier fails and names the event', async (t) => {
    const events = Array.from({ length: 40 }, (_, i) => decision({ caseId: randomUUID(), requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.zorggroep, subjectRef, outcome: i % 2 ? 'permit' : 'deny' }))
    await send(broker, events)
    const { rows: sizeRows } = await app.auditLog.pool.query('SELECT count(*)::int AS n FROM audit_events')
    const total = await waitForCheckpoint(app, sizeRows[0].n + 40 - 0)
    const note = (await app.inject({ url: '/v1/audit/checkpoint' })).json()
    t.equal(note.treeSize, total)
    const verifierKey = (await app.inject({ url: '/v1/audit/keys' })).json().keys[0].verifierKey
    const check = async () => {
      const res = await app.inject({ url: `/v1/audit/export?to=${note.treeSize}`, headers: supervisor })
      t.equal(res.statusCode, 200)
      t.match(res.headers['content-type'], 'application/x-ndjson')
      return verifyExport({ exportLines: res.body.split('\n'), checkpointNote: note.signedNote, verifierKey })
    }
    t.match(await check(), { ok: true, treeSize: note.treeSize, leavesChecked: note.treeSize }, 'the untouched log verifies')
    const notSupervisor = await app.inject({ url: '/v1/audit/export', headers: bearer({ org: ORG.voorbeeldstad, roles: ['college'] }) })
    t.equal(notSupervisor.statusCode, 403, 'export is for the supervisor')
    t.match(notSupervisor.json(), { status: 403, code: 'AUDIT_SUPERVISOR_ONLY' })
    t.match((await app.inject({ url: '/v1/audit/export?from=5&to=3', headers: supervisor })).json(), { status: 400, code: 'AUDIT_RANGE_INVALID' })
    t.match((await app.inject({ url: '/v1/audit/export?to=1000000000', headers: supervisor })).json(), { status: 400, code: 'AUDIT_RANGE_BEYOND_LOG' },
      'not beyond the tree')
    // A number in the query may be a BSN someone typed there: the answer does not repeat it.
    const bsnLike = await app.inject({ url: '/v1/audit/export?to=999990019', headers: supervisor })
    t.match(bsnLike.json(), { status: 400, code: 'AUDIT_RANGE_BEYOND_LOG' })
    t.notOk(bsnLike.body.includes('999990019'), 'the range error does not repeat the number asked for')
    const bsnLikeFrom = await app.inject({ url: '/v1/audit/export?from=999990019&to=3', headers: supervisor })
    t.match(bsnLikeFrom.json(), { status: 400, code: 'AUDIT_RANGE_INVALID' })
    t.notOk(bsnLikeFrom.body.includes('999990019'), 'nor does the order error')

    const pool = app.auditLog.pool
    const at = async (id: string) => Number((await pool.query('SELECT leaf_index FROM audit_events WHERE event_id = $1', [id])).rows[0].leaf_index)
    const victim = events[11]!

    // 1. An event's content is changed.
    await pool.query('UPDATE audit_events SET event = jsonb_set(event, \'{outcome}\', \'"permit"\') || \'{"fieldsReleased":["diagnosisSummary"]}\' WHERE event_id = $1', [victim.eventId])
    let r = await check()
    t.match(r.errors[0], { leafIndex: await at(victim.eventId), problem: 'altered', eventId: victim.eventId })
    await pool.query('UPDATE audit_events SET event = $2 WHERE event_id = $1', [victim.eventId, JSON.stringify(victim)])
    t.equal((await check()).ok, true, 'restored')

    // 2. Two events swap places.
    const [a, b] = [events[5]!, events[30]!]
    const [ia, ib] = [await at(a.eventId), await at(b.eventId)]
    await inTransaction(pool, async (c) => {
      await c.query('UPDATE audit_events SET leaf_index = -1 WHERE event_id = $1', [a.eventId])
      await c.query('UPDATE audit_events SET leaf_index = $2 WHERE event_id = $1', [b.eventId, ia])
      await c.query('UPDATE audit_events SET leaf_index = $2 WHERE event_id = $1', [a.eventId, ib])
    })
    r = await check()
    t.match(r.errors[0], { leafIndex: Math.min(ia, ib), problem: 'reordered', eventId: ia < ib ? b.eventId : a.eventId })
    await inTransaction(pool, async (c) => {
      await c.query('UPDATE audit_events SET leaf_index = -1 WHERE event_id = $1', [a.eventId])
      await c.query('UPDATE audit_events SET leaf_index = $2 WHERE event_id = $1', [b.eventId, ib])
      await c.query('UPDATE audit_events SET leaf_index = $2 WHERE event_id = $1', [a.eventId, ia])
    })
    t.equal((await check()).ok, true, 'restored')

    // 3. An event is deleted; then also with the later ones moved up to close the gap.
    const gone = events[20]!
    const ig = await at(gone.eventId)
    await pool.query('DELETE FROM audit_events WHERE event_id = $1', [gone.eventId])
    r = await check()
    t.match(r.errors[0], { leafIndex: ig, problem: 'missing', detail: new RegExp(`leaf ${ig} is not in the export`) })
    await pool.query('UPDATE audit_events SET leaf_index = -leaf_index WHERE leaf_index > $1', [ig])
    await pool.query('UPDATE audit_events SET leaf_index = -leaf_index - 1 WHERE leaf_index < 0')
    r = await check()
    t.match(r.errors[0], { leafIndex: ig, problem: 'missing', detail: /moved up one place/ })

    // The CLI says the same, with exit code 1.
    const dir = mkdtempSync(join(tmpdir(), 'wams-audit-'))
    writeFileSync(join(dir, 'export.jsonl'), (await app.inject({ url: `/v1/audit/export?to=${note.treeSize}`, headers: supervisor })).body)
    writeFileSync(join(dir, 'checkpoint.txt'), note.signedNote)
    let out = ''
    const code = await runVerify(['--export', join(dir, 'export.jsonl'), '--checkpoint', join(dir, 'checkpoint.txt'), '--key', verifierKey],
      { stdout: new Writable({ write (c, _e, cb) { out += String(c); cb() } }), stderr: new Writable({ write (_c, _e, cb) { cb() } }) })
    t.equal(code, 1)
    t.match(out, new RegExp(`leaf ${ig}: missing`))
  })
})
