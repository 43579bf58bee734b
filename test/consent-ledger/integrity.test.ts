// Append-only and tamper-evident: concurrent appends never fork the chain (the loser gets 409),
// the database refuses UPDATE, DELETE and TRUNCATE of events (the purge excepted, and the purge can
// only null content), and a row changed by hand makes verification fail at its seq.
import t from 'tap'
import type pg from 'pg'
import { PROBLEM_TYPE, parseTraceparent, verifyChain } from '@wams/platform'
import { appendEvent } from '../../services/consent-ledger/src/ledger.ts'
import type { VersionConflictError } from '../../services/consent-ledger/src/errors.ts'
import { OIN, callers, ernstigBody, openCase, startLedger } from './helpers.ts'

const { app, sql } = await startLedger(t, 'ledger_integrity')

const verification = async (caseId: string) =>
  (await app.inject({ method: 'GET', url: `/v1/cases/${caseId}/verification`, headers: callers.supervisor() })).json()

/** Runs `fn` on one connection in a transaction that is always rolled back or committed as asked. */
async function asSuperuser<T> (fn: (c: pg.PoolClient) => Promise<T>, commit = true): Promise<T> {
  const client = await sql.connect()
  try {
    await client.query('BEGIN')
    const out = await fn(client)
    await client.query(commit ? 'COMMIT' : 'ROLLBACK')
    return out
  } catch (err) {
    await client.query('ROLLBACK')
    throw err
  } finally {
    client.release()
  }
}

t.test('two writers at the same version: one wins, the other gets 409, the chain stays one line', async (t) => {
  for (let round = 0; round < 5; round++) {
    const { caseId } = await openCase(app, ernstigBody())
    const writers = await Promise.all([
      app.inject({ method: 'POST', url: `/v1/cases/${caseId}/phase`, headers: { ...callers.college(), 'if-match': '"1"' }, payload: { phase: 'aanpak' } }),
      app.inject({ method: 'POST', url: `/v1/cases/${caseId}/close`, headers: { ...callers.coordinator(), 'if-match': '"1"' }, payload: { reason: 'Geen aanpak nodig gebleken.' } })
    ])
    const statuses = writers.map((w) => w.statusCode).sort()
    t.same(statuses, [200, 409], `round ${round}: exactly one write wins`)
    const loser = writers.find((w) => w.statusCode === 409)!
    t.match(loser.headers['content-type'], PROBLEM_TYPE)
    t.match(loser.json().code, /^VERSION_(MISMATCH|CONFLICT)$/)
    const rows = (await sql.query('SELECT seq FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId])).rows
    t.same(rows.map((r) => r.seq), [1, 2])
    t.match(await verification(caseId), { valid: true, length: 2 })
  }
})

t.test('without If-Match, two appends that read the same head collide on the primary key: one 409', async (t) => {
  const { caseId } = await openCase(app, ernstigBody())
  const ctx = app.consentLedger
  // Both commands decide on version 1 before either writes: the interleaving that would fork a chain.
  let arrived = 0
  let release!: () => void
  const bothRead = new Promise<void>((resolve) => { release = resolve })
  const command = (org: string) => appendEvent(ctx, {
    caseId,
    actor: { iss: 'test', org: OIN.gemeente, sub: 'college-desk', roles: ['college'] },
    trace: parseTraceparent(undefined),
    transactionId: `concurrent-${org}`,
    decide: async (state) => {
      t.equal(state?.version, 1, 'each writer read version 1')
      if (++arrived === 2) release()
      await bothRead
      return { type: 'participant.added', data: { org }, reason: 'Nodig voor de veiligheid van het gezin.' }
    }
  })
  const results = await Promise.allSettled([command(OIN.politie), command(OIN.ggd)])
  const fulfilled = results.filter((r) => r.status === 'fulfilled')
  const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
  t.equal(fulfilled.length, 1)
  t.equal(rejected.length, 1)
  t.match(rejected[0]!.reason as InstanceType<typeof VersionConflictError>, { statusCode: 409, code: 'VERSION_CONFLICT' })
  const rows = (await sql.query('SELECT seq, prev_hash, hash FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId])).rows
  t.equal(rows.length, 2)
  t.equal(rows[1].prev_hash, rows[0].hash)
  t.equal((await sql.query('SELECT version FROM cases WHERE case_id = $1', [caseId])).rows[0].version, 2, 'the projection follows the winner')
  t.match(await verification(caseId), { valid: true, length: 2 })
  const outbox = (await sql.query('SELECT count(*)::int AS n FROM outbox WHERE message_key = $1 AND topic = $2', [caseId, 'cases'])).rows[0].n
  t.equal(outbox, 2, 'the loser left no message behind')
})

t.test('many writers without If-Match: every acknowledged write has its own version, no gaps, chain intact', async (t) => {
  const { caseId } = await openCase(app, ernstigBody())
  const orgs = [OIN.politie, OIN.ggd, OIN.zorgaanbieder, OIN.huisarts, OIN.school, OIN.woningcorporatie]
  const results = await Promise.all(orgs.map((org) => app.inject({
    method: 'POST', url: `/v1/cases/${caseId}/participants`, headers: callers.college(), payload: { org, necessity: 'Nodig om de overlast samen aan te pakken.' }
  })))
  const ok = results.filter((r) => r.statusCode === 201)
  t.ok(ok.length >= 1)
  t.ok(results.every((r) => r.statusCode === 201 || r.statusCode === 409), 'every loser gets 409')
  const versions = ok.map((r) => r.json().version).sort((a, b) => a - b)
  t.same(versions, Array.from({ length: ok.length }, (_, i) => i + 2), 'acknowledged versions are 2, 3, … without gaps or doubles')
  t.match(await verification(caseId), { valid: true, length: ok.length + 1 })
})

t.test('the database refuses a plain UPDATE, DELETE and TRUNCATE of events', async (t) => {
  const { caseId } = await openCase(app, ernstigBody())
  for (const statement of [
    'UPDATE case_events SET type = \'case.closed\' WHERE case_id = $1',
    'UPDATE case_events SET content = NULL, purged_at = now() WHERE case_id = $1',
    'DELETE FROM case_events WHERE case_id = $1'
  ]) {
    await t.rejects(sql.query(statement, [caseId]), { code: '42501', message: /append-only/ }, statement)
  }
  await t.rejects(sql.query('TRUNCATE case_events'), { code: '42501' }, 'TRUNCATE')
  t.equal((await sql.query('SELECT count(*)::int AS n FROM case_events WHERE case_id = $1 AND content IS NOT NULL', [caseId])).rows[0].n, 1)
})

t.test('even with the purge switch on, the only change allowed is nulling content', async (t) => {
  const { caseId } = await openCase(app, ernstigBody())
  await t.rejects(asSuperuser(async (c) => {
    await c.query('SET LOCAL wams.purge = \'on\'')
    await c.query('UPDATE case_events SET content = jsonb_set(content, \'{reason}\', \'"rewritten"\') WHERE case_id = $1', [caseId])
  }), { code: '42501' }, 'rewriting content')
  await t.rejects(asSuperuser(async (c) => {
    await c.query('SET LOCAL wams.purge = \'on\'')
    await c.query('UPDATE case_events SET content = NULL, purged_at = now(), hash = $2 WHERE case_id = $1', [caseId, 'a'.repeat(64)])
  }), { code: '42501' }, 'nulling content and changing a hash')
  await t.rejects(asSuperuser(async (c) => {
    await c.query('SET LOCAL wams.purge = \'on\'')
    await c.query('DELETE FROM case_events WHERE case_id = $1', [caseId])
  }), { code: '42501' }, 'deleting')
  // The switch is local to its transaction: the next one is plain again.
  await t.rejects(sql.query('UPDATE case_events SET content = NULL, purged_at = now() WHERE case_id = $1', [caseId]), { code: '42501' })
})

t.test('a row changed by hand makes verification fail and names its seq', async (t) => {
  const { caseId } = await openCase(app, ernstigBody())
  for (const payload of [{ phase: 'aanpak' }]) {
    await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/phase`, headers: callers.college(), payload })
  }
  await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/participants`, headers: callers.college(), payload: { org: OIN.politie, necessity: 'Nodig voor de aanpak van de overlast.' } })
  await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/participants`, headers: callers.college(), payload: { org: OIN.ggd, necessity: 'Nodig voor de zorg aan het gezin.' } })
  t.match(await verification(caseId), { valid: true, length: 4, firstInvalidSeq: null, reason: null })

  // The owner of the table can switch the trigger off; the chain still tells.
  const tamper = (update: string, values: unknown[]) => asSuperuser(async (c) => {
    await c.query('ALTER TABLE case_events DISABLE TRIGGER case_events_no_update_delete')
    await c.query(update, values)
    await c.query('ALTER TABLE case_events ENABLE TRIGGER case_events_no_update_delete')
  })
  await tamper('UPDATE case_events SET content = jsonb_set(content, \'{reason}\', \'"Niet nodig."\') WHERE case_id = $1 AND seq = 3', [caseId])
  const found = await verification(caseId)
  t.same(found, { valid: false, length: 4, firstInvalidSeq: 3, reason: 'CONTENT_HASH_MISMATCH' })

  const ledger = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}/ledger`, headers: callers.college() })
  t.match(verifyChain(ledger.json().events), { valid: false, firstInvalidSeq: 3 }, 'the published ledger shows it to anyone who verifies offline')
})

t.test('a forger who rehashes the row is caught at the next seq; a removed tail is caught by the version', async (t) => {
  const { caseId } = await openCase(app, ernstigBody())
  await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/phase`, headers: callers.college(), payload: { phase: 'aanpak' } })
  await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/close`, headers: callers.college(), payload: { reason: 'Klaar.' } })
  const { contentHash, chainHash } = await import('@wams/platform')
  await asSuperuser(async (c) => {
    const row = (await c.query('SELECT content, prev_hash FROM case_events WHERE case_id = $1 AND seq = 2', [caseId])).rows[0]
    const content = { ...row.content, data: { from: 'onderzoek', to: 'afgesloten' } }
    const ch = contentHash(content)
    await c.query('ALTER TABLE case_events DISABLE TRIGGER case_events_no_update_delete')
    await c.query('UPDATE case_events SET content = $2, content_hash = $3, hash = $4 WHERE case_id = $1 AND seq = 2', [caseId, JSON.stringify(content), ch, chainHash(row.prev_hash, ch)])
    await c.query('ALTER TABLE case_events ENABLE TRIGGER case_events_no_update_delete')
  })
  t.same(await verification(caseId), { valid: false, length: 3, firstInvalidSeq: 3, reason: 'PREV_HASH_MISMATCH' })

  const other = await openCase(app, ernstigBody())
  await app.inject({ method: 'POST', url: `/v1/cases/${other.caseId}/phase`, headers: callers.college(), payload: { phase: 'aanpak' } })
  await asSuperuser(async (c) => {
    await c.query('ALTER TABLE case_events DISABLE TRIGGER case_events_no_update_delete')
    await c.query('DELETE FROM case_events WHERE case_id = $1 AND seq = 2', [other.caseId])
    await c.query('ALTER TABLE case_events ENABLE TRIGGER case_events_no_update_delete')
  })
  t.same(await verification(other.caseId), { valid: false, length: 1, firstInvalidSeq: 2, reason: 'LENGTH_MISMATCH' })
})
