// The eleven rules of SPEC §5, over HTTP: for each rule a request it denies (with its reason code,
// and no other) and one that passes it — a 200 permit from the real partner system, so the passing
// request passed every rule. Cases are made through the real consent ledger, and each change is
// seen by the very next request (read-after-write, no cache). Every decision has its audit event.
import t from 'tap'
import { bearer } from '../support/tokens.ts'
import { randomUUID } from 'node:crypto'
import {
  BSN, NECESSITY, OIN, ask, assertNoBsnLogged, callers, ernstigCase, expectDeny, expectNoStanding, expectPermit, hulpvraagCase, ledgerCall, openCase, startExchange
} from './helpers.ts'

const x = await startExchange(t, 'gw_rules')
const { gateway, ledger, sql } = x

// The cases the rules are judged against.
const ernstig = await openCase(ledger) // phase onderzoek, ground overlast, client + household member
const aanpak = await openCase(ledger, {
  participants: [OIN.zorgaanbieder, OIN.huisarts, OIN.school, OIN.politie],
  phase: 'aanpak'
})
const hulpvraag = await openCase(ledger, {
  body: hulpvraagCase(),
  scope: { domains: ['schulden', 'wmo', 'zorg'], parties: [OIN.zorgaanbieder, OIN.gemeente, OIN.woningcorporatie] }
})
const health = { provider: OIN.zorgaanbieder, category: 'health', fields: ['careInvolved'] }
const identity = { provider: OIN.gemeente, category: 'identity', fields: ['name'] }

t.test('rule 1: requester and provider are active parties in the register', async (t) => {
  await expectDeny(t, sql, await ask(gateway, ernstig, { provider: OIN.inactiveWoningcorporatie, category: 'housing', fields: ['tenant'] }), ['PROVIDER_NOT_REGISTERED'])
  await expectDeny(t, sql, await ask(gateway, ernstig, { provider: OIN.unregistered, category: 'housing', fields: ['tenant'] }), ['PROVIDER_NOT_REGISTERED'])
  await expectPermit(t, sql, await ask(gateway, ernstig, { provider: OIN.woningcorporatie, category: 'housing', fields: ['tenant'] }), ['tenant'])
  // The requester's half: a verified token of an inactive or unregistered party is denied by rule 1.
  // A requester that is not an active party has no standing: the reasons are in the audit record only.
  await expectNoStanding(t, sql, await ask(gateway, ernstig, identity, callers.professional(OIN.inactiveWoningcorporatie)), ernstig, ['REQUESTER_NOT_REGISTERED', 'ROLE_NOT_PERMITTED'])
  await expectNoStanding(t, sql, await ask(gateway, ernstig, identity, bearer({ org: OIN.unregistered, roles: ['college'], sub: 'x' })), ernstig, ['REQUESTER_NOT_REGISTERED', 'ROLE_NOT_PERMITTED'])
  await expectPermit(t, sql, await ask(gateway, ernstig, identity), ['name'])
})

t.test('rule 2: the case exists and is not closed', async (t) => {
  const none = randomUUID()
  await expectNoStanding(t, sql, await ask(gateway, none, health), none, ['CASE_NOT_FOUND'])
  const closed = await openCase(ledger, { closed: true })
  // A closed case also fits no purpose (rule 4); both are reported.
  await expectDeny(t, sql, await ask(gateway, closed, health), ['CASE_CLOSED', 'PURPOSE_NOT_IN_PHASE'])
  await expectPermit(t, sql, await ask(gateway, ernstig, health), ['careInvolved'])
})

t.test('rule 3: the subject is a client or household member of the case', async (t) => {
  await expectDeny(t, sql, await ask(gateway, ernstig, { ...identity, subject: BSN.refused }), ['SUBJECT_NOT_IN_CASE'])
  await expectPermit(t, sql, await ask(gateway, ernstig, { ...identity, subject: BSN.member }), ['name'])
  await expectPermit(t, sql, await ask(gateway, ernstig, { ...identity, subject: BSN.client }), ['name'])
})

t.test('rule 4: the purpose fits the phase', async (t) => {
  await expectDeny(t, sql, await ask(gateway, ernstig, { ...identity, purpose: 'casusoverleg' }, callers.coordinator()), ['PURPOSE_NOT_IN_PHASE'])
  await expectDeny(t, sql, await ask(gateway, aanpak, identity), ['PURPOSE_NOT_IN_PHASE'])
  await expectPermit(t, sql, await ask(gateway, aanpak, { ...identity, purpose: 'casusoverleg' }, callers.coordinator()), ['name'])
  // The phase change is seen by the next request.
  const moving = await openCase(ledger)
  await expectPermit(t, sql, await ask(gateway, moving, identity), ['name'])
  await ledgerCall(ledger, 'POST', `/v1/cases/${moving}/phase`, { phase: 'aanpak' })
  await expectDeny(t, sql, await ask(gateway, moving, identity), ['PURPOSE_NOT_IN_PHASE'])
})

t.test('rule 5: the requester may act for the purpose', async (t) => {
  // Without standing (not a participant, another municipality) the reason is recorded, not told.
  await expectNoStanding(t, sql, await ask(gateway, ernstig, identity, callers.professional(OIN.zorgaanbieder)), ernstig, ['ROLE_NOT_PERMITTED'])
  await expectNoStanding(t, sql, await ask(gateway, ernstig, health, callers.otherCollege()), ernstig, ['ROLE_NOT_PERMITTED'])
  await expectDeny(t, sql, await ask(gateway, aanpak, { ...identity, purpose: 'coordinatie' }, callers.otherCoordinator()), ['ROLE_NOT_PERMITTED'])
  await expectPermit(t, sql, await ask(gateway, aanpak, { ...identity, purpose: 'coordinatie' }, callers.coordinator()), ['name'])
  await expectPermit(t, sql, await ask(gateway, ernstig, identity, callers.coordinator()), ['name'])
  await expectPermit(t, sql, await ask(gateway, aanpak, { ...health, purpose: 'casusoverleg' }, callers.professional(OIN.huisarts)), ['careInvolved'])
})

t.test('rule 6: outside onderzoek the provider must participate', async (t) => {
  const ggd = { ...health, provider: OIN.ggd, purpose: 'casusoverleg' }
  await expectDeny(t, sql, await ask(gateway, aanpak, ggd, callers.coordinator()), ['PROVIDER_NOT_PARTICIPANT'])
  await expectPermit(t, sql, await ask(gateway, aanpak, { ...health, purpose: 'casusoverleg' }, callers.coordinator()), ['careInvolved'])
  // For onderzoek the college may ask any registered party.
  await expectPermit(t, sql, await ask(gateway, ernstig, { ...health, provider: OIN.ggd }), ['careInvolved'])
})

t.test('rule 7: the provider supplies the category', async (t) => {
  await expectDeny(t, sql, await ask(gateway, ernstig, { ...health, provider: OIN.school }), ['CATEGORY_NOT_SUPPLIED'])
  await expectPermit(t, sql, await ask(gateway, ernstig, { provider: OIN.school, category: 'education', fields: ['enrolled'] }), ['enrolled'])
})

t.test('rule 8: route hulpvraag — only what the client put in scope', async (t) => {
  await expectDeny(t, sql, await ask(gateway, hulpvraag, { ...health, provider: OIN.huisarts }), ['OUTSIDE_CLIENT_SCOPE'])
  // The party is in scope, its domain (wonen) is not.
  await expectDeny(t, sql, await ask(gateway, hulpvraag, { provider: OIN.woningcorporatie, category: 'housing', fields: ['tenant'] }), ['OUTSIDE_CLIENT_SCOPE'])
  await expectPermit(t, sql, await ask(gateway, hulpvraag, health), ['careInvolved'])
  // involvement: the provider's own domain, so the provider being in scope is enough.
  await expectPermit(t, sql, await ask(gateway, hulpvraag, { provider: OIN.woningcorporatie, category: 'involvement', fields: ['known'] }), ['known'])

  const noScope = await openCase(ledger, { body: hulpvraagCase() })
  await expectDeny(t, sql, await ask(gateway, noScope, health), ['OUTSIDE_CLIENT_SCOPE'])
  await ledgerCall(ledger, 'PUT', `/v1/cases/${noScope}/scope`, { domains: ['zorg'], parties: [OIN.zorgaanbieder], statement: 'De zorg mag meedoen.' })
  await expectPermit(t, sql, await ask(gateway, noScope, health), ['careInvolved'])
  // Withdrawn by the client: the next request sees it.
  await ledgerCall(ledger, 'PUT', `/v1/cases/${noScope}/scope`, { domains: [], parties: [], statement: 'Ik trek het in.' })
  await expectDeny(t, sql, await ask(gateway, noScope, health), ['OUTSIDE_CLIENT_SCOPE'])
})

t.test('rule 9: special and criminal data only where the law allows', async (t) => {
  // A school never receives health data, even as a participant of the case.
  await expectDeny(t, sql, await ask(gateway, aanpak, { ...health, purpose: 'casusoverleg' }, callers.professional(OIN.school)), ['CATEGORY_NOT_PERMITTED'])
  // Criminal data only in route ernstig with ground overlast or veiligheid.
  const zorgmijding = await openCase(ledger, { body: ernstigCase({ seriousGrounds: ['zorgmijding'] }) })
  const criminal = { provider: OIN.politie, category: 'criminal', fields: ['policeContacts'] }
  await expectDeny(t, sql, await ask(gateway, zorgmijding, criminal), ['CATEGORY_NOT_PERMITTED'])
  await expectPermit(t, sql, await ask(gateway, ernstig, criminal), ['policeContacts'])
  await expectPermit(t, sql, await ask(gateway, aanpak, { ...health, purpose: 'casusoverleg' }, callers.professional(OIN.huisarts)), ['careInvolved'])
})

t.test('rule 10: necessity — a statement, known fields, detail only where needed', async (t) => {
  await expectDeny(t, sql, await ask(gateway, ernstig, { ...health, necessity: '   te kort   ' }), ['NECESSITY_NOT_STATED'])
  await expectDeny(t, sql, await ask(gateway, ernstig, { ...health, necessity: '' }), ['NECESSITY_NOT_STATED'])
  await expectDeny(t, sql, await ask(gateway, ernstig, { ...health, fields: ['careInvolved', 'shoeSize'] }), ['FIELD_UNKNOWN'])
  await expectDeny(t, sql, await ask(gateway, ernstig, { ...health, fields: [] }), ['FIELD_UNKNOWN'])
  // Detail fields never for onderzoek ...
  await expectDeny(t, sql, await ask(gateway, ernstig, { ...health, fields: ['careInvolved', 'diagnosisSummary'] }), ['FIELD_NOT_NECESSARY'])
  // ... and outside it only for the coordinator or a participant working in the category's domain.
  await expectDeny(t, sql, await ask(gateway, aanpak, { ...identity, fields: ['address'], purpose: 'casusoverleg' }, callers.professional(OIN.politie)), ['FIELD_NOT_NECESSARY'])
  await expectPermit(t, sql, await ask(gateway, aanpak, { ...health, fields: ['diagnosisSummary'], purpose: 'casusoverleg' }, callers.professional(OIN.huisarts)), ['diagnosisSummary'])
  await expectPermit(t, sql, await ask(gateway, aanpak, { ...identity, fields: ['name', 'address'], purpose: 'casusoverleg' }, callers.coordinator()), ['name', 'address'])
  await expectPermit(t, sql, await ask(gateway, ernstig, { ...health, necessity: '  ' + NECESSITY.slice(0, 20) + '  ' }), ['careInvolved'])
})

t.test('rule 11: no pending or upheld objection of the subject', async (t) => {
  const caseId = await openCase(ledger)
  await expectPermit(t, sql, await ask(gateway, caseId, identity), ['name'])
  const { objectionId } = await ledgerCall(ledger, 'POST', `/v1/cases/${caseId}/objections`, { subject: BSN.client, reason: 'Ik wil niet dat mijn gegevens gedeeld worden.' }) as { objectionId: string }
  await expectDeny(t, sql, await ask(gateway, caseId, identity), ['OBJECTION_PENDING'])
  // The household member's data are not covered by the client's objection.
  await expectPermit(t, sql, await ask(gateway, caseId, { ...identity, subject: BSN.member }), ['name'])
  await ledgerCall(ledger, 'POST', `/v1/cases/${caseId}/objections/${objectionId}/decision`, { upheld: true, reason: 'Het belang van de cliënt weegt zwaarder.' })
  await expectDeny(t, sql, await ask(gateway, caseId, identity), ['OBJECTION_UPHELD'])

  const rejected = await openCase(ledger)
  const lodged = await ledgerCall(ledger, 'POST', `/v1/cases/${rejected}/objections`, { subject: BSN.client, reason: 'Ik maak bezwaar.' }) as { objectionId: string }
  await ledgerCall(ledger, 'POST', `/v1/cases/${rejected}/objections/${lodged.objectionId}/decision`, { upheld: false, reason: 'De aanpak is noodzakelijk voor de veiligheid.' })
  await expectPermit(t, sql, await ask(gateway, rejected, identity), ['name'])
})

t.test('every failing rule is reported, not only the first', async (t) => {
  const res = await ask(gateway, aanpak, { provider: OIN.ggd, category: 'health', fields: ['diagnosisSummary', 'shoeSize'], purpose: 'casusoverleg', necessity: 'kort' }, callers.professional(OIN.school))
  await expectDeny(t, sql, res, ['PROVIDER_NOT_PARTICIPANT', 'CATEGORY_NOT_PERMITTED', 'NECESSITY_NOT_STATED', 'FIELD_UNKNOWN', 'FIELD_NOT_NECESSARY'])
  t.match(res.json().detail, /the provider does not participate in this case/, 'reasons a person understands')
})

t.test('input outside the contract is a 400 with every error, and no decision', async (t) => {
  const res = await gateway.inject({
    method: 'POST',
    url: `/v1/cases/${ernstig}/data-requests`,
    headers: callers.college(),
    payload: { provider: '123', subject: '123456789', category: 'gossip', purpose: 'curiosity', fields: ['a b'], necessity: NECESSITY, extra: 1 }
  })
  t.equal(res.statusCode, 400)
  const pointers = (res.json().errors as Array<{ pointer: string }>).map((e) => e.pointer).sort()
  t.same(pointers, ['/category', '/extra', '/fields/0', '/provider', '/purpose', '/subject'])
  t.notOk(res.body.includes('123456789'), 'the rejected BSN is not echoed')
  const notUuid = await ask(gateway, 'not-a-case', health)
  t.equal(notUuid.statusCode, 400)
})

t.test('no BSN in any log line of this run', async (t) => {
  assertNoBsnLogged(t, x)
})
