// Retention: after AUDIT_RETENTION_DAYS an event's content (and its subject pseudonym) is dropped,
// its leaf hash kept. Proofs and checkpoints made before the purge stay valid, the log keeps
// growing consistently, the API shows `event: null` with the leaf hash, and the export verifies.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { AuditEvent } from '@wams/platform'
import { verifyExport } from '../../services/audit/src/index.ts'
import { leafHash, verifyConsistency, verifyInclusion, canonicalEventJson } from '@wams/transparency-log'
import { bearer } from '../support/tokens.ts'
import { ORG, decision, freshInfra, producer, pseudonymise, send, startAudit, waitForCheckpoint } from './support.ts'

const b64 = (s: string) => Buffer.from(s, 'base64')
const DAY = 24 * 3600 * 1000

t.test('retention keeps old proofs and checkpoints valid', async (t) => {
  const infra = await freshInfra(t, 'audit_retention')
  let clock = new Date()
  const app = await startAudit(t, infra, { now: () => clock, env: { AUDIT_RETENTION_DAYS: '365' } })
  const broker = await producer(t, infra)
  const sup = bearer({ org: ORG.ap, roles: ['supervisor'] })
  const me = pseudonymise('bsn', '999990019')
  const caseId = randomUUID()
  const made = (time: Date, outcome: 'permit' | 'deny') =>
    decision({ caseId, requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.zorggroep, subjectRef: me, outcome, time })
  const old = [made(new Date(Date.now() - 400 * DAY), 'permit'), made(new Date(Date.now() - 390 * DAY), 'deny'), made(new Date(Date.now() - 380 * DAY), 'permit')]
  const recent = [made(new Date(Date.now() - 10 * DAY), 'permit'), made(new Date(), 'permit')]
  await send(broker, [...old, ...recent])
  await waitForCheckpoint(app, 5)
  const before = (await app.inject({ url: '/v1/audit/checkpoint' })).json()
  const proofOf = async (e: AuditEvent) => (await app.inject({ url: `/v1/audit/events/${e.eventId}`, headers: sup })).json()
  const oldProof = await proofOf(old[0]!)
  t.same(oldProof.event, old[0])

  clock = new Date() // the purge runs with the injected clock
  t.same(await app.auditLog.purgeExpired(), { events: 3, rejectedMessages: 0 })
  t.same(await app.auditLog.purgeExpired(), { events: 0, rejectedMessages: 0 }, 'a second run finds nothing')
  const rows = (await app.auditLog.pool.query('SELECT event, subject_ref, leaf_hash, purged_at, event_id FROM audit_events WHERE event_id = ANY($1::uuid[])', [old.map((e) => e.eventId)])).rows
  t.ok(rows.every((r) => r.event === null && r.subject_ref === null && r.purged_at !== null && r.leaf_hash.length === 32), 'content and pseudonym gone, leaf hash kept')

  const after = await proofOf(old[0]!)
  t.equal(after.event, null, 'the API shows event: null')
  t.equal(after.leafHash, oldProof.leafHash, 'with the same leaf hash')
  t.equal(after.leafHash, leafHash(Buffer.from(canonicalEventJson(old[0]!))).toString('base64'), 'which is the hash of the original event')
  t.same(after.inclusionProof, oldProof.inclusionProof)
  t.ok(verifyInclusion(b64(oldProof.leafHash), oldProof.leafIndex, before.treeSize, oldProof.inclusionProof.map(b64), b64(before.rootHash)),
    'the proof from before the purge still verifies against the checkpoint')
  t.same((await app.inject({ url: '/v1/audit/checkpoint' })).json().rootHash, before.rootHash, 'the root did not change')
  const listed = (await app.inject({ url: `/v1/audit/events?caseId=${caseId}`, headers: sup })).json().events
  t.same(listed.map((e: { event: unknown }) => e.event === null), [true, true, true, false, false], 'listed by case id, content null')

  // The log grows on, consistently with the checkpoint from before the purge.
  await send(broker, [made(new Date(), 'deny')])
  await waitForCheckpoint(app, 6)
  const later = (await app.inject({ url: '/v1/audit/checkpoint' })).json()
  const consistency = (await app.inject({ url: `/v1/audit/consistency?from=${before.treeSize}&to=${later.treeSize}`, headers: sup })).json()
  t.ok(verifyConsistency(before.treeSize, later.treeSize, consistency.proof.map(b64), b64(before.rootHash), b64(later.rootHash)), 'consistent')
  const laterProof = await proofOf(old[0]!)
  t.ok(verifyInclusion(b64(oldProof.leafHash), laterProof.leafIndex, later.treeSize, laterProof.inclusionProof.map(b64), b64(later.rootHash)),
    'the purged event is still provably in the log')

  const exported = (await app.inject({ url: '/v1/audit/export', headers: sup })).body
  const verifierKey = (await app.inject({ url: '/v1/audit/keys' })).json().keys[0].verifierKey
  const result = await verifyExport({ exportLines: exported.split('\n'), checkpointNote: later.signedNote, verifierKey, previousCheckpointNote: before.signedNote })
  t.match(result, { ok: true, treeSize: 6, purgedLeaves: 3, previousTreeSize: 5 })

  const report = (await app.inject({ method: 'POST', url: '/v1/audit/subject-report', headers: sup, payload: { bsn: '999990019' } })).json()
  t.same(report.disclosures.map((d: { eventId: string }) => d.eventId).sort(), recent.map((e) => e.eventId).sort(), 'the report covers the retention period')
})
