// Rule 11 with its exception (SPEC §5, GDPR art. 18(2)), over HTTP against the real consent ledger
// and the real demo partners: a pending objection does not block a request that protects another
// person only when ALL hold — route ernstig, serious ground veiligheid, the case's named
// coordinator or its municipality's college, and protectsOthers.reason (≥ 20 characters). Each
// condition missing alone is an OBJECTION_PENDING deny; an upheld objection always blocks. The
// permit by the exception is recorded with OBJECTION_PENDING_OVERRIDDEN and the reason, and
// flagged for the supervisor (detail.flags).
import t from 'tap'
import { BSN, OIN, ask, auditEvent, callers, ernstigCase, expectDeny, hulpvraagCase, ledgerCall, openCase, startExchange, untimedDetail } from './helpers.ts'

const x = await startExchange(t, 'gw_objections')
const { gateway, ledger, sql } = x

const REASON = 'Het kind in het gezin loopt acuut gevaar; de situatie thuis moet nu beoordeeld worden.'
const identity = { provider: OIN.gemeente, category: 'identity', fields: ['name'] }
const protects = (reason = REASON) => ({ ...identity, protectsOthers: { reason } })

/** A case with the client's objection pending (or decided). */
async function withObjection (body: Record<string, unknown>, decision?: { upheld: boolean }, setup: { scope?: { domains: string[], parties: string[] } } = {}): Promise<string> {
  const caseId = await openCase(ledger, { body, ...setup })
  const { objectionId } = await ledgerCall(ledger, 'POST', `/v1/cases/${caseId}/objections`, { subject: BSN.client, reason: 'Ik wil niet dat mijn gegevens gedeeld worden.' }) as { objectionId: string }
  if (decision) await ledgerCall(ledger, 'POST', `/v1/cases/${caseId}/objections/${objectionId}/decision`, { ...decision, reason: 'Over het bezwaar is beslist na weging van de belangen.' })
  return caseId
}

const veiligheid = await withObjection(ernstigCase({ seriousGrounds: ['veiligheid'] }))

t.test('the exception: route ernstig, ground veiligheid, the college, and a reason — permitted, recorded and flagged', async (t) => {
  const res = await ask(gateway, veiligheid, protects())
  t.equal(res.statusCode, 200, res.body.slice(0, 300))
  t.same(Object.keys(res.json().data), ['name'], 'exactly the requested field')
  const event = await auditEvent(sql, res.json().auditEventId)
  t.match(event, { type: 'data-request.decision', outcome: 'permit', reasons: ['OBJECTION_PENDING_OVERRIDDEN'], fieldsReleased: ['name'] }, 'the permit carries its own reason code')
  t.same(untimedDetail(t, event), { decision: 'permit', partnerStatus: 200, flags: ['objection-overridden'], protectsOthers: { reason: REASON } }, 'the reason, and the flag for the supervisor')
})

t.test('the exception: the case\'s named coordinator may invoke it too', async (t) => {
  const res = await ask(gateway, veiligheid, protects(), callers.coordinator())
  t.equal(res.statusCode, 200, res.body.slice(0, 300))
  t.match(await auditEvent(sql, res.json().auditEventId), { reasons: ['OBJECTION_PENDING_OVERRIDDEN'], detail: { flags: ['objection-overridden'] } })
})

t.test('each condition missing alone: OBJECTION_PENDING, nothing flagged', async (t) => {
  const denied = async (label: string, res: Awaited<ReturnType<typeof ask>>) => {
    const event = await expectDeny(t, sql, res, ['OBJECTION_PENDING'])
    t.notOk('flags' in event.detail || 'protectsOthers' in event.detail, `${label}: no flag, no override recorded`)
  }
  await denied('no protectsOthers', await ask(gateway, veiligheid, identity))
  await denied('a reason under 20 characters', await ask(gateway, veiligheid, protects('  te kort gezegd  ')))
  await denied('a blank reason', await ask(gateway, veiligheid, protects(' '.repeat(40))))
  // The role: another coordinator of the same municipality (not the person the case names) may do
  // the investigation (rule 5) but may not set an objection aside.
  await denied('not the named coordinator', await ask(gateway, veiligheid, protects(), callers.otherCoordinator()))
  // The ground: route ernstig with overlast only.
  const overlast = await withObjection(ernstigCase({ seriousGrounds: ['overlast', 'zorgmijding'] }))
  await denied('ground overlast, not veiligheid', await ask(gateway, overlast, protects()))
  // The route: hulpvraag (with the client's scope, so rule 8 passes).
  const hulpvraag = await withObjection(hulpvraagCase(), undefined, { scope: { domains: ['wmo'], parties: [OIN.gemeente] } })
  await denied('route hulpvraag', await ask(gateway, hulpvraag, protects()))
})

t.test('the exception applies but another rule denies: a deny with that rule\'s reason, nothing recorded of the exception', async (t) => {
  const res = await ask(gateway, veiligheid, { ...protects(), fields: ['name', 'address'] }) // address: detail, never for onderzoek
  const event = await expectDeny(t, sql, res, ['FIELD_NOT_NECESSARY'])
  t.same(untimedDetail(t, event), { decision: 'deny' }, 'no flag: nothing was permitted by the exception')
})

t.test('an upheld objection always blocks, whoever asks and whatever is stated', async (t) => {
  const upheld = await withObjection(ernstigCase({ seriousGrounds: ['veiligheid'] }), { upheld: true })
  await expectDeny(t, sql, await ask(gateway, upheld, protects()), ['OBJECTION_UPHELD'])
  await expectDeny(t, sql, await ask(gateway, upheld, protects(), callers.coordinator()), ['OBJECTION_UPHELD'])
})

t.test('protectsOthers without a pending objection changes nothing: a plain permit, no flag', async (t) => {
  const noObjection = await openCase(ledger, { body: ernstigCase({ seriousGrounds: ['veiligheid'] }) })
  const res = await ask(gateway, noObjection, protects())
  t.equal(res.statusCode, 200)
  const event = await auditEvent(sql, res.json().auditEventId)
  t.same(event!.reasons, [])
  t.same(untimedDetail(t, event), { decision: 'permit', partnerStatus: 200 })
  // The household member has no objection of their own: their data are not covered by the client's.
  const member = await ask(gateway, veiligheid, { ...identity, subject: BSN.member })
  t.equal(member.statusCode, 200)
})

t.test('protectsOthers is bounded: a reason over 2000 characters is a 400, before any decision', async (t) => {
  const res = await ask(gateway, veiligheid, protects('x'.repeat(2001)))
  t.equal(res.statusCode, 400)
  const extra = await ask(gateway, veiligheid, { ...identity, protectsOthers: { reason: REASON, who: 'buurman' } } as never)
  t.equal(extra.statusCode, 400, 'only reason')
})
