// Events out: every ledger event reaches topic `cases` (key = caseId, { caseId, version, type,
// recordedAt }) and topic `audit` (one audit event per person concerned, each naming the event's
// version and hash and that person's pseudonym: every subject of the case, or, for an objection,
// the person objecting), through the transactional outbox on the real broker. A refused write
// sends nothing. No BSN in any key or value.
import t from 'tap'
import { Broker, type ConsumedMessage } from '@wams/platform'
import { KAFKA_BROKERS, uniqueName } from '../support/infra.ts'
import { BSN, OIN, callers, hulpvraagBody, openCase, startLedger } from './helpers.ts'

const { app, topicPrefix } = await startLedger(t, 'ledger_kafka')

const write = async (method: 'POST' | 'PUT', url: string, payload: Record<string, unknown>, expected = 200) => {
  const res = await app.inject({ method, url, headers: callers.college(), payload })
  t.equal(res.statusCode, expected, `${method} ${url}`)
  return res
}

t.test('every ledger event arrives on `cases` and `audit`, in order, without personal data', async (t) => {
  const { caseId } = await openCase(app, hulpvraagBody())
  await write('PUT', `/v1/cases/${caseId}/scope`, { domains: ['wmo'], parties: [OIN.zorgaanbieder], statement: 'Alleen de zorgaanbieder.' })
  await write('POST', `/v1/cases/${caseId}/participants`, { org: OIN.zorgaanbieder, necessity: 'Nodig voor het afstemmen van de thuiszorg.' }, 201)
  const lodged = await write('POST', `/v1/cases/${caseId}/objections`, { subject: BSN.member, reason: 'Ik maak bezwaar.' }, 201)
  await write('POST', `/v1/cases/${caseId}/objections/${lodged.json().objectionId}/decision`, { upheld: false, reason: 'Afgewezen.' })
  // Refused writes: nothing may be published for them.
  await write('POST', `/v1/cases/${caseId}/phase`, { phase: 'onderzoek' }, 409)
  await write('POST', `/v1/cases/${caseId}/participants`, { org: OIN.huisarts, necessity: 'Buiten de scope van de cliënt.' }, 400)
  await write('POST', `/v1/cases/${caseId}/close`, { reason: 'Afgerond.' })

  const ledger = (await app.inject({ method: 'GET', url: `/v1/cases/${caseId}/ledger`, headers: callers.college() })).json()
  const expected = ledger.events as Array<{ seq: number, eventId: string, type: string, hash: string, recordedAt: string }>
  t.equal(expected.length, 6)
  const subjects = ledger.events[0].content.data.subjects as Array<{ subjectRef: string, role: string }>
  t.equal(subjects.length, 2, 'a client and a household member')
  const memberRef = subjects.find((s) => s.role === 'household-member')!.subjectRef
  const concerned = (type: string) => type.startsWith('objection.') ? subjects.filter((s) => s.subjectRef === memberRef) : subjects
  // One audit event per person concerned: 4 events about both persons, 2 objection events about the member.
  const expectedAudit = expected.reduce((n, e) => n + concerned(e.type).length, 0)
  t.equal(expectedAudit, 10)

  const broker = new Broker({ brokers: KAFKA_BROKERS, clientId: 'ledger-kafka-test', topicPrefix, partitions: 1, replicationFactor: 1 })
  t.teardown(() => broker.close())
  const received: ConsumedMessage[] = []
  const mine = (m: ConsumedMessage) => m.key === caseId
  let done!: () => void
  const complete = new Promise<void>((resolve) => { done = resolve })
  const subscription = await broker.consume({
    groupId: uniqueName('ledger_kafka_test'),
    topics: ['cases', 'audit'],
    fromBeginning: true,
    handle: async (messages) => {
      received.push(...messages)
      const cases = received.filter((m) => m.topic === broker.topic('cases') && mine(m)).length
      const audit = received.filter((m) => m.topic === broker.topic('audit') && mine(m)).length
      if (cases >= expected.length && audit >= expectedAudit) done()
    }
  })
  const timeout = setTimeout(() => done(), 30_000)
  await complete
  clearTimeout(timeout)
  await subscription.stop()

  const cases = received.filter((m) => m.topic === broker.topic('cases') && mine(m))
  t.same(cases.map((m) => JSON.parse(m.value)), expected.map((e) => ({ caseId, version: e.seq, type: e.type, recordedAt: e.recordedAt })),
    'cases: one message per event, in version order, with only ids, version, type and time')
  t.same(cases.map((m) => m.headers['event-id']), expected.map((e) => e.eventId), 'each carries its ledger event id (consumers deduplicate on it)')

  const audit = received.filter((m) => m.topic === broker.topic('audit') && mine(m)).map((m) => JSON.parse(m.value))
  t.equal(audit.length, expectedAudit, 'one audit event per person concerned by each ledger event, none for the refused writes')
  t.same(
    audit.map((a) => [a.detail.version, a.detail.eventType, a.detail.hash, a.subjectRef, a.detail.subjectRole]),
    expected.flatMap((e) => concerned(e.type).map((s) => [e.seq, e.type, e.hash, s.subjectRef, s.role])),
    'each audit event names its event\'s version and hash, and the one person it is about, with their role')
  for (const a of audit) {
    t.match(a, {
      type: 'case.event',
      source: 'consent-ledger',
      outcome: 'recorded',
      caseId,
      subjectType: 'bsn-pseudonym',
      processingActivity: { id: `wams.case.${a.detail.eventType}`, version: '1' },
      actor: { org: OIN.gemeente, sub: 'college-desk', roles: ['college'], partyType: 'gemeente' },
      legalBasis: /Wams/,
      detail: { route: 'hulpvraag', clientInformed: true }
    })
  }
  const objectionAudits = audit.filter((a) => a.detail.eventType.startsWith('objection.'))
  t.equal(objectionAudits.length, 2)
  t.ok(objectionAudits.every((a) => a.subjectRef === memberRef), 'objection events are about the person objecting only')

  const everything = [...received].map((m) => `${m.key ?? ''} ${m.value} ${JSON.stringify(m.headers)}`).join('\n')
  for (const bsn of Object.values(BSN)) t.notOk(everything.includes(bsn), `no BSN ${bsn.slice(0, 3)}… in any key, value or header`)
  for (const words of ['Ik maak bezwaar', 'Alleen de zorgaanbieder', 'thuiszorg', 'Huurachterstand']) t.notOk(everything.includes(words), `no "${words}"`)
})
