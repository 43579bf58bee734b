// Retention (bewaartermijn): a case closed longer ago than RETENTION_DAYS (default 1825) loses its
// personal data — every event's content and the projection's BSNs and words — while its hashes and
// pseudonyms stay, so the chain still verifies. Driven with an injected clock.
import t from 'tap'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { verifyChain } from '@wams/platform'
import commonSchema from '@wams/schemas/common.schema.json' with { type: 'json' }
import caseStateSchema from '@wams/schemas/case-state.schema.json' with { type: 'json' }
import { BSN, OIN, callers, ernstigBody, hulpvraagBody, openCase, startLedger } from './helpers.ts'

const DAY = 24 * 60 * 60 * 1000
let clock = new Date('2030-03-01T09:00:00.000Z')
const advance = (days: number) => { clock = new Date(clock.getTime() + days * DAY) }

const { app, sql, config } = await startLedger(t, 'ledger_retention', { now: () => clock })

const ajv = new Ajv2020({ allErrors: true, strict: false })
addFormats.default(ajv)
ajv.addSchema(commonSchema)
const validCaseState = ajv.compile(caseStateSchema)

// Words only this case holds: none may be left after the purge.
const WORDS = {
  debts: 'Purgeerbaar: huurachterstand bij woonstichting sinds januari',
  care: 'Purgeerbaar: mantelzorger valt weg door ziekte',
  relatedness: 'Purgeerbaar: de schulden en de zorg hangen direct samen',
  statement: 'Purgeerbaar: ik wil alleen de zorgaanbieder erbij',
  necessity: 'Purgeerbaar: nodig om de thuiszorg af te stemmen met het plan',
  objection: 'Purgeerbaar: mijn dochter wil niet dat school iets hoort',
  decision: 'Purgeerbaar: bezwaar toegewezen, belang kind weegt zwaarder',
  phase: 'Purgeerbaar: plan van aanpak vastgesteld in casusoverleg',
  close: 'Purgeerbaar: doelen bereikt, gezin heeft stabiele situatie'
}
const PERSONAL = [BSN.client, BSN.member, ...Object.values(WORDS)]

async function everything (): Promise<string> {
  // Every row of every table of the service's database, as text.
  const tables = (await sql.query<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = \'public\'')).rows.map((r) => r.name)
  const dumps = await Promise.all(tables.map(async (name) => (await sql.query(`SELECT coalesce(string_agg(x::text, E'\\n'), '') AS dump FROM "${name}" x`)).rows[0].dump as string))
  return dumps.join('\n')
}

const write = (method: 'POST' | 'PUT', url: string, payload: Record<string, unknown>) =>
  app.inject({ method, url, headers: callers.college(), payload }).then((res) => {
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return res
  })

t.test('the default retention period is 1825 days (five years)', async (t) => {
  t.equal(config.RETENTION_DAYS, 1825)
})

t.test('close, wait out the retention period, purge: no BSN or words left, hashes and chain intact', async (t) => {
  const { caseId } = await openCase(app, hulpvraagBody({
    problems: [{ domain: 'schulden', description: WORDS.debts }, { domain: 'wmo', description: WORDS.care }],
    relatedness: WORDS.relatedness
  }))
  await write('PUT', `/v1/cases/${caseId}/scope`, { domains: ['wmo', 'schulden'], parties: [OIN.zorgaanbieder], statement: WORDS.statement })
  await write('POST', `/v1/cases/${caseId}/participants`, { org: OIN.zorgaanbieder, necessity: WORDS.necessity })
  const objection = await write('POST', `/v1/cases/${caseId}/objections`, { subject: BSN.member, reason: WORDS.objection })
  await write('POST', `/v1/cases/${caseId}/objections/${objection.json().objectionId}/decision`, { upheld: true, reason: WORDS.decision })
  await write('POST', `/v1/cases/${caseId}/phase`, { phase: 'aanpak', reason: WORDS.phase })
  advance(30)
  const closed = await write('POST', `/v1/cases/${caseId}/close`, { reason: WORDS.close })
  t.equal(closed.json().state.closedAt, clock.toISOString(), 'closing time comes from the injected clock')

  // A case that stays open and one closed later: the purge leaves both alone.
  await openCase(app, ernstigBody())
  const later = await openCase(app, ernstigBody({ subjects: [{ bsn: BSN.other, role: 'client' }] }))
  advance(100)
  await write('POST', `/v1/cases/${later.caseId}/close`, { reason: 'Later gesloten, nog binnen de termijn.' })

  const before = (await app.inject({ method: 'GET', url: `/v1/cases/${caseId}/ledger`, headers: callers.college() })).json()
  t.equal(before.events.length, 7)

  clock = new Date(new Date(closed.json().state.closedAt).getTime() + 1825 * DAY - 1000)
  t.same(await app.consentLedger.purgeExpired(), { purged: [] }, 'one second before the period ends: nothing is purged')
  t.ok((await everything()).includes(BSN.member))

  clock = new Date(new Date(closed.json().state.closedAt).getTime() + 1825 * DAY)
  t.same(await app.consentLedger.purgeExpired(), { purged: [caseId] }, 'when it ends: only that case')
  t.same(await app.consentLedger.purgeExpired(), { purged: [] }, 'a purge is done once')

  const dump = await everything()
  for (const secret of PERSONAL) t.notOk(dump.includes(secret), `no "${secret.slice(0, 40)}" anywhere in the database`)
  t.ok(dump.includes(BSN.fourth), 'the open case keeps its data')
  t.ok(dump.includes(BSN.other), 'the case closed later keeps its data')

  const after = (await app.inject({ method: 'GET', url: `/v1/cases/${caseId}/ledger`, headers: callers.college() })).json()
  t.ok(after.events.every((e: { content: unknown, purgedAt: string }) => e.content === null && e.purgedAt === clock.toISOString()), 'every event lost its content')
  t.same(after.events.map((e: { hash: string }) => e.hash), before.events.map((e: { hash: string }) => e.hash), 'and kept its hash')
  t.same(after.events.map((e: { contentHash: string }) => e.contentHash), before.events.map((e: { contentHash: string }) => e.contentHash))
  t.match(verifyChain(after.events), { valid: true, length: 7 })
  const verified = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}/verification`, headers: callers.supervisor() })
  t.same(verified.json(), { valid: true, length: 7, firstInvalidSeq: null, reason: null }, 'the chain still verifies')

  const state = (await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: callers.college() })).json()
  t.match(state, { phase: 'afgesloten', purgedAt: clock.toISOString(), relatedness: null, closeReason: null })
  t.ok(state.subjects.every((s: { bsn: unknown, subjectRef: string }) => s.bsn === null && s.subjectRef.length === 43), 'pseudonyms stay, BSNs go')
  t.same(state.problems, [{ domain: 'schulden', description: null }, { domain: 'wmo', description: null }])
  t.match(state.scope, { domains: ['wmo', 'schulden'], parties: [OIN.zorgaanbieder], statement: null })
  t.match(state.objections, [{ status: 'upheld', reason: null, decisionReason: null }])

  const decision = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}/decision-state`, headers: callers.gateway() })
  t.ok(validCaseState(decision.json()), 'the gateway still gets a valid (closed) case state')
  t.equal(decision.json().phase, 'afgesloten')

  // One audit event of the purge per person of the case, each with that person's pseudonym.
  const purgeEvents = (await sql.query<{ payload: string }>('SELECT payload FROM outbox WHERE message_key = $1 AND topic = $2 ORDER BY id', [caseId, 'audit'])).rows
    .map((r) => JSON.parse(r.payload)).filter((e) => e.detail.eventType === 'case.purged')
  t.same(purgeEvents.map((e) => e.subjectRef).sort(), state.subjects.map((s: { subjectRef: string }) => s.subjectRef).sort(), 'the purge is audited for each person of the case')
  for (const e of purgeEvents) {
    t.match(e, { type: 'case.event', processingActivity: { id: 'wams.case.purged' }, caseId, detail: { eventType: 'case.purged', purgedEvents: 7, route: 'hulpvraag', clientInformed: true } })
  }
})

t.test('the purge job runs on its own every PURGE_INTERVAL_MS', async (t) => {
  let now = new Date('2031-01-01T00:00:00.000Z')
  const ledger = await startLedger(t, 'ledger_retention_job', { now: () => now, env: { RETENTION_DAYS: '0', PURGE_INTERVAL_MS: '1000' } })
  const { caseId } = await openCase(ledger.app, ernstigBody())
  await ledger.app.inject({ method: 'POST', url: `/v1/cases/${caseId}/close`, headers: callers.college(), payload: { reason: 'Direct gesloten.' } })
  now = new Date(now.getTime() + 1000)
  const deadline = Date.now() + 10_000
  let purgedAt: string | null = null
  while (Date.now() < deadline && purgedAt === null) {
    await new Promise((resolve) => setTimeout(resolve, 200))
    purgedAt = (await ledger.sql.query('SELECT purged_at FROM cases WHERE case_id = $1', [caseId])).rows[0].purged_at
  }
  t.ok(purgedAt, 'purged without being asked')
})
