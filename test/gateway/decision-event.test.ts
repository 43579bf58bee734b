// The gateway's audit event of a decision carries text from elsewhere: a provider's reason for a
// refusal. Whatever a partner sends, the event fits the audit contract (the text policy), so a
// partner's odd answer cannot make its own refusal unauditable; a BSN in it is masked.
import t from 'tap'
import { assertAuditEvent, isPolicyText, parseTraceparent, type Principal } from '@wams/platform'
import { decisionEvent, type DecisionRecord } from '../../services/gateway/src/decision-audit.ts'

const principal: Principal = { iss: 'https://idp.example', sub: 'college-desk', org: '00000099000000000101', roles: ['college'] }

function record (detail: DecisionRecord['detail'], necessity = 'Nodig om te weten welke hulp er al is.'): DecisionRecord {
  return {
    type: 'data-request.decision',
    requestId: '0b0b0b0b-0000-4000-8000-000000000000',
    trace: parseTraceparent(undefined),
    principal,
    partyType: 'gemeente',
    caseId: '0b0b0b0b-0000-4000-8000-000000000001',
    subjectRef: 'njH8_7nVSxV5rHrIf1i-bHAMSj7ksRBw_Od3ehJ0CnU',
    provider: '00000099000000000201',
    category: 'health',
    purpose: 'onderzoek',
    fieldsRequested: ['careInvolved'],
    fieldsReleased: [],
    outcome: 'refused',
    reasons: [],
    necessity,
    legalBasis: 'Wams art. 2.1',
    policyVersion: '2025.1',
    detail
  }
}

t.test('a provider reason with control characters, unpaired surrogates, noncharacters or too much text fits the contract', async (t) => {
  for (const reason of ['Geweigerd\u0000', 'Geweigerd \ud800', 'Geweigerd \uffff\u001b[2J', 'x'.repeat(5000) + '😀', 'BSN 999990019 \u0007']) {
    const event = decisionEvent(record({ decision: 'permit', partnerStatus: 451, providerReason: reason }))
    t.doesNotThrow(() => assertAuditEvent(event))
    const written = (event.detail as { providerReason: string }).providerReason
    t.ok(isPolicyText(written, 1000), 'the recorded reason is within the text policy and 1000 characters')
    t.notOk(written.includes('999990019'), 'a BSN in it is masked')
  }
})

t.test('a permit by rule 11\'s exception: the code, the flag and the stated reason fit the contract; a BSN in the reason is masked', async (t) => {
  const event = decisionEvent({
    ...record({ decision: 'permit', partnerStatus: 200, flags: ['objection-overridden'], protectsOthers: { reason: `Het kind met BSN 999990020 loopt gevaar \u0000${'x'.repeat(3000)}` } }),
    outcome: 'permit',
    reasons: ['OBJECTION_PENDING_OVERRIDDEN'],
    fieldsReleased: ['careInvolved']
  })
  t.doesNotThrow(() => assertAuditEvent(event))
  const detail = event.detail as { flags: string[], protectsOthers: { reason: string } }
  t.same(detail.flags, ['objection-overridden'])
  t.ok(isPolicyText(detail.protectsOthers.reason, 2000), 'within the text policy and 2000 characters')
  t.notOk(detail.protectsOthers.reason.includes('999990020'), 'a BSN in it is masked')
  t.same(event.reasons, ['OBJECTION_PENDING_OVERRIDDEN'])
})

t.test('the detail is typed: a field the decision detail does not name is refused by the contract', async (t) => {
  t.throws(() => decisionEvent(record({ decision: 'permit', reason: 'medisch beroepsgeheim' } as never)), /detail/)
})

t.test('durationMs (the gateway\'s time to the audit record): an integer >= 0 fits the contract; a fraction or a negative does not', async (t) => {
  const event = decisionEvent(record({ decision: 'permit', partnerStatus: 451, durationMs: 37 }))
  t.doesNotThrow(() => assertAuditEvent(event))
  t.equal((event.detail as { durationMs: number }).durationMs, 37)
  t.throws(() => decisionEvent(record({ decision: 'permit', partnerStatus: 451, durationMs: 1.5 })), /detail/)
  t.throws(() => decisionEvent(record({ decision: 'permit', partnerStatus: 451, durationMs: -1 })), /detail/)
})
