// Nothing lost, nothing twice: an audit service killed (SIGKILL) after it committed a batch to
// its database but before the offsets reached Kafka gets the batch again after a restart; the
// unique event id drops the redelivery, and every event is in the tree exactly once.
import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { verifyExport } from '../../services/audit/src/index.ts'
import { bearer } from '../support/tokens.ts'
import { ORG, auditEnv, decision, freshInfra, producer, send, startAudit, waitForCheckpoint } from './support.ts'

const FIXTURE = fileURLToPath(new URL('./fixtures/crashing-instance.ts', import.meta.url))

t.test('a consumer killed between the database commit and the offset commit loses nothing and stores nothing twice', async (t) => {
  const infra = await freshInfra(t, 'audit_crash')
  const broker = await producer(t, infra)
  const caseIds = Array.from({ length: 12 }, () => randomUUID())
  const events = Array.from({ length: 600 }, (_, i) =>
    decision({ caseId: caseIds[i % caseIds.length]!, requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.zorggroep, subjectRef: null, outcome: 'permit' }))
  await send(broker, events)

  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: { ...process.env, ...auditEnv(infra) }, stdio: ['ignore', 'pipe', 'inherit']
  })
  let output = ''
  child.stdout.on('data', (chunk) => { output += String(chunk) })
  const [code, signal] = await once(child, 'exit') as [number | null, string | null]
  t.equal(signal, 'SIGKILL', 'the instance died by SIGKILL')
  t.equal(code, null)
  const storedBeforeCrash = Number(/stored (\d+)/.exec(output)?.[1] ?? 0)
  t.ok(storedBeforeCrash > 0, `it had committed a batch of ${storedBeforeCrash} events to its database`)

  const app = await startAudit(t, infra)
  await waitForCheckpoint(app, events.length)
  const pool = app.auditLog.pool
  t.equal(app.auditLog.stats.duplicates, storedBeforeCrash, 'the uncommitted batch came again and was dropped as duplicates')
  t.equal(app.auditLog.stats.inserted, events.length - storedBeforeCrash)
  const { rows } = await pool.query<{ n: number, ids: number, min: string, max: string, sequenced: number }>(
    'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS ids, min(leaf_index) AS min, max(leaf_index) AS max, count(leaf_index)::int AS sequenced FROM audit_events')
  t.same(rows[0], { n: 600, ids: 600, min: '0', max: '599', sequenced: 600 }, 'every event once, leaves 0..599')
  const stored = (await pool.query<{ id: string }>('SELECT event_id AS id FROM audit_events')).rows.map((r) => r.id).sort()
  t.same(stored, events.map((e) => e.eventId).sort(), 'exactly the events that were sent')
  // Per partition, the tree keeps Kafka's order.
  const order = (await pool.query<{ p: number, o: string }>('SELECT kafka_partition AS p, kafka_offset AS o FROM audit_events ORDER BY leaf_index')).rows
  for (const p of new Set(order.map((r) => r.p))) {
    const offsets = order.filter((r) => r.p === p).map((r) => Number(r.o))
    t.same(offsets, [...offsets].sort((x, y) => x - y), `partition ${p}: leaves in offset order`)
  }
  const sup = bearer({ org: ORG.ap, roles: ['supervisor'] })
  const checkpoint = (await app.inject({ url: '/v1/audit/checkpoint' })).json()
  const verifierKey = (await app.inject({ url: '/v1/audit/keys' })).json().keys[0].verifierKey
  const exported = (await app.inject({ url: `/v1/audit/export?to=${checkpoint.treeSize}`, headers: sup })).body.split('\n')
  t.match(await verifyExport({ exportLines: exported, checkpointNote: checkpoint.signedNote, verifierKey }), { ok: true, treeSize: 600 })
})
