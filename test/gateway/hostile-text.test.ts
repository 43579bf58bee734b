// Hostile text at the gateway's edge (issue 8): a necessity with a NUL or an unpaired surrogate
// used to get a 200 with data while its audit event could never be stored. Now the text policy
// refuses it with a 400 problem before anything is decided, released or written; an oversized
// token claim is a 401 (it used to be a 503 on every request); and bodies are not coerced.
import t from 'tap'
import { PROBLEM_TYPE } from '@wams/platform'
import { token } from '../support/tokens.ts'
import { BSN, NECESSITY, OIN, allAuditEvents, ask, openCase, startExchange } from './helpers.ts'

const x = await startExchange(t, 'gw_hostile')
const { gateway, ledger, sql } = x
const caseId = await openCase(ledger, { participants: [OIN.zorgaanbieder] })
const health = { provider: OIN.zorgaanbieder, category: 'health', fields: ['careInvolved'] }
const outboxSize = async () => (await allAuditEvents(sql)).length

t.test('a necessity outside the text policy: 400 naming the field, no decision, no data, no event', async (t) => {
  const before = await outboxSize()
  for (const [name, necessity] of [
    ['NUL', `${NECESSITY}\u0000`],
    ['an unpaired surrogate', `${NECESSITY} \ud800`],
    ['a noncharacter', `${NECESSITY} \uffff`],
    ['an escape sequence', `${NECESSITY} \u001b[2J`]
  ] as const) {
    for (const url of [`/v1/cases/${caseId}/data-requests`, `/v1/cases/${caseId}/involvement-check`]) {
      const res = await gateway.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${token({ org: OIN.gemeente, roles: ['college'], sub: 'college-desk' })}` },
        payload: { ...health, subject: BSN.client, purpose: 'onderzoek', necessity }
      })
      t.equal(res.statusCode, 400, `${name} at ${url.split('/').at(-1)}: 400`)
      t.match(res.headers['content-type'], PROBLEM_TYPE)
      t.match(res.json(), { code: 'WAMS_TEXT_POLICY', errors: [{ in: 'body', pointer: '/necessity' }] })
      t.notOk('data' in res.json(), 'no data')
      t.notOk(res.body.includes(BSN.client), 'the BSN of the body is not echoed')
    }
  }
  t.equal(await outboxSize(), before, 'nothing was decided or written')
  const fine = await ask(gateway, caseId, health)
  t.equal(fine.statusCode, 200, 'the same request with clean text is answered')
})

t.test('values of the wrong type are refused, not converted', async (t) => {
  const before = await outboxSize()
  const wrong = [
    { fields: 'careInvolved' },
    { necessity: 1234567890123456 },
    { subject: Number(BSN.client) }
  ]
  for (const body of wrong) {
    const res = await ask(gateway, caseId, { ...health, ...body } as never)
    t.equal(res.statusCode, 400, `${Object.keys(body)[0]}: 400`)
    t.match(res.json(), { code: 'WAMS_VALIDATION', errors: [{ in: 'body', pointer: `/${Object.keys(body)[0]}` }] })
  }
  t.equal(await outboxSize(), before, 'nothing was decided or written')
})

t.test('an oversized or malformed sub: 401 (not 503), audited without the claim', async (t) => {
  const failures = async () => (await allAuditEvents(sql)).filter((e) => e.event.type === 'authentication.failed')
  for (const [name, sub] of [['257 characters', 'x'.repeat(257)], ['a NUL', 'college\u0000desk']] as const) {
    const before = (await failures()).length
    const res = await ask(gateway, caseId, health, { authorization: `Bearer ${token({ org: OIN.gemeente, roles: ['college'], sub })}` })
    t.equal(res.statusCode, 401, `${name}: 401`)
    t.match(res.json(), { code: 'CLAIMS_INVALID' })
    const after = await failures()
    t.equal(after.length, before + 1, `${name}: one authentication.failed event`)
    t.match(after.at(-1)?.event, { reasons: ['CLAIMS_INVALID'], actor: { sub: null, org: OIN.gemeente }, detail: { omittedClaims: ['sub'] } }, `${name}: the claim is left out of it`)
  }
})
