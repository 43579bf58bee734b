// Issue 12 item 3: GET /v1/audit/statistics, the console's figures computed by the service over the
// decisions the caller may see (the one view predicate of views.ts). Events are built by the
// gateway's own builder and stored through Kafka; the figures are compared with the events each
// caller may see: the supervisor all of them, a provider what was sent to it (no reason codes), a
// requester its own; a period over 366 days is refused.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { bearer } from '../support/tokens.ts'
import { ORG, caseOpened, decision, freshInfra, producer, send, startAudit, waitForCheckpoint } from './support.ts'

const DAY = 86400000
const noon = (daysAgo: number) => new Date(Math.floor(Date.now() / DAY) * DAY - daysAgo * DAY + DAY / 2)
const iso = (d: Date) => d.toISOString().slice(0, 10)

t.test('statistics: counts, reasons and answer times per caller', async (t) => {
  const infra = await freshInfra(t, 'audit_statistics')
  const app = await startAudit(t, infra)
  const broker = await producer(t, infra)

  const caseA = randomUUID() // Voorbeeldstad's
  const caseB = randomUUID()
  const d1 = noon(3)
  const d2 = noon(2)
  const base = { caseId: caseA, requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.zorggroep, subjectRef: null } as const
  const events = [
    ...caseOpened(caseA, ORG.voorbeeldstad, d1), // not a decision: not counted
    decision({ ...base, outcome: 'permit', time: d1, reasons: ['OBJECTION_PENDING_OVERRIDDEN'], detail: { decision: 'permit', partnerStatus: 200, durationMs: 100, flags: ['objection-overridden'], protectsOthers: { reason: 'Het kind in het gezin loopt gevaar en moet nu beschermd worden.' } } }),
    decision({ ...base, outcome: 'refused', time: d1, detail: { decision: 'permit', partnerStatus: 451, providerReason: 'medisch beroepsgeheim', durationMs: 200 } }),
    decision({ ...base, outcome: 'deny', time: d2, category: 'criminal', reasons: ['CATEGORY_NOT_PERMITTED'], detail: { decision: 'deny', durationMs: 10 } }),
    decision({ ...base, caseId: caseB, requester: ORG.huisarts, requesterType: 'huisarts', outcome: 'permit', time: d2, detail: { decision: 'permit', partnerStatus: 200, durationMs: 300 } }),
    // Outside the period asked for.
    decision({ ...base, outcome: 'permit', time: noon(40) })
  ]
  await send(broker, events)
  await waitForCheckpoint(app, events.length)

  const from = new Date(noon(10).getTime() - DAY / 2).toISOString()
  const to = new Date(Date.now() + DAY).toISOString()
  const stats = async (who: { org: string, roles: string[] }, query = `from=${from}&to=${to}`) => {
    const res = await app.inject({ url: `/v1/audit/statistics?${query}`, headers: bearer(who) })
    return res
  }
  const ok = async (who: { org: string, roles: string[] }, query?: string) => {
    const res = await stats(who, query)
    t.equal(res.statusCode, 200, res.body.slice(0, 300))
    t.match(res.headers['cache-control'], /no-store/, 'an API answer: no-store')
    return res.json()
  }

  const all = await ok({ org: ORG.ap, roles: ['supervisor'] })
  t.equal(all.total, 4, 'the supervisor: every decision of the period')
  t.same(all.days, [
    { day: iso(d1), byOutcome: { permit: 1, refused: 1 }, byCategory: { health: 2 }, byPartyType: { gemeente: 2 } },
    { day: iso(d2), byOutcome: { deny: 1, permit: 1 }, byCategory: { criminal: 1, health: 1 }, byPartyType: { gemeente: 1, huisarts: 1 } }
  ])
  t.same(all.reasons, [{ code: 'CATEGORY_NOT_PERMITTED', count: 1 }, { code: 'OBJECTION_PENDING_OVERRIDDEN', count: 1 }])
  t.same(all.refusals, [{ reason: 'medisch beroepsgeheim', count: 1 }])
  t.same(all.durations, [{ day: iso(d1), p50: 150, p95: 195, count: 2 }, { day: iso(d2), p50: 155, p95: 285.5, count: 2 }], 'p50/p95 per day (continuous)')
  t.same(all.durationBuckets.map((b: { count: number }) => b.count), [1, 0, 2, 1, 0, 0, 0], 'the distribution')

  const provider = await ok({ org: ORG.zorggroep, roles: ['professional'] })
  t.equal(provider.total, 3, 'a provider: only the requests sent to it (not the deny)')
  t.same(provider.days.map((d: { byOutcome: unknown }) => d.byOutcome), [{ permit: 1, refused: 1 }, { permit: 1 }])
  t.same(provider.reasons, [], 'a provider: no reason codes')
  t.same(provider.refusals, [{ reason: 'medisch beroepsgeheim', count: 1 }], 'its own refusal reason')

  const requester = await ok({ org: ORG.huisarts, roles: ['professional'] })
  t.equal(requester.total, 1, 'a requester: its own request')
  t.same(requester.days, [{ day: iso(d2), byOutcome: { permit: 1 }, byCategory: { health: 1 }, byPartyType: { huisarts: 1 } }])

  const owner = await ok({ org: ORG.voorbeeldstad, roles: ['college'] })
  t.equal(owner.total, 3, 'the owning municipality: its case')
  t.equal(owner.reasons.length, 2, 'in full, with reasons')

  const stranger = await ok({ org: ORG.buurdorp, roles: ['college'] })
  t.equal(stranger.total, 0, 'another municipality: nothing')
  t.same(stranger.days, [])

  const filtered = await ok({ org: ORG.ap, roles: ['supervisor'] }, `from=${from}&to=${to}&outcome=permit`)
  t.equal(filtered.total, 2, 'the filters of the list')

  const long = await stats({ org: ORG.ap, roles: ['supervisor'] }, 'from=2024-01-01T00:00:00Z&to=2025-01-02T00:00:00Z')
  t.equal(long.statusCode, 400, 'a period over 366 days')
  t.equal(long.json().code, 'AUDIT_PERIOD_INVALID')
  t.equal((await stats({ org: ORG.ap, roles: ['supervisor'] }, `from=${to}&to=${from}`)).statusCode, 400, 'to before from')
  t.equal((await stats({ org: ORG.ap, roles: ['supervisor'] }, `to=${to}`)).statusCode, 400, 'from is required')
  t.equal((await app.inject({ url: `/v1/audit/statistics?from=${from}&to=${to}` })).statusCode, 401, 'authenticated')
})
