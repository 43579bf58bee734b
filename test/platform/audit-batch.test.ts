// Group commit of audit events (issue 13) on real PostgreSQL: concurrent writers share commits, and
// each is answered only once its row is durable (read back from the outbox by another connection,
// in the writer's own resolve callback); a batch PostgreSQL refuses fails every writer in it, with
// none of their rows written, and the batches after it work.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { AuditBatcher, OUTBOX_MIGRATIONS, buildAuditEvent, createPool, migrate, parseTraceparent, type AuditEvent } from '@wams/platform'
import { freshDatabase } from '../support/infra.ts'

async function setup (t: { teardown: (fn: () => unknown) => void }, label: string) {
  const db = await freshDatabase(label)
  const pool = createPool(db.url, 8)
  await migrate(pool, OUTBOX_MIGRATIONS)
  // The reader is a connection of its own: what it sees is committed.
  const reader = createPool(db.url, 2)
  t.teardown(async () => { await reader.end(); await pool.end(); await db.drop() })
  return { pool, reader }
}

function event (sub = 'coordinator-1'): AuditEvent {
  return buildAuditEvent({
    type: 'data-request.decision',
    source: 'gateway',
    transactionId: randomUUID(),
    actor: { org: '00000099000000000101', sub, roles: ['coordinator'], partyType: 'gemeente' },
    processingActivity: { id: 'wams.data-request', version: '1' },
    outcome: 'deny',
    reasons: ['PROVIDER_NOT_PARTICIPANT'],
    detail: { decision: 'deny' }
  }, parseTraceparent(undefined))
}

async function stored (reader: ReturnType<typeof createPool>, ids: string[]): Promise<number> {
  const { rows } = await reader.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE event_id = ANY($1)', [ids])
  return rows[0]!.n
}

t.test('100 concurrent writers share commits; each row is durable before its writer is answered', async (t) => {
  const { pool, reader } = await setup(t, 'audit_batch_concurrent')
  const batcher = new AuditBatcher({ pool })
  const writers = Array.from({ length: 100 }, (_, i) => [event(`c-${i}`), ...(i % 10 === 0 ? [event(`c-${i}-b`)] : [])])
  let missing = 0
  let answered = 0
  await Promise.all(writers.map((events) => batcher.record(events).then(async () => {
    answered++
    if (await stored(reader, events.map((e) => e.eventId)) !== events.length) missing++
  })))
  t.equal(answered, 100, 'every writer answered')
  t.equal(missing, 0, 'each writer, when answered, finds all its rows committed')
  const { rows } = await reader.query<{ rows: number, commits: number }>('SELECT count(*)::int AS rows, count(DISTINCT xmin::text)::int AS commits FROM outbox')
  t.equal(rows[0]!.rows, 110, 'every event written once')
  t.ok(rows[0]!.commits < 100, `fewer commits than writers (${rows[0]!.commits} transactions for 100 writers)`)
  t.equal(rows[0]!.commits, batcher.stats.batches, 'one transaction per batch')
  // A writer's events are never split over two batches: one transaction.
  const pairs = await reader.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox a JOIN outbox b
    ON b.payload::jsonb->'actor'->>'sub' = (a.payload::jsonb->'actor'->>'sub') || '-b' WHERE a.xmin::text <> b.xmin::text`)
  t.equal(pairs.rows[0]!.n, 0, "a writer's two events share one commit")
  await batcher.close()
})

t.test('a single writer is answered after its own commit, without waiting for others', async (t) => {
  const { pool, reader } = await setup(t, 'audit_batch_single')
  const batcher = new AuditBatcher({ pool })
  for (let i = 0; i < 5; i++) {
    const e = event()
    await batcher.record([e])
    t.equal(await stored(reader, [e.eventId]), 1)
  }
  t.equal(batcher.stats.batches, 5, 'one batch each')
  await batcher.close()
})

t.test('a failed batch fails every writer in it, writes none of its rows; the next batches work', async (t) => {
  const { pool, reader } = await setup(t, 'audit_batch_failure')
  // PostgreSQL refuses a row whose actor is 'boom' (a trigger), and with it the whole statement.
  await pool.query(`CREATE FUNCTION refuse_boom () RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.payload::jsonb->'actor'->>'sub' = 'boom' THEN RAISE EXCEPTION 'boom refused'; END IF; RETURN NEW; END $$`)
  await pool.query('CREATE TRIGGER refuse_boom BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_boom()')
  const batcher = new AuditBatcher({ pool, maxInFlight: 1 })
  // Writers queued in one turn of the event loop land in one batch.
  const innocent = Array.from({ length: 20 }, () => event())
  const results = await Promise.allSettled([...innocent.slice(0, 10).map((e) => batcher.record([e])), batcher.record([event('boom')]),
    ...innocent.slice(10).map((e) => batcher.record([e]))])
  t.equal(batcher.stats.batches, 1, 'one batch')
  t.ok(results.every((r) => r.status === 'rejected'), 'every writer of the failed batch rejects')
  t.match((results[0] as PromiseRejectedResult).reason, { message: /boom refused/ })
  t.equal(await stored(reader, innocent.map((e) => e.eventId)), 0, 'none of its rows exists')

  const later = Array.from({ length: 30 }, () => event())
  const answered = await Promise.allSettled(later.map((e) => batcher.record([e])))
  t.ok(answered.every((r) => r.status === 'fulfilled'), 'the next batch is written')
  t.equal(await stored(reader, later.map((e) => e.eventId)), 30)
  t.equal(batcher.stats.failed, 1)
  await batcher.close()
})

t.test('an invalid event rejects its writer alone, before any batch', async (t) => {
  const { pool, reader } = await setup(t, 'audit_batch_invalid')
  const batcher = new AuditBatcher({ pool })
  const good = event()
  const bad = { ...event(), outcome: 'maybe' } as unknown as AuditEvent
  const [a, b] = await Promise.allSettled([batcher.record([good]), batcher.record([bad])])
  t.equal(a.status, 'fulfilled')
  t.equal(b.status, 'rejected')
  t.equal(await stored(reader, [good.eventId, bad.eventId]), 1)
  await batcher.close()
  await t.rejects(batcher.record([event()]), /closed/, 'closed: no more writes')
})

t.test('PostgreSQL unreachable: writers reject (fail closed)', async (t) => {
  const broken = createPool('postgres://postgres@127.0.0.1:1/nowhere', 2)
  t.teardown(() => broken.end())
  const batcher = new AuditBatcher({ pool: broken })
  const results = await Promise.allSettled([batcher.record([event()]), batcher.record([event()])])
  t.ok(results.every((r) => r.status === 'rejected'))
})

t.test('PostgreSQL not answering: writers waiting for a batch are refused after maxQueueMs, none answered as written', async (t) => {
  const { pool, reader } = await setup(t, 'audit_batch_stuck')
  // The outbox locked by another transaction: the one batch in flight hangs until it is released.
  const locker = await pool.connect()
  await locker.query('BEGIN')
  await locker.query('LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE')
  const batcher = new AuditBatcher({ pool, maxInFlight: 1, maxQueueMs: 300 })
  const first = event()
  const stuck = batcher.record([first])
  await new Promise((resolve) => setTimeout(resolve, 50)) // the first batch is in flight
  const queued = Array.from({ length: 5 }, () => event())
  const results = await Promise.allSettled(queued.map((e) => batcher.record([e])))
  t.ok(results.every((r) => r.status === 'rejected' && /within 300 ms/.test((r.reason as Error).message)), 'queued writers refused')
  t.equal(batcher.stats.timedOut, 5)
  await locker.query('COMMIT')
  locker.release()
  await stuck
  t.equal(await stored(reader, [first.eventId]), 1, 'the batch in flight was written and only then answered')
  t.equal(await stored(reader, queued.map((e) => e.eventId)), 0, 'the refused ones were never written')
  await batcher.close()
})

t.test('the local relay leads: woken in process after each commit, no NOTIFY; it does not lead: NOTIFY as before', async (t) => {
  const { pool, reader } = await setup(t, 'audit_batch_wake')
  const listener = await reader.connect()
  let notified = 0
  listener.on('notification', () => { notified++ })
  await listener.query('LISTEN wams_outbox')
  t.teardown(() => listener.release())
  const relay = { isLeader: true, woken: 0, wake () { this.woken++ } }
  const batcher = new AuditBatcher({ pool, relay })
  await batcher.record([event()])
  await batcher.record([event()])
  await new Promise((resolve) => setTimeout(resolve, 300)) // a NOTIFY would have arrived by now
  t.equal(relay.woken, 2, 'woken once per committed batch')
  t.equal(notified, 0, 'no NOTIFY through PostgreSQL')
  relay.isLeader = false
  await batcher.record([event()])
  const deadline = Date.now() + 1000
  while (Date.now() < deadline && relay.woken === 2) {
    if (notified > 0) break
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  t.equal(notified, 1, 'another instance leads: it is notified')
  t.equal(relay.woken, 2, 'the local relay, not leading, is not woken')
  await batcher.close()
})
