// Several instances, one log: two audit services in one consumer group split the partitions and
// both store, one of them sequences (the other stands by), and the result is one tree holding
// every event once. When the sequencer stops, the other instance takes over and the log goes on,
// consistent with the checkpoints signed before.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { Broker } from '@wams/platform'
import { verifyExport } from '../../services/audit/src/index.ts'
import { bearer } from '../support/tokens.ts'
import { KAFKA_BROKERS } from '../support/infra.ts'
import { ORG, decision, freshInfra, producer, send, startAudit, waitFor, waitForCheckpoint } from './support.ts'

t.test('two instances in one group make one consistent tree with every event once', async (t) => {
  const infra = await freshInfra(t, 'audit_instances')
  const a = await startAudit(t, infra)
  const b = await startAudit(t, infra)
  const broker = await producer(t, infra)

  // Wait until the group has settled with both members, so both get partitions.
  const admin = new Broker({ brokers: KAFKA_BROKERS, clientId: 'admin', topicPrefix: infra.prefix, partitions: 3, replicationFactor: 1 }).admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())
  await waitFor('both instances in the group', async () => {
    const { groups } = await admin.describeGroups([`${infra.prefix}wams-audit`])
    return groups[0]?.state === 'Stable' && groups[0].members.length === 2
  }, 30000)

  const caseIds = Array.from({ length: 30 }, () => randomUUID())
  const make = (n: number) => Array.from({ length: n }, (_, i) =>
    decision({ caseId: caseIds[i % caseIds.length]!, requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.zorggroep, subjectRef: null, outcome: 'permit' }))
  const first = make(300)
  await send(broker, first)
  await waitForCheckpoint(a, 300)

  t.equal([a, b].filter((x) => x.auditLog.sequencer.isLeader).length, 1, 'exactly one sequencer')
  t.equal(a.auditLog.stats.inserted + b.auditLog.stats.inserted, 300, 'every event stored once between them')
  t.ok(a.auditLog.stats.inserted > 0 && b.auditLog.stats.inserted > 0, `both consumed: ${a.auditLog.stats.inserted} + ${b.auditLog.stats.inserted}`)
  const pool = a.auditLog.pool
  const summary = async () => (await pool.query('SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS ids, count(DISTINCT stored_by)::int AS instances, min(leaf_index)::int AS min, max(leaf_index)::int AS max FROM audit_events')).rows[0]
  t.same(await summary(), { n: 300, ids: 300, instances: 2, min: 0, max: 299 })

  const sup = bearer({ org: ORG.ap, roles: ['supervisor'] })
  const keyOf = async (app: typeof a) => (await app.inject({ url: '/v1/audit/keys' })).json().keys[0].verifierKey
  t.equal(await keyOf(a), await keyOf(b), 'one signing key')
  const cp1A = (await a.inject({ url: '/v1/audit/checkpoint' })).json()
  const cp1B = (await b.inject({ url: '/v1/audit/checkpoint' })).json()
  t.same(cp1A, cp1B, 'both instances serve the same checkpoint')
  const verifierKey = await keyOf(a)
  const exportOf = async (app: typeof a, to: number) => (await app.inject({ url: `/v1/audit/export?to=${to}`, headers: sup })).body.split('\n')
  t.match(await verifyExport({ exportLines: await exportOf(b, cp1A.treeSize), checkpointNote: cp1A.signedNote, verifierKey }), { ok: true, treeSize: 300 })

  // The sequencer goes away; the other instance takes over and the log continues.
  const [leader, standby] = a.auditLog.sequencer.isLeader ? [a, b] : [b, a]
  await leader.close()
  await waitFor('the standby takes over', async () => standby.auditLog.sequencer.isLeader, 10000)
  const second = make(100)
  await send(broker, second)
  await waitForCheckpoint(standby, 400, 45000)
  const cp2 = (await standby.inject({ url: '/v1/audit/checkpoint' })).json()
  const result = await verifyExport({ exportLines: await exportOf(standby, cp2.treeSize), checkpointNote: cp2.signedNote, verifierKey, previousCheckpointNote: cp1A.signedNote })
  t.match(result, { ok: true, treeSize: 400, previousTreeSize: 300 }, 'consistent with the checkpoint the first sequencer signed')
  const ids = (await standby.auditLog.pool.query('SELECT count(DISTINCT event_id)::int AS n, count(*)::int AS rows FROM audit_events')).rows[0]
  t.same(ids, { n: 400, rows: 400 })
})
