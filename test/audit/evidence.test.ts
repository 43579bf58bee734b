// Evidence end to end (SPEC §7, issue 8): a producer keeps each audit event until the audit log has
// proven — under a signed checkpoint, checked by the producer — that it holds it; events that never
// reached the log are published again; one that stays missing raises an alarm; a log that lies is
// not believed. Real PostgreSQL and Kafka; the producer is the platform runtime every service uses.
import t from 'tap'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import {
  baseConfigSchema, buildAuditEvent, loadConfig, parseTraceparent, pruneOutbox, recordAudit, startRuntime,
  type BaseConfig, type Runtime
} from '@wams/platform'
import { eventLeafHash, generateSigningKey, signCheckpoint } from '@wams/transparency-log'
import { bearer } from '../support/tokens.ts'
import { KAFKA_BROKERS, freshDatabase } from '../support/infra.ts'
import { freshInfra, startAudit, type Infra } from './support.ts'

type Teardown = { teardown: (fn: () => unknown) => void }

async function until<T> (what: string, fn: () => Promise<T | null | false>, timeoutMs = 40000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v !== null && v !== false) return v
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function event (n: number) {
  return buildAuditEvent({
    type: 'data-request.decision',
    source: 'gateway',
    transactionId: randomUUID(),
    actor: { org: '00000099000000000101', sub: `tester-${n}`, roles: ['college'], partyType: 'gemeente' },
    processingActivity: { id: 'wams.data-request.onderzoek', version: '1' },
    outcome: 'deny',
    reasons: ['CASE_NOT_FOUND'],
    necessity: `Evidence test event number ${n}, long enough.`,
    detail: { decision: 'deny' }
  }, parseTraceparent(undefined))
}

/** A producer: the platform runtime on its own database, publishing to the audit log's topics. */
async function producer (t: Teardown, infra: Infra, auditUrl: string, env: Record<string, string> = {}): Promise<Runtime> {
  const db = await freshDatabase('evidence_producer')
  const config = loadConfig<BaseConfig>(baseConfigSchema, {
    SERVICE_NAME: 'evidence-test',
    DATABASE_URL: db.url,
    KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX: infra.prefix,
    LOG_LEVEL: 'silent',
    AUDIT_URL: auditUrl,
    EVIDENCE_INTERVAL_MS: '150',
    EVIDENCE_REPUBLISH_MS: '1500',
    EVIDENCE_MAX_ATTEMPTS: '3',
    ...env
  })
  const runtime = await startRuntime({ config })
  t.teardown(async () => { await runtime.close(); await db.drop() })
  return runtime
}

async function outboxRows (runtime: Runtime) {
  const { rows } = await runtime.pool.query<{ event_id: string, proven_at: Date | null, leaf_index: string | null, publish_count: number, alarmed_at: Date | null }>(
    "SELECT event_id, proven_at, leaf_index, publish_count, alarmed_at FROM outbox WHERE topic = 'audit' ORDER BY id")
  return rows
}

async function listening (t: Teardown, infra: Infra) {
  const audit = await startAudit(t, infra)
  await audit.listen({ host: '127.0.0.1', port: 0 })
  return { audit, url: `http://127.0.0.1:${(audit.server.address() as AddressInfo).port}` }
}

t.test('a producer keeps its events until the log proved it holds them, then knows their place', async (t) => {
  const infra = await freshInfra(t, 'evidence_proven')
  const { audit, url } = await listening(t, infra)
  const runtime = await producer(t, infra, url)
  const events = Array.from({ length: 40 }, (_, i) => event(i))
  await recordAudit(runtime.pool, events)
  t.equal(runtime.evidence.releasable, true)

  const rows = await until('every event proven', async () => {
    const r = await outboxRows(runtime)
    return r.every((row) => row.proven_at !== null) ? r : null
  })
  t.equal(rows.length, 40)
  // The producer's leaf index is the log's: ask the log for a few.
  const supervisor = bearer({ org: '00000099000000001501', roles: ['supervisor'], sub: 'ap' })
  for (const row of rows.slice(0, 3)) {
    const res = await audit.inject({ url: `/v1/audit/events/${row.event_id}`, headers: supervisor })
    t.equal(res.statusCode, 200)
    t.equal(String(res.json().leafIndex), row.leaf_index, 'the leaf index the producer proved is the log\'s')
  }
  const status = await runtime.evidence.refreshStatus()
  t.equal(status.unproven, 0)
  t.equal(status.alarmed, 0)
  t.ok(status.proven >= 40)
  t.equal(runtime.evidence.releasable, true)

  // Pruning never drops an unproven event; proven ones go after their retention.
  await recordAudit(runtime.pool, [event(99)])
  t.equal(await pruneOutbox(runtime.pool, 0), 40, 'the 40 proven rows are pruned')
  t.equal((await outboxRows(runtime)).length, 1, 'the unproven one stays')
})

t.test('events the log never received are published again until it holds them (exactly once)', async (t) => {
  const infra = await freshInfra(t, 'evidence_lost')
  const { audit, url } = await listening(t, infra)
  const runtime = await producer(t, infra, url)
  // As if the broker acknowledged them and then lost its data: marked published, never delivered.
  const events = Array.from({ length: 25 }, (_, i) => event(i))
  await runtime.pool.query(
    `INSERT INTO outbox (topic, message_key, event_id, payload, published_at, publish_count)
     SELECT 'audit', e.id, e.id, e.payload, now() - interval '1 hour', 1 FROM unnest($1::text[], $2::text[]) AS e(id, payload)`,
    [events.map((e) => e.eventId), events.map((e) => JSON.stringify(e))])

  const rows = await until('the lost events proven', async () => {
    const r = await outboxRows(runtime)
    return r.every((row) => row.proven_at !== null) ? r : null
  })
  t.ok(rows.every((r) => r.publish_count >= 2), 'each was published again')
  const { rows: stored } = await audit.auditLog.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM audit_events WHERE event_id = ANY($1::uuid[])', [events.map((e) => e.eventId)])
  t.equal(stored[0]!.n, 25, 'the log holds each exactly once')
  t.ok(runtime.evidence.status().republished >= 25)
  t.equal(runtime.evidence.status().alarmed, 0)
})

t.test('an event the log cannot hold raises the alarm and stops release', async (t) => {
  const infra = await freshInfra(t, 'evidence_alarm')
  const { audit, url } = await listening(t, infra)
  const runtime = await producer(t, infra, url, { EVIDENCE_REPUBLISH_MS: '300', EVIDENCE_MAX_ATTEMPTS: '2' })
  // Written past the contract check (which refuses it), as a defective producer would.
  const bad = { ...event(1), necessity: 'broken \ud800 surrogate text in the evidence' }
  await runtime.pool.query("INSERT INTO outbox (topic, message_key, event_id, payload) VALUES ('audit', $1, $1, $2)", [bad.eventId, JSON.stringify(bad)])

  const rows = await until('the alarm', async () => {
    const r = await outboxRows(runtime)
    return r[0]?.alarmed_at ? r : null
  })
  t.ok(rows[0]!.publish_count >= 2, 'published repeatedly first')
  t.equal(rows[0]!.proven_at, null, 'never marked proven')
  const status = await runtime.evidence.refreshStatus()
  t.equal(status.alarmed, 1)
  t.equal(runtime.evidence.releasable, false, 'no release while the alarm stands')

  // The log did not drop it silently: counted, shown to the supervisor (without content), degraded.
  const rejected = await audit.inject({ url: '/v1/audit/rejected', headers: bearer({ org: '00000099000000001501', roles: ['supervisor'], sub: 'ap' }) })
  t.equal(rejected.statusCode, 200)
  t.ok(rejected.json().count >= 2, 'every delivery of it is kept as a rejected message')
  t.notOk(rejected.body.includes('broken'), 'without its content')
  const notSupervisor = await audit.inject({ url: '/v1/audit/rejected', headers: bearer({ org: '00000099000000000101', roles: ['college'], sub: 'w' }) })
  t.equal(notSupervisor.statusCode, 403)
  t.match(notSupervisor.json(), { status: 403, code: 'AUDIT_SUPERVISOR_ONLY' })
  const ready = await audit.inject({ url: '/health/ready' })
  t.equal(ready.statusCode, 200, 'still serving')
  t.equal(ready.json().status, 'degraded')
  t.equal(ready.json().checks.store, 'degraded')
})

t.test('a log that lies is not believed', async (t) => {
  const infra = await freshInfra(t, 'evidence_lies')
  const db = await freshDatabase('evidence_liar')
  t.teardown(() => db.drop())
  const forger = generateSigningKey()
  const e = event(7)
  const config = loadConfig<BaseConfig>(baseConfigSchema, {
    SERVICE_NAME: 'evidence-test',
    DATABASE_URL: db.url,
    KAFKA_BROKERS,
    KAFKA_TOPIC_PREFIX: infra.prefix,
    LOG_LEVEL: 'silent',
    EVIDENCE_INTERVAL_MS: '100'
  })
  let asked = 0
  // A receipt that would prove the event if only its checkpoint were signed by the real log's key.
  const root = eventLeafHash(e)
  const runtime = await startRuntime({
    config,
    receipts: () => async () => {
      asked++
      return {
        checkpoint: { treeSize: 1, rootHash: root.toString('base64'), signedNote: signCheckpoint({ origin: config.AUDIT_LOG_ORIGIN, size: 1, rootHash: root }, { name: config.AUDIT_LOG_ORIGIN, privateKey: forger.privateKey }) },
        receipts: [{ eventId: e.eventId, leafIndex: 0, inclusionProof: [] }],
        pending: [],
        unknown: []
      }
    }
  })
  t.teardown(() => runtime.close())
  await recordAudit(runtime.pool, [e])
  await runtime.pool.query('UPDATE outbox SET published_at = now()') // as if the relay sent it
  await until('a few rounds', async () => asked >= 3)
  const rows = await outboxRows(runtime)
  t.equal(rows[0]!.proven_at, null, 'a checkpoint signed by another key proves nothing')
  t.match(runtime.evidence.lastError, /not signed by/, 'the reason: the note is not signed by the log\'s key')
})
