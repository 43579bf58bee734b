// Reading the log as its users do: the scoping matrix (supervisor, requester, provider, the
// municipality that owns a case), filters and cursor pages, search by person with the BSN in the
// body, the subject report for a demo resident, and the live stream under the same scoping.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { AuditEvent } from '@wams/platform'
import type { SubjectCasesClient } from '../../services/audit/src/ledger-client.ts'
import { bearer } from '../support/tokens.ts'
import { ORG, caseOpened, decision, freshInfra, producer, pseudonymise, send, startAudit, waitFor, waitForCheckpoint } from './support.ts'

const RESIDENT = '999990019'
const OTHER = '999990020'

/**
 * Stands in for the consent ledger's POST /v1/subjects/cases (this suite runs the audit service
 * alone; test/audit/inzage.test.ts asks the real ledger): the cases per municipality and BSN.
 */
function ledgerOf (cases: Record<string, Record<string, string[]>>): SubjectCasesClient {
  return {
    async casesOf (bsn, { authorization }) {
      const claims = JSON.parse(Buffer.from(authorization.split('.')[1]!, 'base64url').toString()) as { org: string }
      return { kind: 'cases', caseIds: cases[claims.org]?.[bsn] ?? [] }
    },
    async close () {}
  }
}

t.test('audit queries', async (t) => {
  const caseA = randomUUID() // owned by Voorbeeldstad
  const caseB = randomUUID() // owned by Buurdorp
  const caseC = randomUUID() // Voorbeeldstad's, opened later in this suite
  const infra = await freshInfra(t, 'audit_query')
  const app = await startAudit(t, infra, {
    subjectCases: ledgerOf({
      [ORG.voorbeeldstad]: { [RESIDENT]: [caseA], [OTHER]: [caseC], 999990044: [caseC] },
      [ORG.buurdorp]: { [OTHER]: [caseB] }
    })
  })
  const broker = await producer(t, infra)

  const me = pseudonymise('bsn', RESIDENT)
  const other = pseudonymise('bsn', OTHER)
  const at = (minute: number) => new Date(Date.UTC(2025, 2, 3, 13, minute))
  const ev = {
    // The consent ledger's event of each opening, for the person it is about.
    openedA: caseOpened(caseA, ORG.voorbeeldstad, at(0), { subjects: [{ subjectRef: me, role: 'client' }] })[0]!,
    openedB: caseOpened(caseB, ORG.buurdorp, at(1), { subjects: [{ subjectRef: other, role: 'client' }] })[0]!,
    // Voorbeeldstad asks Zorggroep about the resident: permit.
    health: decision({ caseId: caseA, requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.zorggroep, subjectRef: me, outcome: 'permit', time: at(2) }),
    // The GP refuses for medical secrecy.
    gp: decision({ caseId: caseA, requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.huisarts, subjectRef: me, outcome: 'refused', time: at(3), detail: { decision: 'permit', partnerStatus: 451, providerReason: 'medisch beroepsgeheim' } }),
    // Zorggroep (a participant) asks the police in case A: denied by the rules. Voorbeeldstad is neither requester nor provider.
    police: decision({ caseId: caseA, requester: ORG.zorggroep, requesterType: 'zorgaanbieder', provider: ORG.politie, subjectRef: me, outcome: 'deny', category: 'criminal', purpose: 'casusoverleg', fields: ['policeContacts'], reasons: ['CATEGORY_NOT_PERMITTED'], time: at(4), roles: ['professional'] }),
    // Buurdorp's own case, about another person, with Zorggroep as provider.
    other: decision({ caseId: caseB, requester: ORG.buurdorp, requesterType: 'gemeente', provider: ORG.zorggroep, subjectRef: other, outcome: 'permit', category: 'debts', fields: ['hasArrears'], time: at(5) }),
    // Not known: not a disclosure.
    unknown: decision({ caseId: caseA, requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.politie, subjectRef: me, outcome: 'not-known', category: 'criminal', fields: ['policeContacts'], time: at(6) })
  } satisfies Record<string, AuditEvent>
  await send(broker, Object.values(ev))
  await waitForCheckpoint(app, Object.keys(ev).length)

  const ids = async (headers: Record<string, string>, query = ''): Promise<string[]> => {
    const res = await app.inject({ url: `/v1/audit/events?limit=500${query}`, headers })
    t.equal(res.statusCode, 200, `GET /v1/audit/events${query}`)
    return res.json().events.map((e: { event: AuditEvent }) => e.event.eventId).sort()
  }
  const names = (...keys: Array<keyof typeof ev>) => keys.map((k) => ev[k].eventId).sort()

  await t.test('the scoping matrix', async (t) => {
    const matrix: Array<[string, Record<string, string>, Array<keyof typeof ev>]> = [
      ['supervisor of the AP: all', bearer({ org: ORG.ap, roles: ['supervisor'] }), ['openedA', 'openedB', 'health', 'gp', 'police', 'other', 'unknown']],
      ['AP without the supervisor role: nothing', bearer({ org: ORG.ap, roles: ['professional'] }), []],
      ['gemeente Voorbeeldstad: its requests and every event of its case', bearer({ org: ORG.voorbeeldstad, roles: ['college'] }), ['openedA', 'health', 'gp', 'police', 'unknown']],
      ['gemeente Voorbeeldstad with a supervisor role is still no supervisor', bearer({ org: ORG.voorbeeldstad, roles: ['supervisor'] }), ['openedA', 'health', 'gp', 'police', 'unknown']],
      ['gemeente Buurdorp: its own case only', bearer({ org: ORG.buurdorp, roles: ['coordinator'] }), ['openedB', 'other']],
      ['zorgaanbieder: as provider and as requester', bearer({ org: ORG.zorggroep, roles: ['professional'] }), ['health', 'police', 'other']],
      ['huisarts: as provider', bearer({ org: ORG.huisarts, roles: ['professional'] }), ['gp']],
      // The police were named in Zorggroep's denied request, but it never reached them (views.ts).
      ['politie: as provider, only what was sent to it', bearer({ org: ORG.politie, roles: ['professional'] }), ['unknown']]
    ]
    for (const [who, headers, expected] of matrix) {
      const seen = (await ids(headers)).filter((id) => Object.values(ev).some((e) => e.eventId === id))
      t.same(seen, names(...expected), who)
    }
    // The same scoping for a single event: invisible is indistinguishable from absent.
    const hidden = await app.inject({ url: `/v1/audit/events/${ev.other.eventId}`, headers: bearer({ org: ORG.voorbeeldstad, roles: ['college'] }) })
    t.equal(hidden.statusCode, 404)
    t.match(hidden.json(), { status: 404, code: 'AUDIT_EVENT_NOT_FOUND' }, 'the answer of an event that does not exist')
    t.equal((await app.inject({ url: `/v1/audit/events/${ev.police.eventId}`, headers: bearer({ org: ORG.voorbeeldstad, roles: ['college'] }) })).statusCode, 200)
    t.equal((await app.inject({ url: `/v1/audit/events/${ev.police.eventId}`, headers: bearer({ org: ORG.huisarts, roles: ['professional'] }) })).statusCode, 404)
  })

  await t.test('filters and cursor pages', async (t) => {
    const sup = bearer({ org: ORG.ap, roles: ['supervisor'] })
    t.same(await ids(sup, '&outcome=permit'), names('health', 'other'))
    t.same(await ids(sup, '&category=criminal'), names('police', 'unknown'))
    t.same(await ids(sup, `&caseId=${caseB}`), names('openedB', 'other'))
    t.same(await ids(sup, `&org=${ORG.politie}`), names('police', 'unknown'))
    t.same(await ids(sup, `&from=${at(2).toISOString()}&to=${at(4).toISOString()}`), names('health', 'gp'), 'from inclusive, to exclusive')
    t.same(await ids(bearer({ org: ORG.zorggroep, roles: ['professional'] }), '&outcome=permit'), names('health', 'other'), 'filters within the scope')

    const pages: string[][] = []
    let cursor: string | null = null
    do {
      const url = `/v1/audit/events?limit=2${cursor ? `&cursor=${cursor}` : ''}`
      const body = (await app.inject({ url, headers: sup })).json() as { events: Array<{ event: AuditEvent, leafIndex: number }>, nextCursor: string | null }
      pages.push(body.events.map((e: { event: AuditEvent }) => e.event.eventId))
      const indexes = body.events.map((e: { leafIndex: number }) => e.leafIndex)
      t.same(indexes, [...indexes].sort((x: number, y: number) => x - y), 'in log order')
      cursor = body.nextCursor
    } while (cursor)
    const all = pages.flat()
    t.ok(pages.slice(0, -1).every((p) => p.length === 2))
    t.equal(new Set(all).size, all.length, 'no event twice across pages')
    t.same(all.filter((id) => Object.values(ev).some((e) => e.eventId === id)).sort(), names(...Object.keys(ev) as Array<keyof typeof ev>))
    const bad = await app.inject({ url: '/v1/audit/events?cursor=bm9wZQ', headers: sup })
    t.equal(bad.statusCode, 400)
    t.match(bad.json(), { status: 400, code: 'AUDIT_CURSOR_INVALID', detail: /cursor/ })
  })

  await t.test('search by person: the BSN in the body only, never echoed', async (t) => {
    const search = (headers: Record<string, string>, body: object) => app.inject({ method: 'POST', url: '/v1/audit/events/search', headers, payload: body })
    const sup = bearer({ org: ORG.ap, roles: ['supervisor'] })
    const res = await search(sup, { bsn: RESIDENT })
    t.equal(res.statusCode, 200)
    t.same(res.json().events.map((e: { event: AuditEvent }) => e.event.eventId).sort(), names('openedA', 'health', 'gp', 'police', 'unknown'), 'the decisions and the case opening about the person')
    t.notMatch(res.body, RESIDENT)
    const filtered = await search(bearer({ org: ORG.huisarts, roles: ['professional'] }), { bsn: RESIDENT, outcome: 'refused' })
    t.same(filtered.json().events.map((e: { event: AuditEvent }) => e.event.eventId), [ev.gp.eventId], 'scoped and filtered')
    const invalid = await search(sup, { bsn: '123456789' })
    t.equal(invalid.statusCode, 400)
    t.notMatch(invalid.body, '123456789', 'an invalid BSN is not echoed')
    t.equal((await app.inject({ url: `/v1/audit/events?bsn=${RESIDENT}`, headers: sup })).statusCode, 400, 'no BSN in a URL')
  })

  await t.test('the subject report of a demo resident, in words a resident understands', async (t) => {
    const report = (headers: Record<string, string>, body: object) => app.inject({ method: 'POST', url: '/v1/audit/subject-report', headers, payload: body })
    const res = await report(bearer({ org: ORG.voorbeeldstad, roles: ['college'] }), { bsn: RESIDENT })
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.notMatch(res.body, RESIDENT)
    t.equal(body.language, 'nl')
    t.match(body.summary, 'Gegevens over u zijn 1 keer gedeeld. 2 keer is om gegevens gevraagd zonder dat ze zijn gedeeld. In een gecoördineerde aanpak over u is 1 keer iets vastgelegd.')
    t.same(body.caseEvents.map((c: { eventId: string }) => c.eventId), [ev.openedA.eventId], 'the case opening about the person')
    t.match(body.caseEvents[0], { eventType: 'case.opened', role: 'client', by: { org: ORG.voorbeeldstad }, text: /^Op 3 maart 2025 om 14:00 opende Gemeente Voorbeeldstad \(gemeente\) een gecoördineerde aanpak \(zaak\) waarin u de cliënt bent\./ })
    t.same(body.withheld, { events: 0, cases: 0, basis: /UAVG art\. 41/ }.events === 0 ? body.withheld : null)
    t.equal(body.disclosures.length, 1)
    t.match(body.disclosures[0], {
      eventId: ev.health.eventId,
      outcome: 'permit',
      time: at(2).toISOString(),
      requester: { org: ORG.voorbeeldstad, name: 'Gemeente Voorbeeldstad', partyType: 'gemeente' },
      provider: { org: ORG.zorggroep, name: 'Zorggroep De Brug', partyType: 'zorgaanbieder' },
      category: 'health',
      categoryText: 'uw gezondheid',
      fields: ['careInvolved', 'careType'],
      fieldsText: ['of u zorg krijgt', 'soort zorg'],
      purpose: 'onderzoek',
      legalBasis: 'Wams art. 2.4; AVG art. 6 lid 1 sub e',
      text: 'Op 3 maart 2025 om 14:02 vroeg Gemeente Voorbeeldstad (gemeente) aan Zorggroep De Brug (zorgaanbieder) gegevens over uw gezondheid (of u zorg krijgt, soort zorg). Resultaat: gedeeld. Doel: onderzoek of een gecoördineerde aanpak voor u nodig is. Wettelijke grondslag: Wams art. 2.4; AVG art. 6 lid 1 sub e.'
    })
    t.same(body.refusals.map((r: { eventId: string }) => r.eventId), [ev.gp.eventId, ev.police.eventId], 'refusals in time order; not-known is no disclosure')
    t.match(body.refusals[0], { outcome: 'refused', providerReason: 'medisch beroepsgeheim', text: /Huisartsenpraktijk De Linde \(huisarts\).*niet gedeeld: de organisatie weigerde.*\(medisch beroepsgeheim\)/ })
    t.match(body.refusals[1], { outcome: 'deny', reasons: ['CATEGORY_NOT_PERMITTED'], text: /Zorggroep De Brug \(zorgaanbieder\) aan Politie Eenheid Voorbeeldland \(politie\).*deze gegevens mogen niet naar deze organisatie/ })

    const english = (await report(bearer({ org: ORG.ap, roles: ['supervisor'] }), { bsn: RESIDENT, language: 'en' })).json()
    t.match(english.disclosures[0].text, /^On 3 March 2025 at 14:02, Gemeente Voorbeeldstad \(municipality\) asked Zorggroep De Brug \(care provider\) for data about your health \(whether you receive care, type of care\)\. Result: shared\./)
    const refused = await report(bearer({ org: ORG.buurdorp, roles: ['college'] }), { bsn: RESIDENT })
    t.equal(refused.statusCode, 403, 'a municipality without a case of the person')
    t.match(refused.json(), { status: 403, code: 'AUDIT_REPORT_NOT_PERMITTED' })
    t.equal((await report(bearer({ org: ORG.voorbeeldstad, roles: ['professional'] }), { bsn: RESIDENT })).statusCode, 403, 'only the college or the coordinator')
    t.equal((await report(bearer({ org: ORG.zorggroep, roles: ['professional'] }), { bsn: RESIDENT })).statusCode, 403, 'not a provider')
    const buurdorp = (await report(bearer({ org: ORG.buurdorp, roles: ['college'] }), { bsn: OTHER })).json()
    t.same(buurdorp.disclosures.map((d: { eventId: string }) => d.eventId), [ev.other.eventId])
  })

  await t.test('one event per person: a case opened for a client and a household member, in one batch', async (t) => {
    const member = pseudonymise('bsn', '999990044')
    const opened = caseOpened(caseC, ORG.voorbeeldstad, at(7), { subjects: [{ subjectRef: other, role: 'client' }, { subjectRef: member, role: 'household-member' }] })
    t.equal(opened.length, 2, 'the ledger\'s builder: one event per subject')
    t.same(opened.map((e) => e.subjectRef), [other, member])
    await send(broker, opened)
    await waitFor('both openings stored', async () => {
      const { rows } = await app.auditLog.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE case_id = $1 AND leaf_index IS NOT NULL', [caseC])
      return rows[0]!.n === 2
    })
    const { rows } = await app.auditLog.pool.query('SELECT org FROM case_owners WHERE case_id = $1', [caseC])
    t.same(rows, [{ org: ORG.voorbeeldstad }], 'one owner, the municipality that opened it')
    const res = await app.inject({ method: 'POST', url: '/v1/audit/subject-report', headers: bearer({ org: ORG.voorbeeldstad, roles: ['college'] }), payload: { bsn: '999990044', language: 'en' } })
    t.equal(res.statusCode, 200, 'the municipality that owns the case may see the household member\'s report')
    t.match(res.json().caseEvents, [{ eventId: opened[1]!.eventId, eventType: 'case.opened', role: 'household-member', text: /Gemeente Voorbeeldstad \(municipality\) opened a coordinated approach \(case\) in which you are a member of the household/ }])
  })

  await t.test('the live stream: new events as they are sequenced, scoped, with heartbeats, ended on shutdown', async (t) => {
    // SSE needs a real socket: the app listens (it is closed at the end of this test).
    const live = app
    await live.listen({ host: '127.0.0.1', port: 0 })
    const base = `http://127.0.0.1:${(live.server.address() as AddressInfo).port}`
    const open = async (headers: Record<string, string>, query = '', lastEventId?: string) => {
      const res = await fetch(`${base}/v1/audit/stream${query}`, { headers: { ...headers, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) } })
      t.equal(res.status, 200)
      t.match(res.headers.get('content-type'), 'text/event-stream')
      t.equal(res.headers.get('api-version'), '1.0.0')
      const reader = res.body!.getReader()
      const stream = { text: '', done: false, events: [] as Array<{ id: number, data: { event: AuditEvent, leafIndex: number } }> }
      void (async () => {
        for (;;) {
          const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
          if (done) { stream.done = true; return }
          stream.text += Buffer.from(value!).toString()
          const blocks = stream.text.split('\n\n')
          stream.text = blocks.pop()!
          for (const block of blocks) {
            const data = /^data: (.*)$/m.exec(block)
            if (data) stream.events.push({ id: Number(/^id: (\d+)$/m.exec(block)![1]), data: JSON.parse(data[1]!) })
            if (block.includes(': heartbeat')) (stream as { heartbeat?: boolean }).heartbeat = true
          }
        }
      })()
      return stream as typeof stream & { heartbeat?: boolean }
    }
    const provider = await open(bearer({ org: ORG.huisarts, roles: ['professional'] }))
    const filtered = await open(bearer({ org: ORG.ap, roles: ['supervisor'] }), `?caseId=${caseB}`)
    const resumed = await open(bearer({ org: ORG.ap, roles: ['supervisor'] }), '', '2')
    t.equal((await fetch(`${base}/v1/audit/stream`)).status, 401)

    const mine = decision({ caseId: caseA, requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.huisarts, subjectRef: me, outcome: 'permit' })
    const notMine = decision({ caseId: caseB, requester: ORG.buurdorp, requesterType: 'gemeente', provider: ORG.zorggroep, subjectRef: other, outcome: 'deny', reasons: ['CASE_CLOSED'] })
    await send(broker, [mine, notMine])
    await waitFor('the provider\'s stream', async () => provider.events.length >= 1, 10000)
    await waitFor('the filtered stream', async () => filtered.events.length >= 1, 10000)
    await waitFor('heartbeats', async () => provider.heartbeat === true, 5000)
    t.same(provider.events.map((e) => e.data.event.eventId), [mine.eventId], 'only what the huisarts may see, live')
    t.same(filtered.events.map((e) => e.data.event.eventId), [notMine.eventId], 'the filter applies')
    t.equal(provider.events[0]!.id, provider.events[0]!.data.leafIndex, 'the SSE id is the leaf index')
    await waitFor('the resumed stream', async () => resumed.events.some((e) => e.data.event.eventId === notMine.eventId), 10000)
    t.equal(resumed.events[0]!.data.leafIndex, 3, 'Last-Event-ID 2: resumes at leaf 3, nothing missed')
    const leaves = resumed.events.map((e) => e.data.leafIndex)
    t.same(leaves, [...new Set(leaves)].sort((x, y) => x - y), 'each leaf once, in order')

    await live.close()
    await waitFor('streams ended by the shutdown', async () => provider.done && filtered.done && resumed.done, 5000)
    t.pass('the server closed with streams open')
  })
})
