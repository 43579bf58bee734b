// Issue 11 item 2: a provider's view of the audit log is what the provider received. Events are
// built by the gateway's own builder (decisionEvent, withoutStanding) and stored through Kafka,
// then read through every path — the list, the search by person, the single event, the stream —
// by the provider, the requester, the owning municipality, a caller without standing and the
// supervisor (services/audit/src/views.ts has the table).
import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { AuditEvent } from '@wams/platform'
import type { PartnerErrorCode } from '../../services/gateway/src/partner-client.ts'
import { withoutStanding } from '../../services/gateway/src/data-request.ts'
import { PARTNER_ERROR_SENT } from '../../services/audit/src/views.ts'
import { bearer } from '../support/tokens.ts'
import { ORG, caseOpened, decision, freshInfra, producer, pseudonymise, send, startAudit, waitFor, waitForCheckpoint } from './support.ts'

const RESIDENT = '999990019'

// Every partner error of the gateway is judged sent or not sent, and nothing else is (compile time).
type Unjudged = Exclude<PartnerErrorCode, keyof typeof PARTNER_ERROR_SENT>
type Unknown = Exclude<keyof typeof PARTNER_ERROR_SENT, PartnerErrorCode>
const judgedExactly: [Unjudged, Unknown] extends [never, never] ? true : false = true

interface Item { view: 'full' | 'provider', event: Record<string, unknown>, leafIndex: number, leafHash?: string }

t.test('provider views are what the provider received', async (t) => {
  t.ok(judgedExactly, 'PARTNER_ERROR_SENT judges exactly the gateway\'s partner error codes')
  const infra = await freshInfra(t, 'audit_provider_view')
  const app = await startAudit(t, infra)
  const broker = await producer(t, infra)

  const caseA = randomUUID() // Voorbeeldstad's
  const me = pseudonymise('bsn', RESIDENT)
  const base = { caseId: caseA, requester: ORG.voorbeeldstad, requesterType: 'gemeente', provider: ORG.zorggroep, subjectRef: me } as const
  const error = (code: PartnerErrorCode, partnerStatus: number | null = null) =>
    decision({ ...base, outcome: 'error', detail: { decision: 'permit', partnerStatus, error: code } })
  const PROTECTS = 'Het kind in het gezin loopt gevaar en moet nu beschermd worden.'
  const ev = {
    opened: caseOpened(caseA, ORG.voorbeeldstad, undefined, { subjects: [{ subjectRef: me, role: 'client' }] })[0]!,
    // Sent to Zorggroep, and answered.
    permit: decision({ ...base, outcome: 'permit' }),
    refused: decision({ ...base, outcome: 'refused', detail: { decision: 'permit', partnerStatus: 451, providerReason: 'medisch beroepsgeheim' } }),
    notKnown: decision({ ...base, outcome: 'not-known', type: 'involvement-check.decision', category: 'involvement', fields: ['known', 'contactPerson'], detail: { decision: 'permit', partnerStatus: 404, checkRequestId: randomUUID() } }),
    // Sent, but no usable answer.
    timeout: error('PARTNER_TIMEOUT'),
    failed: error('PARTNER_FAILED', 503),
    // A permit despite a pending objection: the reason code and the flag tell of the objection.
    overridden: decision({
      ...base,
      outcome: 'permit',
      reasons: ['OBJECTION_PENDING_OVERRIDDEN'],
      detail: { decision: 'permit', partnerStatus: 200, flags: ['objection-overridden'], protectsOthers: { reason: PROTECTS } }
    }),
    // Never sent to Zorggroep.
    deny: decision({ ...base, outcome: 'deny', reasons: ['CATEGORY_NOT_PERMITTED'] }),
    busy: error('PARTNER_BUSY'),
    circuitOpen: error('PARTNER_CIRCUIT_OPEN'),
    unavailable: error('PARTNER_UNAVAILABLE'),
    // Buurdorp, without standing in Voorbeeldstad's case, names it (as the gateway records it).
    noStanding: { ...decision({ ...base, requester: ORG.buurdorp, outcome: 'deny', reasons: ['SUBJECT_NOT_IN_CASE'], detail: withoutStanding(caseA).detail }), caseId: null }
  } satisfies Record<string, AuditEvent>
  await send(broker, Object.values(ev))
  await waitForCheckpoint(app, Object.keys(ev).length)

  const sent = ['permit', 'refused', 'notKnown', 'timeout', 'failed', 'overridden'] as const
  const key = (id: unknown) => Object.entries(ev).find(([, e]) => e.eventId === id)?.[0]
  const list = async (headers: Record<string, string>, query = '') => {
    const res = await app.inject({ url: `/v1/audit/events?limit=500${query}`, headers })
    t.equal(res.statusCode, 200, res.body.slice(0, 300))
    return { items: res.json().events as Item[], body: res.body }
  }
  const provider = bearer({ org: ORG.zorggroep, roles: ['professional'] })
  const requester = bearer({ org: ORG.voorbeeldstad, roles: ['college'] })
  const stranger = bearer({ org: ORG.buurdorp, roles: ['college'] })
  const supervisor = bearer({ org: ORG.ap, roles: ['supervisor'] })
  const caseRef = pseudonymise('case', caseA, ORG.zorggroep)

  /** What a provider's item must be: the projection, nothing of the case id, the person or the rules. */
  const assertProjection = (t: Test, item: Item, raw: string) => {
    t.equal(item.view, 'provider')
    t.notOk('leafHash' in item, 'no leaf hash: it is over the full event')
    const e = item.event
    t.equal(e.caseRef, caseRef, 'the caseRef the gateway sent it')
    t.same(e.actor, { org: ORG.voorbeeldstad, partyType: 'gemeente' }, 'the requesting organisation and party type only')
    for (const hidden of ['caseId', 'subjectRef', 'subjectType', 'reasons', 'processingActivity', 'policyVersion', 'spanId', 'fieldsReleased', 'source']) {
      t.notOk(hidden in e, `no ${hidden}`)
    }
    t.notOk(raw.includes(caseA), 'the internal case id appears nowhere')
    t.notOk(raw.includes(me), 'nor the subject\'s pseudonym')
    t.notOk(raw.includes(`user-${ORG.voorbeeldstad.slice(-4)}`), 'nor the requesting person')
    t.notOk(/"roles"|"flags"|OBJECTION_PENDING|protectsOthers|namedCaseId|checkRequestId/.test(raw), 'nor roles, flags, reason codes or ids that reveal more')
  }

  await t.test('the provider sees the requests sent to it, as it received them', async (t) => {
    const { items, body } = await list(provider)
    t.same(items.map((i) => key(i.event.eventId)).sort(), [...sent].sort(), 'sent: permit, refused, not-known, timeout, failed (and the override); not the deny, busy, circuit open, unavailable or the no-standing attempt')
    for (const item of items) assertProjection(t, item, JSON.stringify(item))
    t.notOk(body.includes(caseA), 'not in the whole answer either')
    t.notOk(body.includes(PROTECTS), 'nor the protectsOthers statement')
    const byKey = Object.fromEntries(items.map((i) => [key(i.event.eventId), i.event]))
    t.match(byKey.permit, {
      eventId: ev.permit.eventId,
      time: ev.permit.time,
      type: 'data-request.decision',
      traceId: ev.permit.traceId,
      transactionId: ev.permit.transactionId,
      provider: ORG.zorggroep,
      category: 'health',
      purpose: 'onderzoek',
      fieldsRequested: ['careInvolved', 'careType'],
      outcome: 'permit',
      legalBasis: ev.permit.legalBasis,
      necessity: ev.permit.necessity,
      detail: { partnerStatus: 200 }
    })
    t.same(byKey.refused!.detail, { partnerStatus: 451, providerReason: 'medisch beroepsgeheim' }, 'its own refusal reason')
    t.match(byKey.notKnown, { type: 'involvement-check.decision', outcome: 'not-known', detail: { partnerStatus: 404 } })
    t.same(byKey.timeout!.detail, { partnerStatus: null, error: 'PARTNER_TIMEOUT' })
    t.same(byKey.failed!.detail, { partnerStatus: 503, error: 'PARTNER_FAILED' })
  })

  await t.test('the same view for one event, for the search by person and in the filters', async (t) => {
    const one = await app.inject({ url: `/v1/audit/events/${ev.permit.eventId}`, headers: provider })
    t.equal(one.statusCode, 200)
    const body = one.json() as Item & Record<string, unknown>
    assertProjection(t, body, one.body)
    for (const proof of ['inclusionProof', 'rootHash', 'treeSize', 'signedNote']) t.notOk(proof in body, `no ${proof}`)
    const listed = (await list(provider)).items.find((i) => i.event.eventId === ev.permit.eventId)
    t.same(body, listed, 'exactly the listed item')
    for (const k of ['deny', 'busy', 'circuitOpen', 'unavailable', 'noStanding', 'opened'] as const) {
      const res = await app.inject({ url: `/v1/audit/events/${ev[k].eventId}`, headers: provider })
      t.equal(res.statusCode, 404, `${k}: as if it did not exist`)
    }
    const search = await app.inject({ method: 'POST', url: '/v1/audit/events/search', headers: provider, payload: { bsn: RESIDENT, limit: 500 } })
    t.equal(search.statusCode, 200)
    t.same((search.json().events as Item[]).map((i) => key(i.event.eventId)).sort(), [...sent].sort(), 'search by the BSN it received: the same events')
    t.same(search.json().events, (await list(provider)).items, 'in the same projection')
    t.same((await list(provider, `&caseId=${caseA}`)).items, [], 'a case id filter does not tell it which case is behind its caseRef')
    t.same((await list(provider, '&flag=objection-overridden')).items, [], 'nor does the supervisor\'s flag')
    t.same((await list(provider, '&outcome=refused')).items.map((i) => key(i.event.eventId)), ['refused'], 'filters on what it sees work')
  })

  await t.test('the requester still sees its own requests in full, denials included, with proofs', async (t) => {
    const { items } = await list(requester)
    const keys = items.map((i) => key(i.event.eventId))
    t.ok(['deny', 'busy', 'permit', 'overridden', 'opened'].every((k) => keys.includes(k)), 'its deny, its unsent and sent requests, its case')
    t.notOk(keys.includes('noStanding'), 'not Buurdorp\'s attempt')
    t.ok(items.every((i) => i.view === 'full' && typeof i.leafHash === 'string'))
    const deny = items.find((i) => key(i.event.eventId) === 'deny')!
    t.same(deny.event, JSON.parse(JSON.stringify(ev.deny)), 'the event exactly as written')
    const one = await app.inject({ url: `/v1/audit/events/${ev.deny.eventId}`, headers: requester })
    t.equal(one.statusCode, 200)
    t.match(one.json(), { view: 'full', event: { caseId: caseA, reasons: ['CATEGORY_NOT_PERMITTED'], actor: { sub: `user-${ORG.voorbeeldstad.slice(-4)}` } }, inclusionProof: Array })
  })

  await t.test('an attempt without standing: for the supervisor only', async (t) => {
    t.notOk((await list(stranger)).items.some((i) => i.event.eventId === ev.noStanding.eventId), 'the caller without standing does not get its reasons back through the audit log')
    t.equal((await app.inject({ url: `/v1/audit/events/${ev.noStanding.eventId}`, headers: stranger })).statusCode, 404)
    const search = await app.inject({ method: 'POST', url: '/v1/audit/events/search', headers: stranger, payload: { bsn: RESIDENT } })
    t.same(search.json().events, [], 'nor by searching the person')
    const { items } = await list(supervisor)
    t.same(items.map((i) => key(i.event.eventId)).filter(Boolean).sort(), Object.keys(ev).sort(), 'the supervisor sees every event')
    t.ok(items.every((i) => i.view === 'full'))
    const flagged = items.find((i) => i.event.eventId === ev.noStanding.eventId)!
    t.match(flagged.event, { caseId: null, outcome: 'deny', reasons: ['SUBJECT_NOT_IN_CASE'], detail: { flags: ['no-standing'], namedCaseId: caseA } })
    const one = await app.inject({ url: `/v1/audit/events/${ev.noStanding.eventId}`, headers: supervisor })
    t.match(one.json(), { view: 'full', event: { detail: { namedCaseId: caseA } }, inclusionProof: Array })
  })

  await t.test('the live stream gives the provider the same projection', async (t) => {
    await app.listen({ host: '127.0.0.1', port: 0 })
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/audit/stream`
    // Without Last-Event-ID the stream starts at the log's head: it carries the events sent below.
    const stream = await fetch(url, { headers: provider })
    t.equal(stream.status, 200)
    const received: Item[] = []
    const reader = stream.body!.getReader()
    let text = ''
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }))
        if (done) return
        text += Buffer.from(value!).toString()
        const blocks = text.split('\n\n')
        text = blocks.pop()!
        for (const block of blocks) {
          const data = /^data: (.*)$/m.exec(block)
          if (data) received.push(JSON.parse(data[1]!))
        }
      }
    })()
    const later = {
      permit: decision({ ...base, outcome: 'permit', category: 'debts', fields: ['hasArrears'] }),
      deny: decision({ ...base, outcome: 'deny', reasons: ['FIELD_NOT_NECESSARY'] }),
      busy: error('PARTNER_BUSY'),
      noStanding: { ...decision({ ...base, requester: ORG.buurdorp, outcome: 'deny', reasons: ['CASE_CLOSED'], detail: withoutStanding(caseA).detail }), caseId: null }
    }
    await send(broker, Object.values(later))
    await waitFor('the permit on the provider\'s stream', async () => received.length >= 1, 15000)
    await waitForCheckpoint(app, Object.keys(ev).length + Object.keys(later).length)
    await new Promise((resolve) => setTimeout(resolve, 500)) // anything else would have come by now
    t.same(received.map((i) => i.event.eventId), [later.permit.eventId], 'only the request sent to it')
    assertProjection(t, received[0]!, JSON.stringify(received[0]))
    const listed = (await list(provider)).items.find((i) => i.event.eventId === later.permit.eventId)
    t.same(received[0], listed, 'the stream\'s item is the list\'s item')
    await reader.cancel()
  })
})
