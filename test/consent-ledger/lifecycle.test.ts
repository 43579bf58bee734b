// The life of a case: the client's scope (set, narrowed, withdrawn), participants inside and
// outside the scope, phases only forward, the objection flow, closing, and optimistic concurrency
// with If-Match/ETag. The gateway's decision state follows every acknowledged change and matches
// the contract schemas/case-state.schema.json.
import t from 'tap'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { PROBLEM_TYPE } from '@wams/platform'
import commonSchema from '@wams/schemas/common.schema.json' with { type: 'json' }
import caseStateSchema from '@wams/schemas/case-state.schema.json' with { type: 'json' }
import { fold } from '../../services/consent-ledger/src/case-state.ts'
import { BSN, OIN, callers, ernstigBody, hulpvraagBody, openCase, startLedger } from './helpers.ts'

const { app, sql } = await startLedger(t, 'ledger_lifecycle')

const ajv = new Ajv2020({ allErrors: true, strict: false })
addFormats.default(ajv)
ajv.addSchema(commonSchema)
const validCaseState = ajv.compile(caseStateSchema)

type Headers = Record<string, string>
const send = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: Record<string, unknown>, headers: Headers = callers.college()) =>
  app.inject({ method, url, headers, ...(payload ? { payload } : {}) })
const decisionState = async (caseId: string) => {
  const res = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}/decision-state`, headers: callers.gateway() })
  if (res.statusCode !== 200) throw new Error(`decision-state: ${res.statusCode} ${res.body}`)
  return res.json()
}
const necessity = 'Nodig om de hulp bij de schulden af te stemmen met de zorg thuis.'

t.test('scope: set, narrowed, withdrawn — each visible to the gateway as soon as it is acknowledged', async (t) => {
  const { caseId } = await openCase(app)
  t.equal((await decisionState(caseId)).scope, null, 'no scope until the client records one')

  const set = await send('PUT', `/v1/cases/${caseId}/scope`, {
    domains: ['schulden', 'wmo', 'zorg'], parties: [OIN.zorgaanbieder, OIN.woningcorporatie, OIN.gemeente], statement: 'Ik wil dat de zorg en de woningcorporatie meedoen.'
  })
  t.equal(set.statusCode, 200)
  t.equal(set.headers.etag, '"2"')
  t.match(set.json(), { version: 2, event: { type: 'scope.recorded' }, state: { scope: { withdrawn: false, statement: /zorg/, recordedBy: { org: OIN.gemeente, sub: 'college-desk' } } } })
  let seen = await decisionState(caseId)
  t.same(seen.scope.domains, ['schulden', 'wmo', 'zorg'])
  t.same(seen.scope.parties, [OIN.zorgaanbieder, OIN.woningcorporatie, OIN.gemeente])
  t.equal(seen.version, 2)

  t.equal((await send('POST', `/v1/cases/${caseId}/participants`, { org: OIN.zorgaanbieder, necessity })).statusCode, 201)
  t.equal((await send('POST', `/v1/cases/${caseId}/participants`, { org: OIN.woningcorporatie, necessity }, callers.coordinator())).statusCode, 201, 'the coordinator writes too')

  const narrowed = await send('PUT', `/v1/cases/${caseId}/scope`, { domains: ['schulden'], parties: [OIN.zorgaanbieder], statement: 'Alleen nog de zorgaanbieder.' }, callers.coordinator())
  t.equal(narrowed.statusCode, 200)
  seen = await decisionState(caseId)
  t.same(seen.scope, { domains: ['schulden'], parties: [OIN.zorgaanbieder], withdrawn: false, recordedAt: narrowed.json().event.recordedAt })
  t.same(seen.participants.map((p: { org: string }) => p.org), [OIN.zorgaanbieder], 'a party outside the narrowed scope no longer participates')

  const withdrawn = await send('PUT', `/v1/cases/${caseId}/scope`, { domains: [], parties: [], statement: 'Ik trek mijn toestemming in.' })
  t.equal(withdrawn.statusCode, 200)
  seen = await decisionState(caseId)
  t.match(seen.scope, { domains: [], parties: [], withdrawn: true })
  t.same(seen.participants, [], 'nobody participates under a withdrawn scope')
  t.equal(seen.version, 6)
  t.ok(validCaseState(seen), JSON.stringify(validCaseState.errors))

  const events = (await sql.query('SELECT content FROM case_events WHERE case_id = $1 ORDER BY seq', [caseId])).rows.map((r) => r.content)
  t.same(events.map((e) => e.type), ['case.opened', 'scope.recorded', 'participant.added', 'participant.added', 'scope.recorded', 'scope.recorded'])
  t.same(events[4].data.removedParticipants, [OIN.woningcorporatie], 'the ledger says who the narrowing removed')
  t.equal(events[5].reason, 'Ik trek mijn toestemming in.', 'the event records the client\'s statement')
  t.same(events[5].actor, { org: OIN.gemeente, sub: 'college-desk', roles: ['college'] }, 'and who recorded it')
  const projected = (await sql.query('SELECT state FROM cases WHERE case_id = $1', [caseId])).rows[0].state
  t.same(fold(events), projected, 'the projection is the fold of the events')
})

t.test('scope is refused on route ernstig, and names only active parties', async (t) => {
  const { caseId } = await openCase(app, ernstigBody())
  const res = await send('PUT', `/v1/cases/${caseId}/scope`, { domains: ['jeugd'], parties: [], statement: 'Niet van toepassing.' })
  t.equal(res.statusCode, 400)
  t.match(res.headers['content-type'], PROBLEM_TYPE)
  t.equal(res.json().code, 'SCOPE_NOT_ON_ROUTE')

  const hulp = await openCase(app)
  const unknown = await send('PUT', `/v1/cases/${hulp.caseId}/scope`, { domains: ['wmo'], parties: [OIN.zorgaanbieder, OIN.inactiveWoningcorporatie], statement: 'Deze twee.' })
  t.equal(unknown.statusCode, 400)
  t.match(unknown.json(), { code: 'PARTY_NOT_REGISTERED', errors: [{ pointer: '/parties/1' }] })
  t.equal((await decisionState(hulp.caseId)).version, 1, 'a refused change records nothing')
})

t.test('participants: outside the scope refused, inside added with necessity, removed again', async (t) => {
  const { caseId } = await openCase(app)
  const noScope = await send('POST', `/v1/cases/${caseId}/participants`, { org: OIN.zorgaanbieder, necessity })
  t.equal(noScope.statusCode, 400)
  t.equal(noScope.json().code, 'OUTSIDE_CLIENT_SCOPE', 'no scope yet: nobody is inside it')

  await send('PUT', `/v1/cases/${caseId}/scope`, { domains: ['wmo', 'schulden'], parties: [OIN.zorgaanbieder], statement: 'De zorgaanbieder mag meedoen.' })
  const outside = await send('POST', `/v1/cases/${caseId}/participants`, { org: OIN.huisarts, necessity })
  t.equal(outside.statusCode, 400)
  t.equal(outside.json().code, 'OUTSIDE_CLIENT_SCOPE')

  const shortNecessity = await send('POST', `/v1/cases/${caseId}/participants`, { org: OIN.zorgaanbieder, necessity: 'nodig' })
  t.equal(shortNecessity.statusCode, 400, 'a necessity statement of at least 20 characters')
  t.equal((await send('POST', `/v1/cases/${caseId}/participants`, { org: OIN.toezichthouder, necessity })).json().code, 'PARTY_TYPE_NOT_ALLOWED', 'the supervisor is never a participant')

  const added = await send('POST', `/v1/cases/${caseId}/participants`, { org: OIN.zorgaanbieder, necessity })
  t.equal(added.statusCode, 201)
  t.match(added.json().state.participants, [{ org: OIN.zorgaanbieder, necessity, addedBy: { org: OIN.gemeente } }])
  t.match((await decisionState(caseId)).participants, [{ org: OIN.zorgaanbieder, necessity }])
  t.equal((await send('POST', `/v1/cases/${caseId}/participants`, { org: OIN.zorgaanbieder, necessity })).statusCode, 409, 'already a participant')

  const asParticipant = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: callers.participant() })
  t.equal(asParticipant.statusCode, 200)
  t.equal(asParticipant.json().view, 'participant')

  const removed = await send('DELETE', `/v1/cases/${caseId}/participants/${OIN.zorgaanbieder}`)
  t.equal(removed.statusCode, 200)
  t.same(removed.json().state.participants, [])
  t.same((await decisionState(caseId)).participants, [])
  t.equal((await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: callers.participant() })).statusCode, 404, 'a former participant no longer sees the case')
  t.equal((await send('DELETE', `/v1/cases/${caseId}/participants/${OIN.zorgaanbieder}`, { reason: 'Nogmaals.' })).statusCode, 404, 'not a participant (any more)')
})

t.test('route ernstig: professionals add any active party as participant', async (t) => {
  const { caseId } = await openCase(app, ernstigBody())
  const res = await send('POST', `/v1/cases/${caseId}/participants`, { org: OIN.politie, necessity: 'Politie heeft meldingen van overlast en geweld op dit adres.' })
  t.equal(res.statusCode, 201)
  t.equal((await send('POST', `/v1/cases/${caseId}/participants`, { org: OIN.unregistered, necessity })).json().code, 'PARTY_NOT_REGISTERED')
})

t.test('phases go only forward; closing needs its own route and a reason; nothing changes a closed case', async (t) => {
  const { caseId } = await openCase(app, ernstigBody())
  t.equal((await send('POST', `/v1/cases/${caseId}/phase`, { phase: 'onderzoek' })).statusCode, 409, 'not to the phase it is in')
  const closeViaPhase = await send('POST', `/v1/cases/${caseId}/phase`, { phase: 'afgesloten' })
  t.equal(closeViaPhase.statusCode, 400)
  t.equal(closeViaPhase.json().code, 'CLOSE_WITH_REASON')
  const aanpak = await send('POST', `/v1/cases/${caseId}/phase`, { phase: 'aanpak', reason: 'Onderzoek afgerond, plan van aanpak opgesteld.' })
  t.equal(aanpak.statusCode, 200)
  t.equal((await decisionState(caseId)).phase, 'aanpak')
  const back = await send('POST', `/v1/cases/${caseId}/phase`, { phase: 'onderzoek' })
  t.equal(back.statusCode, 409)
  t.equal(back.json().code, 'PHASE_NOT_FORWARD')

  t.equal((await send('POST', `/v1/cases/${caseId}/close`, {})).statusCode, 400, 'closing needs a reason')
  const closed = await send('POST', `/v1/cases/${caseId}/close`, { reason: 'De doelen van het plan zijn bereikt.' })
  t.equal(closed.statusCode, 200)
  t.match(closed.json().state, { phase: 'afgesloten', closedAt: closed.json().event.recordedAt, closeReason: 'De doelen van het plan zijn bereikt.' })
  t.match(await decisionState(caseId), { phase: 'afgesloten', closedAt: closed.json().event.recordedAt })

  const attempts = [
    send('POST', `/v1/cases/${caseId}/close`, { reason: 'Nogmaals sluiten.' }),
    send('POST', `/v1/cases/${caseId}/phase`, { phase: 'aanpak' }),
    send('POST', `/v1/cases/${caseId}/participants`, { org: OIN.politie, necessity }),
    send('POST', `/v1/cases/${caseId}/objections`, { subject: BSN.fourth, reason: 'Ik maak bezwaar.' })
  ]
  for (const res of await Promise.all(attempts)) {
    t.equal(res.statusCode, 409)
    t.equal(res.json().code, 'CASE_CLOSED')
  }
  t.equal((await decisionState(caseId)).version, 3, 'nothing was recorded after closing')
})

t.test('objections: lodged for a subject, decided once, visible to the gateway by pseudonym', async (t) => {
  const { caseId, res: opened } = await openCase(app)
  const member = opened.json().state.subjects.find((s: { role: string }) => s.role === 'household-member')

  const stranger = await send('POST', `/v1/cases/${caseId}/objections`, { subject: BSN.other, reason: 'Ik wil niet dat mijn gegevens worden gedeeld.' })
  t.equal(stranger.statusCode, 400)
  t.equal(stranger.json().code, 'SUBJECT_NOT_IN_CASE')
  t.notOk(stranger.body.includes(BSN.other))
  const invalid = await send('POST', `/v1/cases/${caseId}/objections`, { subject: '123456789', reason: 'Bezwaar.' })
  t.equal(invalid.statusCode, 400)
  t.notOk(invalid.body.includes('123456789'), 'an invalid BSN is not echoed')

  const lodged = await send('POST', `/v1/cases/${caseId}/objections`, { subject: BSN.member, reason: 'Ik wil niet dat mijn gegevens worden gedeeld.' })
  t.equal(lodged.statusCode, 201)
  const { objectionId } = lodged.json()
  t.match(objectionId, /^[0-9a-f-]{36}$/)
  t.same((await decisionState(caseId)).objections, [{ objectionId, subjectRef: member.subjectRef, status: 'pending' }])
  t.equal((await send('POST', `/v1/cases/${caseId}/objections`, { subject: BSN.member, reason: 'Nog een keer.' })).json().code, 'OBJECTION_PENDING')

  const stored = (await sql.query('SELECT content FROM case_events WHERE case_id = $1 AND type = $2', [caseId, 'objection.lodged'])).rows[0].content
  t.same(stored.data, { objectionId, subjectRef: member.subjectRef }, 'the objection event holds the pseudonym, not the BSN')

  const unknown = await send('POST', `/v1/cases/${caseId}/objections/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/decision`, { upheld: true, reason: 'x' })
  t.equal(unknown.statusCode, 404)
  const decided = await send('POST', `/v1/cases/${caseId}/objections/${objectionId}/decision`, { upheld: true, reason: 'Het belang van betrokkene weegt zwaarder.' }, callers.coordinator())
  t.equal(decided.statusCode, 200)
  t.match(decided.json().state.objections, [{ objectionId, status: 'upheld', decisionReason: /zwaarder/ }])
  t.same((await decisionState(caseId)).objections, [{ objectionId, subjectRef: member.subjectRef, status: 'upheld' }])

  const again = await send('POST', `/v1/cases/${caseId}/objections/${objectionId}/decision`, { upheld: false, reason: 'Toch niet.' })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'OBJECTION_ALREADY_DECIDED')

  const second = await send('POST', `/v1/cases/${caseId}/objections`, { subject: BSN.client, reason: 'Ook ik maak bezwaar.' })
  const rejected = await send('POST', `/v1/cases/${caseId}/objections/${second.json().objectionId}/decision`, { upheld: false, reason: 'Noodzakelijk voor de veiligheid.' })
  t.equal(rejected.statusCode, 200)
  t.same((await decisionState(caseId)).objections.map((o: { status: string }) => o.status), ['upheld', 'rejected'])
})

t.test('If-Match: the expected version or 409; ETag is the version', async (t) => {
  const { caseId } = await openCase(app, ernstigBody())
  const read = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: callers.college() })
  t.equal(read.headers.etag, '"1"')
  const stale = await send('POST', `/v1/cases/${caseId}/phase`, { phase: 'aanpak' }, { ...callers.college(), 'if-match': '"7"' })
  t.equal(stale.statusCode, 409)
  t.match(stale.headers['content-type'], PROBLEM_TYPE)
  t.match(stale.json(), { code: 'VERSION_MISMATCH', currentVersion: 1 })
  // What the caller put in If-Match is not repeated: a header may hold anything, a BSN included.
  const echoed = await send('POST', `/v1/cases/${caseId}/phase`, { phase: 'aanpak' }, { ...callers.college(), 'if-match': '"999990019"' })
  t.equal(echoed.statusCode, 409)
  t.notOk(echoed.body.includes('999990019'), 'the sent version is not in the answer')
  const fresh = await send('POST', `/v1/cases/${caseId}/phase`, { phase: 'aanpak' }, { ...callers.college(), 'if-match': read.headers.etag as string })
  t.equal(fresh.statusCode, 200)
  t.equal(fresh.headers.etag, '"2"')
  const garbage = await send('POST', `/v1/cases/${caseId}/close`, { reason: 'Klaar met de aanpak.' }, { ...callers.college(), 'if-match': 'yesterday' })
  t.equal(garbage.statusCode, 400)
  t.equal(garbage.json().code, 'IF_MATCH_INVALID')
})

t.test('the decision state is exactly the case-state contract, without BSNs or words about the person', async (t) => {
  const { caseId } = await openCase(app, hulpvraagBody())
  await send('PUT', `/v1/cases/${caseId}/scope`, { domains: ['wmo'], parties: [OIN.zorgaanbieder], statement: 'Mijn verklaring over de zorg.' })
  await send('POST', `/v1/cases/${caseId}/participants`, { org: OIN.zorgaanbieder, necessity })
  await send('POST', `/v1/cases/${caseId}/objections`, { subject: BSN.member, reason: 'Mijn bezwaar in woorden.' })
  const res = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}/decision-state`, headers: callers.gateway() })
  t.equal(res.statusCode, 200)
  t.equal(res.headers.etag, '"4"')
  const state = res.json()
  t.ok(validCaseState(state), JSON.stringify(validCaseState.errors))
  t.same(Object.keys(state).sort(), [...caseStateSchema.required].sort(), 'exactly the required members of the contract')
  for (const secret of [BSN.client, BSN.member, 'Huurachterstand', 'Door de schulden', 'Mijn verklaring', 'Mijn bezwaar']) {
    t.notOk(res.body.includes(secret), `no "${secret}"`)
  }
  const supervisor = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}/decision-state`, headers: callers.supervisor() })
  t.equal(supervisor.statusCode, 200)
  const missing = await app.inject({ method: 'GET', url: '/v1/cases/00000000-0000-4000-8000-000000000000/decision-state', headers: callers.gateway() })
  t.equal(missing.statusCode, 404)
  t.match(missing.headers['content-type'], PROBLEM_TYPE)
})
