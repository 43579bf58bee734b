// Every outcome of SPEC §6 against real partner systems, some of them faulty: permit with only the
// requested fields (minimisation, also of a partner that sends extra fields), refused 451,
// not-known 404, timeout 504, answer outside the schema 502, partner failing 502, partner down
// 502, and the circuit breaker; then the involvement check, in parallel with a timeout per party.
import t from 'tap'
import {
  BSN, NECESSITY, OIN, ask, assertNoBsnLogged, auditEvent, callers, ernstigCase, expectOutcome, expectPermit, hulpvraagCase, openCase, startExchange
} from './helpers.ts'

const SLOW_TIMEOUT_MS = 1000
const x = await startExchange(t, 'gw_outcomes', {
  faults: {
    [OIN.energie]: { delayMs: 4000 }, // beyond the partner timeout
    [OIN.zorgverzekeraar]: { invalid: true },
    [OIN.kredietbank]: { extraFields: true },
    [OIN.uwv]: { status: 500 },
    // Slow but in time: for the parallel involvement check.
    [OIN.ggd]: { delayMs: 300 },
    [OIN.jeugdhulp]: { delayMs: 450 },
    [OIN.school]: { delayMs: 350 }
  },
  downOins: [OIN.reclassering],
  env: { PARTNER_TIMEOUT_MS: String(SLOW_TIMEOUT_MS), BREAKER_VOLUME: '3', BREAKER_ERROR_PERCENT: '50', BREAKER_RESET_MS: '60000' }
})
const { gateway, ledger, sql } = x

const ernstig = await openCase(ledger, {
  body: ernstigCase({ subjects: [{ bsn: BSN.client, role: 'client' }, { bsn: BSN.member, role: 'household-member' }, { bsn: BSN.unknown, role: 'household-member' }] })
})
const refusedCase = await openCase(ledger, { body: ernstigCase({ subjects: [{ bsn: BSN.refused, role: 'client' }] }) })

t.test('permit: 200 with exactly the requested fields, nothing else the partner sent', async (t) => {
  // The partner answers with its whole record (and working notes outside the contract).
  const res = await ask(x.gateway, ernstig, { provider: OIN.zorgaanbieder, category: 'health', fields: ['careInvolved', 'riskIndication'] })
  const event = await expectPermit(t, sql, res, ['careInvolved', 'riskIndication'])
  t.match(res.json(), { outcome: 'permit', data: { careInvolved: true }, legalBasis: /AVG art\. 9/ })
  t.same(event.fieldsRequested, ['careInvolved', 'riskIndication'])
  t.match(event, { provider: OIN.zorgaanbieder, category: 'health', purpose: 'onderzoek', caseId: ernstig, actor: { org: OIN.gemeente, partyType: 'gemeente', roles: ['college'] } })
  t.match(event.processingActivity, { id: 'wams.data-request.onderzoek', version: /^[0-9a-f]{12}$/ })
  t.equal(event.policyVersion!.slice(0, 12), event.processingActivity.version)
  t.match(event.detail, { decision: 'permit', partnerStatus: 200 })
  t.equal(event.necessity, NECESSITY)
  t.match(res.headers['server-timing'], /^ledger;dur=[\d.]+, decide;dur=[\d.]+, partner;dur=[\d.]+, audit;dur=[\d.]+$/, 'Server-Timing per stage')
  // The record carries what the caller waited up to it: at least the stages before the audit write.
  const before = [...String(res.headers['server-timing']).matchAll(/(ledger|decide|partner);dur=([\d.]+)/g)].reduce((sum, m) => sum + Number(m[2]), 0)
  const { durationMs } = event.detail as { durationMs: number }
  t.ok(Number.isInteger(durationMs) && durationMs >= Math.floor(before) && durationMs < 30_000, `detail.durationMs ${durationMs} ≥ ledger + decide + partner (${before.toFixed(1)} ms)`)

  const school = await ask(gateway, ernstig, { provider: OIN.school, category: 'education', fields: ['enrolled'], subject: BSN.member })
  await expectPermit(t, sql, school, ['enrolled'])
  t.notOk(school.body.includes('Zorgleerling'), 'the school\'s working note is not released')
})

t.test('minimisation: a partner that sends fields outside the contract — none released, nested ones too', async (t) => {
  const debts = await ask(gateway, ernstig, { provider: OIN.kredietbank, category: 'debts', fields: ['hasArrears'] })
  await expectPermit(t, sql, debts, ['hasArrears'])
  for (const extra of ['internalNote', 'lastModifiedBy', 'bsnControl', 'totalArrears']) t.notOk(debts.body.includes(extra), `${extra} not released`)

  const involvement = await ask(gateway, ernstig, { provider: OIN.kredietbank, category: 'involvement', fields: ['known', 'contactPerson'] })
  await expectPermit(t, sql, involvement, ['known', 'contactPerson'])
  const contact = involvement.json().data.contactPerson
  t.ok(contact.name, 'the requested nested object is there')
  t.notOk('internalId' in contact, 'an extra key inside a released object is dropped')
  t.notOk(involvement.body.includes('REC-0042-X'))
})

t.test('refused 451: medical secrecy at the huisarts, with the provider\'s reason', async (t) => {
  const res = await ask(gateway, refusedCase, { provider: OIN.huisarts, category: 'health', fields: ['careInvolved'], subject: BSN.refused })
  const event = await expectOutcome(t, sql, res, 451, 'refused')
  t.match(res.json(), { status: 451, title: 'Unavailable For Legal Reasons', code: 'PROVIDER_REFUSED', reason: /\w{10,}/ })
  t.notOk('data' in res.json(), 'nothing released')
  t.same(event.fieldsReleased, [])
  t.match(event.detail, { partnerStatus: 451, providerReason: res.json().reason })
  // The same person's other data are not refused.
  await expectPermit(t, sql, await ask(gateway, refusedCase, { provider: OIN.woningcorporatie, category: 'housing', fields: ['tenant'], subject: BSN.refused }), ['tenant'])
})

t.test('not-known 404: no party knows 999990032', async (t) => {
  const res = await ask(gateway, ernstig, { provider: OIN.gemeente, category: 'identity', fields: ['name'], subject: BSN.unknown })
  const event = await expectOutcome(t, sql, res, 404, 'not-known')
  t.equal(res.json().code, 'SUBJECT_NOT_KNOWN')
  t.match(event.detail, { partnerStatus: 404 })
})

t.test('timeout 504: a partner slower than the response timeout', async (t) => {
  const started = Date.now()
  const res = await ask(gateway, ernstig, { provider: OIN.energie, category: 'debts', fields: ['hasArrears'] })
  const took = Date.now() - started
  const event = await expectOutcome(t, sql, res, 504, 'error')
  t.equal(res.json().code, 'PARTNER_TIMEOUT')
  t.ok(took >= SLOW_TIMEOUT_MS - 50 && took < 3000, `answered after the timeout, not the partner's delay (${took} ms)`)
  t.match(event.detail, { error: 'PARTNER_TIMEOUT', partnerStatus: null })
})

t.test('schema violation 502: an answer outside the category schema is never passed on', async (t) => {
  const res = await ask(gateway, ernstig, { provider: OIN.zorgverzekeraar, category: 'debts', fields: ['hasArrears', 'totalArrears'] })
  const event = await expectOutcome(t, sql, res, 502, 'error')
  t.equal(res.json().code, 'PARTNER_SCHEMA_VIOLATION')
  t.notOk('data' in res.json())
  t.notOk(res.body.includes('ja') || res.body.includes('nee'), 'none of the partner\'s values')
  t.same(event.fieldsReleased, [])
  t.match(event.detail, { error: 'PARTNER_SCHEMA_VIOLATION', partnerStatus: 200 })
})

t.test('a failing partner (5xx) is 502', async (t) => {
  const res = await ask(gateway, ernstig, { provider: OIN.uwv, category: 'income', fields: ['benefitType'] })
  const event = await expectOutcome(t, sql, res, 502, 'error')
  t.equal(res.json().code, 'PARTNER_FAILED')
  t.match(event.detail, { partnerStatus: 500 })
})

t.test('a partner that is down is 502', async (t) => {
  const res = await ask(gateway, ernstig, { provider: OIN.reclassering, category: 'criminal', fields: ['policeContacts'] })
  await expectOutcome(t, sql, res, 502, 'error')
  t.equal(res.json().code, 'PARTNER_UNAVAILABLE')
})

type CheckResult = { provider: string, outcome: string, known: boolean | null, contactPerson?: Record<string, unknown>, reasons: string[], error?: string, auditEventId: string, requestId: string }
const check = (caseId: string, payload: Record<string, unknown>, headers = callers.college()) => gateway.inject({
  method: 'POST', url: `/v1/cases/${caseId}/involvement-check`, headers, payload: { necessity: NECESSITY, ...payload }
})
const RESULT_KEYS = ['auditEventId', 'contactPerson', 'known', 'outcome', 'provider', 'reasons', 'requestId']

t.test('involvement check: targeted — only the parties working in the case\'s problem domains; answers reduced to known and a contact', async (t) => {
  // A case about debts and housing: the debt counsellor and the housing association are asked;
  // not the police, the energy supplier, the school or anyone else.
  const caseId = await openCase(ledger, {
    body: ernstigCase({
      problems: [
        { domain: 'schulden', description: 'Huurachterstand van vier maanden en een incassotraject' },
        { domain: 'wonen', description: 'Dreigende ontruiming na herhaalde overlast in de flat' }
      ]
    })
  })
  const res = await check(caseId, { subject: BSN.client })
  t.equal(res.statusCode, 200, res.body.slice(0, 300))
  const { results, requestId } = res.json() as { requestId: string, results: CheckResult[] }
  t.same(results.map((r) => r.provider), [OIN.woningcorporatie, OIN.kredietbank], 'schulden → schuldhulpverlening, wonen → woningcorporatie (active), in register order')
  for (const oin of [OIN.politie, OIN.energie, OIN.school, OIN.zorgverzekeraar, OIN.otherGemeente, OIN.gemeente]) {
    t.notOk(results.some((r) => r.provider === oin), `${oin} is not asked`)
  }
  for (const r of results) {
    t.match(r, { outcome: 'permit', known: true, contactPerson: { name: /\w+/ }, reasons: [] })
    t.same(Object.keys(r).sort(), RESULT_KEYS, 'provider, outcome, known, contactPerson (and the ids of its record): nothing else')
  }
  // The debt counsellor sends extra fields, at the top level and inside contactPerson: none pass.
  t.notOk('internalId' in results.find((r) => r.provider === OIN.kredietbank)!.contactPerson!, 'an extra key inside contactPerson is dropped')
  for (const extra of ['REC-0042-X', 'internalNote', 'lastModifiedBy', 'since']) t.notOk(res.body.includes(extra), `${extra} does not pass`)

  // Each party's answer is its own decision and audit event; only known and contactPerson were asked.
  const events = await Promise.all(results.map((r) => auditEvent(sql, r.auditEventId)))
  t.equal(new Set(results.map((r) => r.auditEventId)).size, results.length, 'one event per party')
  for (const [i, event] of events.entries()) {
    t.match(event, {
      type: 'involvement-check.decision',
      provider: results[i]!.provider,
      outcome: 'permit',
      category: 'involvement',
      purpose: 'onderzoek',
      transactionId: results[i]!.requestId,
      fieldsRequested: ['known', 'contactPerson'],
      fieldsReleased: ['known', 'contactPerson'],
      detail: { checkRequestId: requestId, durationMs: Number }
    })
  }
  const durations = events.map((e) => (e!.detail as { durationMs: number }).durationMs)
  t.ok(durations.every((d) => Number.isInteger(d) && d >= 0), `each record carries the check's time to its records (${durations.join(', ')} ms)`)
  t.equal(new Set(durations).size, 1, 'the same for every party: one answer, written at once')
})

t.test('involvement check: `parties` narrows it to the named parties, each still judged by the rules, in parallel with a timeout per party', async (t) => {
  const started = Date.now()
  const parties = [OIN.school, OIN.ggd, OIN.jeugdhulp, OIN.zorgaanbieder, OIN.energie, OIN.reclassering, OIN.uwv, OIN.unregistered]
  const res = await check(ernstig, { subject: BSN.member, parties })
  const took = Date.now() - started
  t.equal(res.statusCode, 200, res.body.slice(0, 300))
  const results = res.json().results as CheckResult[]
  t.same(results.map((r) => r.provider), parties, 'exactly the named parties, in the order named')
  const byProvider = new Map(results.map((r) => [r.provider, r]))
  for (const oin of [OIN.school, OIN.ggd, OIN.jeugdhulp]) t.match(byProvider.get(oin), { outcome: 'permit', known: true, contactPerson: { name: /\w+/ } }, 'the household member is known where a child is known')
  t.match(byProvider.get(OIN.zorgaanbieder), { outcome: 'not-known', known: false })
  t.notOk('contactPerson' in byProvider.get(OIN.zorgaanbieder)!)
  t.match(byProvider.get(OIN.energie), { outcome: 'error', error: 'PARTNER_TIMEOUT', known: null })
  t.match(byProvider.get(OIN.reclassering), { outcome: 'error', error: 'PARTNER_UNAVAILABLE', known: null })
  t.match(byProvider.get(OIN.uwv), { outcome: 'error', error: 'PARTNER_FAILED', known: null })
  t.match(byProvider.get(OIN.unregistered), { outcome: 'deny', reasons: ['PROVIDER_NOT_REGISTERED'], known: null }, 'a named party is still judged by the rules')
  // A timeout per party: the slow partner does not hold up the check beyond the timeout.
  t.ok(took < 3000, `the check took ${took} ms, not the slow partner's 4000 ms`)
  for (const r of results) t.ok(await auditEvent(sql, r.auditEventId), 'each party\'s answer has its audit event')
  const bad = await check(ernstig, { subject: BSN.member, parties: ['123'] })
  t.equal(bad.statusCode, 400, 'parties are OINs')
})

t.test('involvement check: the parties outside the client\'s scope are denied and not asked; the others in parallel', async (t) => {
  const caseId = await openCase(ledger, {
    body: hulpvraagCase(),
    scope: { domains: ['jeugd', 'onderwijs'], parties: [OIN.ggd, OIN.jeugdhulp, OIN.school] }
  })
  const started = Date.now()
  const res = await check(caseId, { subject: BSN.member, parties: [OIN.ggd, OIN.jeugdhulp, OIN.school, OIN.politie, OIN.kredietbank] })
  const took = Date.now() - started
  t.equal(res.statusCode, 200)
  const results = res.json().results as CheckResult[]
  const permitted = results.filter((r) => r.outcome === 'permit').map((r) => r.provider).sort()
  t.same(permitted, [OIN.ggd, OIN.jeugdhulp, OIN.school].sort(), 'exactly the parties in scope were asked')
  for (const r of results.filter((r) => !permitted.includes(r.provider))) {
    t.match(r, { outcome: 'deny', reasons: ['OUTSIDE_CLIENT_SCOPE'], known: null }, `${r.provider} denied`)
  }
  // Delays 300, 450 and 350 ms: about the slowest, well under their sum (1100 ms).
  t.ok(took >= 450, `not faster than the slowest partner (${took} ms)`)
  t.ok(took < 1000, `in parallel: ${took} ms < the sum of the delays`)
})

t.test('involvement check: a deny for every targeted party when the requester may not investigate', async (t) => {
  // The police without standing in the case: the answer of a case that does not exist, nobody asked.
  const stranger = await check(ernstig, { subject: BSN.client }, callers.professional(OIN.politie))
  t.equal(stranger.statusCode, 404)
  t.equal(stranger.json().code, 'CASE_NOT_FOUND')
  t.notOk('results' in stranger.json() || 'reasons' in stranger.json(), 'no results, no reasons')
  // A participant has standing but may not investigate: every targeted party is denied, with reasons.
  const withPolice = await openCase(ledger, { participants: [OIN.politie] })
  const res = await check(withPolice, { subject: BSN.client }, callers.professional(OIN.politie))
  t.equal(res.statusCode, 200)
  const results = res.json().results as CheckResult[]
  // schulden + oov: the debt counsellor, Veilig Thuis and the reclassering (the police ask, so not themselves).
  t.same(results.map((r) => r.provider), [OIN.veiligThuis, OIN.kredietbank, OIN.reclassering])
  t.ok(results.every((r) => r.outcome === 'deny' && r.reasons.includes('ROLE_NOT_PERMITTED')), 'nobody asked')
  const bad = await check(ernstig, { subject: '123456789' })
  t.equal(bad.statusCode, 400, 'a BSN failing the eleven-test is refused')
})

t.test('circuit breaker: after repeated failures a partner is not called for a while', async (t) => {
  const body = { provider: OIN.reclassering, category: 'criminal', fields: ['policeContacts'] }
  const codes: string[] = []
  // Two failures came before (the partner-down test and the first involvement check); volume is 3.
  while (codes.at(-1) !== 'PARTNER_CIRCUIT_OPEN' && codes.length < 6) codes.push((await ask(gateway, ernstig, body)).json().code)
  t.equal(codes[0], 'PARTNER_UNAVAILABLE', 'failures reach the partner')
  t.equal(codes.at(-1), 'PARTNER_CIRCUIT_OPEN', `then the breaker is open (${codes.join(', ')})`)
  t.ok(codes.length <= 3, 'within the breaker\'s volume')
  t.equal(x.gateway.partners.breakerState(OIN.reclassering), 'open')
  const open = await ask(gateway, ernstig, body)
  await expectOutcome(t, sql, open, 502, 'error')
  t.equal(open.json().code, 'PARTNER_CIRCUIT_OPEN')
  // Other partners are not affected.
  await expectPermit(t, sql, await ask(gateway, ernstig, { provider: OIN.politie, category: 'criminal', fields: ['policeContacts'] }), ['policeContacts'])
  t.equal(x.gateway.partners.breakerState(OIN.politie), 'closed')
})

t.test('the partner receives the SPEC body with a gateway token and a caseRef, never the case id', async (t) => {
  // The demo partners verify the gateway token (EdDSA, iss, aud = their OIN, bound to the
  // requestId) and the body schema: every 200 above is proof of that. The caseRef is a pseudonym
  // per provider.
  const { pseudonymise } = x.gateway.exchange
  const a = pseudonymise('case', ernstig, OIN.zorgaanbieder)
  const b = pseudonymise('case', ernstig, OIN.huisarts)
  t.not(a, b, 'a different caseRef for each provider')
  t.notOk(a.includes(ernstig))
  const token = x.gateway.signer.partnerToken(OIN.zorgaanbieder, 'req-1')
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())
  t.match(claims, { sub: 'gateway', org: '00000099000000009000', aud: OIN.zorgaanbieder, requestId: 'req-1' })
  t.equal(claims.exp - claims.iat, 60, 'valid 60 s')
  t.same(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).alg, 'EdDSA')
})

t.test('no BSN in any log line of this run', async (t) => {
  assertNoBsnLogged(t, x)
})
