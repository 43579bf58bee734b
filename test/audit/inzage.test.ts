// The inzage report (SPEC §6 Audit) end to end, on real PostgreSQL and Kafka, every service in this
// process on one topic prefix: the consent ledger records one audit event per person, the gateway
// its decisions (the real 451 of the demo huisarts), the audit log stores them, and the report
// - finds every event about the person, case events included (a household member's report shows
//   the opening of the case about them);
// - shows a provider's refusal reason from the field the gateway writes;
// - applies UAVG art. 41: while a case of route ernstig stands with clientInformed false, a
//   municipality's report leaves that case's events out and counts them only in `withheld`; the
//   supervisor sees everything; after the case is closed the municipality's report shows them;
// - is itself audited, for that person, without the BSN;
// - is given to a municipality only for a person who is a subject of one of its cases according to
//   the consent ledger (asked with the caller's token, through a pass-through the test can take
//   down): not for a person its own denied request merely named; 503 when the ledger cannot say.
// And the supervisor finds a permit despite a pending objection (rule 11's exception) by its flag.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { createServer, request as httpRequest, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { buildApp as buildLedger, readConfig as ledgerConfig } from '@wams/consent-ledger'
import { buildApp as buildGateway, readConfig as gatewayConfig } from '@wams/gateway'
import { buildApp as buildAudit, readConfig as auditConfig } from '@wams/audit'
import type { AuditEvent } from '@wams/platform'
import { freshDatabase, freshTopicPrefix } from '../support/infra.ts'
import { startDemoPartners, writeTestRegister } from '../support/partners.ts'
import { bearer } from '../support/tokens.ts'
import { BSN, OIN, ask, callers, ernstigCase, ledgerCall, openCase } from '../gateway/helpers.ts'
import { pseudonymise, waitFor } from './support.ts'

const prefix = freshTopicPrefix('inzage')
const common = { KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: 'silent', PORT: '0', KAFKA_PARTITIONS: '2' }
const [ledgerDb, gatewayDb, auditDb] = await Promise.all([freshDatabase('inzage_ledger'), freshDatabase('inzage_gw'), freshDatabase('inzage_audit')])
t.teardown(async () => { await ledgerDb.drop(); await gatewayDb.drop(); await auditDb.drop() })
const partners = await startDemoPartners()
t.teardown(() => partners.close())
const ledger = await buildLedger(ledgerConfig({ ...common, DATABASE_URL: ledgerDb.url, BRP_URL: partners.brpUrl }))
await ledger.listen({ host: '127.0.0.1', port: 0 })
t.teardown(() => ledger.close())
const gateway = await buildGateway(gatewayConfig({
  ...common,
  DATABASE_URL: gatewayDb.url,
  REGISTER_FILE: writeTestRegister(partners.baseUrl),
  CONSENT_LEDGER_URL: `http://127.0.0.1:${(ledger.server.address() as AddressInfo).port}`
}))
t.teardown(() => gateway.close())
// The consent ledger as the audit service reaches it: passed through, or down — connections reset,
// or requests that are never answered (the audit service's deadline, LEDGER_TIMEOUT_MS, ends them).
let ledgerDown: 'no' | 'reset' | 'stall' = 'no'
const ledgerPort = (ledger.server.address() as AddressInfo).port
const stalled = new Set<ServerResponse>()
const ledgerProxy = createServer((req, res) => {
  if (ledgerDown === 'reset') return req.socket.destroy()
  if (ledgerDown === 'stall') {
    stalled.add(res)
    return
  }
  const upstream = httpRequest({ host: '127.0.0.1', port: ledgerPort, path: req.url, method: req.method, headers: req.headers }, (up) => {
    res.writeHead(up.statusCode!, up.headers)
    up.pipe(res)
  })
  upstream.on('error', () => res.destroy())
  req.pipe(upstream)
})
await new Promise<void>((resolve) => ledgerProxy.listen(0, '127.0.0.1', resolve))
t.teardown(() => new Promise<void>((resolve) => {
  ledgerProxy.closeAllConnections()
  ledgerProxy.close(() => resolve())
}))
const audit: FastifyInstance = await buildAudit(auditConfig({
  ...common,
  DATABASE_URL: auditDb.url,
  CHECKPOINT_INTERVAL_MS: '200',
  CONSENT_LEDGER_URL: `http://127.0.0.1:${(ledgerProxy.address() as AddressInfo).port}`,
  LEDGER_TIMEOUT_MS: '1000'
}))
t.teardown(() => audit.close())

const supervisor = bearer({ org: OIN.toezichthouder, roles: ['supervisor'], sub: 'ap-inspecteur' })
const college = callers.college()
const identity = { provider: OIN.gemeente, category: 'identity', fields: ['name'] }
const PROTECTS = 'De kinderen in het gezin lopen acuut gevaar; hun veiligheid moet nu beoordeeld worden.'

interface Report {
  summary: string
  disclosures: Array<{ eventId: string, providerReason: string | null, text: string, reasons: string[] }>
  refusals: Array<{ eventId: string, outcome: string, providerReason: string | null, text: string }>
  caseEvents: Array<{ eventId: string, eventType: string, role: string | null, text: string }>
  withheld: { events: number, cases: number, basis: string }
}
const report = async (headers: Record<string, string>, bsn: string) => {
  const res = await audit.inject({ method: 'POST', url: '/v1/audit/subject-report', headers, payload: { bsn } })
  return { status: res.statusCode, body: res.json() as Report, raw: res.body }
}
/** Every event the log holds about a person (supervisor's search), once `ids` are all in it. */
const eventsAbout = async (bsn: string, ids: string[] = []): Promise<AuditEvent[]> => waitFor(`the events about ${bsn.slice(0, 3)}…`, async () => {
  const res = await audit.inject({ method: 'POST', url: '/v1/audit/events/search', headers: supervisor, payload: { bsn, limit: 500 } })
  const events = (res.json().events as Array<{ event: AuditEvent }>).map((e) => e.event)
  return ids.every((id) => events.some((e) => e.eventId === id)) ? events : null
}, 45000)
const caseEventsOf = (events: AuditEvent[], caseId: string) => events.filter((e) => e.caseId === caseId && e.type === 'case.event')

// A case about the client and a household member, the client informed.
const informed = await openCase(ledger)

t.test('the household member\'s report shows the case opened about them', async (t) => {
  const memberEvents = await waitFor('the opening about the household member', async () => {
    const events = await eventsAbout(BSN.member)
    return caseEventsOf(events, informed).length > 0 ? events : null
  }, 45000)
  const opening = caseEventsOf(memberEvents, informed)
  t.equal(opening.length, 1, 'one audit event of the opening for the household member')
  t.match(opening[0], { subjectRef: pseudonymise('bsn', BSN.member), detail: { eventType: 'case.opened', subjectRole: 'household-member', route: 'ernstig', clientInformed: true } })
  const clientOpening = caseEventsOf(await eventsAbout(BSN.client), informed)
  t.equal(clientOpening.length, 1, 'and one for the client, with the client\'s pseudonym')
  t.not(clientOpening[0]!.eventId, opening[0]!.eventId)

  const { status, body, raw } = await report(college, BSN.member)
  t.equal(status, 200)
  t.same(body.caseEvents.map((c) => [c.eventId, c.eventType, c.role]), [[opening[0]!.eventId, 'case.opened', 'household-member']])
  t.match(body.caseEvents[0]!.text, /opende Gemeente Voorbeeldstad \(gemeente\) een gecoördineerde aanpak \(zaak\) waarin u lid van het huishouden bent/)
  t.notMatch(raw, BSN.member, 'no BSN in the report')
})

t.test('a real 451 of the demo huisarts: the provider\'s reason is in the report', async (t) => {
  const refusedCase = await openCase(ledger, { body: ernstigCase({ subjects: [{ bsn: BSN.refused, role: 'client' }] }) })
  const res = await ask(gateway, refusedCase, { provider: OIN.huisarts, category: 'health', fields: ['careInvolved'], subject: BSN.refused })
  t.equal(res.statusCode, 451, res.body.slice(0, 200))
  const reason = res.json().reason as string
  t.ok(reason.length > 10, 'the huisarts states a reason')
  await eventsAbout(BSN.refused, [res.json().auditEventId])
  const { body } = await report(college, BSN.refused)
  const refusal = body.refusals.find((r) => r.eventId === res.json().auditEventId)
  t.match(refusal, { outcome: 'refused', providerReason: reason }, 'the reason the gateway recorded (detail.providerReason)')
  t.ok(refusal!.text.includes(`(${reason})`), 'and in the sentence for the resident')
  t.same(body.caseEvents.map((c) => c.eventType), ['case.opened'])
})

t.test('UAVG art. 41: an uninformed client\'s case of route ernstig is withheld from the municipality\'s report while it stands; the supervisor sees all', async (t) => {
  const hidden = await openCase(ledger, {
    body: ernstigCase({ seriousGrounds: ['veiligheid'], clientInformed: false, notInformedReason: 'Informeren brengt de veiligheid van de kinderen nu in gevaar.' })
  })
  const permit = await ask(gateway, hidden, identity)
  t.equal(permit.statusCode, 200)
  // The client objects; the college sets the objection aside to protect the children (rule 11's exception).
  await ledgerCall(ledger, 'POST', `/v1/cases/${hidden}/objections`, { subject: BSN.client, reason: 'Ik wil niet dat mijn gegevens gedeeld worden.' })
  const overridden = await ask(gateway, hidden, { ...identity, protectsOthers: { reason: PROTECTS } })
  t.equal(overridden.statusCode, 200, overridden.body.slice(0, 300))
  const events = await eventsAbout(BSN.client, [permit.json().auditEventId, overridden.json().auditEventId])
  const ofHidden = await waitFor('the case events of the hidden case', async () => {
    const all = caseEventsOf(await eventsAbout(BSN.client), hidden)
    return all.length === 2 ? all : null // opened, objection lodged
  })
  t.ok(ofHidden.every((e) => (e.detail as { clientInformed: boolean }).clientInformed === false), 'the case events carry clientInformed false')
  const hiddenIds = [permit.json().auditEventId, overridden.json().auditEventId, ...ofHidden.map((e) => e.eventId)].sort()
  t.ok(events.length > 0)

  const municipality = await report(college, BSN.client)
  t.equal(municipality.status, 200)
  const shown = [...municipality.body.disclosures, ...municipality.body.refusals, ...municipality.body.caseEvents].map((e) => e.eventId)
  t.same(shown.filter((id) => hiddenIds.includes(id)), [], 'none of the case\'s events in the municipality\'s report')
  t.same(municipality.body.withheld, { events: 4, cases: 1, basis: municipality.body.withheld.basis }, 'counted in withheld, for the municipality')
  t.match(municipality.body.withheld.basis, /UAVG art\. 41/)
  t.notMatch(municipality.body.summary, /achtergehouden|withheld|art\. 41/, 'the summary for the resident says nothing of it')
  t.ok(municipality.body.caseEvents.some((c) => c.eventType === 'case.opened'), 'the informed case is still there')

  const sup = await report(supervisor, BSN.client)
  const seen = [...sup.body.disclosures, ...sup.body.refusals, ...sup.body.caseEvents].map((e) => e.eventId)
  t.same(hiddenIds.filter((id) => !seen.includes(id)), [], 'the supervisor sees every event of the case')
  t.same(sup.body.withheld.events, 0)
  const override = sup.body.disclosures.find((d) => d.eventId === overridden.json().auditEventId)!
  t.same(override.reasons, ['OBJECTION_PENDING_OVERRIDDEN'])
  t.match(override.text, /ondanks uw lopende bezwaar/)
  t.notOk(sup.raw.includes(PROTECTS), 'the stated reason (about someone else) is not in the person\'s report')

  // The supervisor finds the permit despite the objection by its flag.
  const flagged = await audit.inject({ url: '/v1/audit/events?flag=objection-overridden', headers: supervisor })
  t.equal(flagged.statusCode, 200)
  const flaggedEvents = (flagged.json().events as Array<{ event: AuditEvent }>).map((e) => e.event)
  t.same(flaggedEvents.map((e) => e.eventId), [overridden.json().auditEventId], 'exactly the overriding permit')
  t.match(flaggedEvents[0], { outcome: 'permit', reasons: ['OBJECTION_PENDING_OVERRIDDEN'], detail: { flags: ['objection-overridden'], protectsOthers: { reason: PROTECTS } } })
  t.equal((await audit.inject({ url: '/v1/audit/events?flag=something-else', headers: supervisor })).statusCode, 400, 'flags are a closed list')

  // Closed: the exception ends, the municipality's report shows the case.
  await ledgerCall(ledger, 'POST', `/v1/cases/${hidden}/close`, { reason: 'De aanpak is afgerond en de cliënt is geïnformeerd.' })
  await waitFor('the closing in the log', async () => caseEventsOf(await eventsAbout(BSN.client), hidden).some((e) => (e.detail as { eventType: string }).eventType === 'case.closed'))
  const after = await report(college, BSN.client)
  const nowShown = [...after.body.disclosures, ...after.body.refusals, ...after.body.caseEvents].map((e) => e.eventId)
  t.same(hiddenIds.filter((id) => !nowShown.includes(id)), [], 'after closing, the municipality\'s report shows the case')
  t.equal(after.body.withheld.events, 0)
})

t.test('asking for a report is itself an audit event, for that person, without the BSN', async (t) => {
  const before = (await eventsAbout(BSN.member)).filter((e) => e.type === 'subject-report.requested').length
  const granted = await report(college, BSN.member)
  t.equal(granted.status, 200)
  const refused = await report(callers.otherCollege(), BSN.member)
  t.equal(refused.status, 403, 'a municipality without a case of the person')
  t.match(refused.body, { status: 403, code: 'AUDIT_REPORT_NOT_PERMITTED' })
  const requests = await waitFor('the report requests in the log', async () => {
    const events = (await eventsAbout(BSN.member)).filter((e) => e.type === 'subject-report.requested')
    return events.length >= before + 2 ? events : null
  })
  const grantedEvents = requests.filter((e) => e.outcome === 'permit')
  t.ok(grantedEvents.length >= 1)
  for (const e of grantedEvents) {
    t.match(e, {
      source: 'audit',
      subjectRef: pseudonymise('bsn', BSN.member),
      actor: { org: OIN.gemeente, partyType: 'gemeente' },
      processingActivity: { id: 'wams.subject-report' },
      legalBasis: /AVG art\. 15/,
      detail: { granted: true, withheld: 0 }
    })
  }
  t.ok(grantedEvents.some((e) => (e.detail as { caseEvents?: number }).caseEvents === granted.body.caseEvents.length), 'the record says what the report held')
  const refusedEvents = requests.filter((e) => e.outcome === 'deny')
  t.equal(refusedEvents.length, 1, 'the refused request too')
  t.match(refusedEvents[0], { reasons: ['REPORT_NOT_PERMITTED'], actor: { org: OIN.otherGemeente }, subjectRef: pseudonymise('bsn', BSN.member), detail: { granted: false } })
  for (const e of requests) t.notOk(JSON.stringify(e).includes(BSN.member), 'no BSN in the event')
  // The report of a person whose withheld events were counted records the count for the supervisor.
  const clientRequests = (await eventsAbout(BSN.client)).filter((e) => e.type === 'subject-report.requested')
  t.ok(clientRequests.some((e) => (e.detail as { withheld?: number }).withheld === 4), 'the withheld count is in the record of that request')
})

t.test('the inzage gate asks the consent ledger, and every ask is an audit event', async (t) => {
  // Each ask in its own trace, so that its audit event can be found by its traceId.
  const asks: Array<{ what: string, bsn: string, traceId: string, status: number, org: string }> = []
  const traced = async (what: string, headers: Record<string, string>, org: string, bsn: string) => {
    const traceId = randomBytes(16).toString('hex')
    const res = await report({ ...headers, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` }, bsn)
    asks.push({ what, bsn, traceId, status: res.status, org })
    return res
  }

  // The old hole: Voorbeeldstad's own denied request, on its own case, naming a person who is in
  // none of its cases. The log holds an event of its case about that person; the ledger says no.
  const denied = await ask(gateway, informed, { ...identity, subject: BSN.unknown })
  t.equal(denied.statusCode, 403, denied.body.slice(0, 300))
  t.match(denied.json(), { outcome: 'deny', reasons: ['SUBJECT_NOT_IN_CASE'] })
  const [named] = (await eventsAbout(BSN.unknown, [denied.json().auditEventId])).filter((e) => e.eventId === denied.json().auditEventId)
  t.match(named, { caseId: informed, outcome: 'deny', actor: { org: OIN.gemeente } }, 'the log has an event of its case naming the person')
  const hole = await traced('the old hole', college, OIN.gemeente, BSN.unknown)
  t.equal(hole.status, 403, 'a person its denied request named is not a person of its case')
  t.match(hole.body, { status: 403, code: 'AUDIT_REPORT_NOT_PERMITTED' })

  // Buurdorp has a case of its own, of another person.
  const buurdorpCase = await ledgerCall(ledger, 'POST', '/v1/cases', ernstigCase({
    subjects: [{ bsn: BSN.elsewhere, role: 'client' }],
    coordinator: { org: OIN.otherGemeente, sub: 'coordinator-buurdorp' }
  }), callers.otherCollege()) as { caseId: string }
  t.ok(buurdorpCase.caseId)
  const otherCase = await traced('a municipality of another case', callers.otherCollege(), OIN.otherGemeente, BSN.client)
  t.equal(otherCase.status, 403, 'a municipality of another case: not this person\'s report')
  t.equal((await traced('its own case', callers.otherCollege(), OIN.otherGemeente, BSN.elsewhere)).status, 200, 'but the report of the person of its own case')
  const owner = await traced('the owner\'s coordinator', callers.otherCoordinator(), OIN.gemeente, BSN.client)
  t.equal(owner.status, 200, 'a coordinator of the municipality whose case names the person gets it')

  // The ledger down: no report, and that refusal is recorded too. The supervisor needs no ledger.
  ledgerDown = 'reset'
  const reset = await traced('ledger reset', college, OIN.gemeente, BSN.client)
  t.equal(reset.status, 503, 'connection reset: fail closed')
  t.match(reset.body, { status: 503, code: 'CONSENT_LEDGER_UNAVAILABLE' })
  t.equal((await traced('the supervisor, ledger down', supervisor, OIN.toezichthouder, BSN.client)).status, 200, 'the supervisor\'s report does not depend on the ledger')
  ledgerDown = 'stall'
  const started = Date.now()
  const stall = await traced('ledger stalled', college, OIN.gemeente, BSN.client)
  t.equal(stall.status, 503, 'no answer within LEDGER_TIMEOUT_MS: fail closed')
  t.ok(Date.now() - started < 5000, 'after the deadline, not later')
  ledgerDown = 'no'
  for (const res of stalled) res.destroy()
  t.equal((await traced('ledger back', college, OIN.gemeente, BSN.client)).status, 200, 'back: the report again')

  // Every one of these asks is an audit event about the person asked about: granted true/false.
  const recorded = { 200: { outcome: 'permit', granted: true }, 403: { outcome: 'deny', granted: false }, 503: { outcome: 'error', granted: false } } as const
  for (const a of asks) {
    const event = await waitFor(`the audit event of ${a.what}`, async () =>
      (await eventsAbout(a.bsn)).find((e) => e.type === 'subject-report.requested' && e.traceId === a.traceId))
    const expected = recorded[a.status as keyof typeof recorded]
    t.match(event, {
      outcome: expected.outcome,
      reasons: a.status === 403 ? ['REPORT_NOT_PERMITTED'] : a.status === 503 ? ['CONSENT_LEDGER_UNAVAILABLE'] : [],
      actor: { org: a.org },
      subjectRef: pseudonymise('bsn', a.bsn),
      detail: { granted: expected.granted }
    }, `${a.what} (${a.status}): recorded`)
    t.notOk(JSON.stringify(event).includes(a.bsn), 'without the BSN')
  }
})
