// Hostile text at the consent ledger's edge (issue 8): an unpaired surrogate in a close or phase
// reason used to be a 500 (PostgreSQL refused the event). Every free-text field of every write is
// now checked by the platform's text policy first: a 400 problem naming the field, the value not
// echoed, and the case unchanged (no event, same version).
import t from 'tap'
import { PROBLEM_TYPE } from '@wams/platform'
import { BSN, OIN, callers, hulpvraagBody, openCase, startLedger } from './helpers.ts'

const { app, sql } = await startLedger(t, 'ledger_text_policy')

const events = async (caseId: string) => (await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM case_events WHERE case_id = $1', [caseId])).rows[0]!.n
const version = async (caseId: string) => (await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: callers.college() })).json().version as number

t.test('close and phase with a reason outside the text policy: 400, and the case is unchanged', async (t) => {
  const { caseId } = await openCase(app)
  const before = { version: await version(caseId), events: await events(caseId) }
  const attempts: Array<[string, string, Record<string, unknown>]> = [
    ['close, unpaired high surrogate', 'close', { reason: 'Afgerond \ud800' }],
    ['close, unpaired low surrogate', 'close', { reason: '\udfff' }],
    ['close, NUL', 'close', { reason: 'Afgerond\u0000' }],
    ['phase, unpaired surrogate', 'phase', { phase: 'aanpak', reason: 'Plan klaar \udbff' }],
    ['phase, noncharacter', 'phase', { phase: 'aanpak', reason: 'Plan klaar \ufdd0' }]
  ]
  for (const [name, action, payload] of attempts) {
    const res = await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/${action}`, headers: callers.college(), payload })
    t.equal(res.statusCode, 400, `${name}: 400, not 500`)
    t.match(res.headers['content-type'], PROBLEM_TYPE)
    t.match(res.json(), { code: 'WAMS_TEXT_POLICY', errors: [{ in: 'body', pointer: '/reason' }] }, `${name}: names the field`)
    t.notOk(res.body.includes('Afgerond') || res.body.includes('Plan klaar'), `${name}: the value is not echoed`)
  }
  t.same({ version: await version(caseId), events: await events(caseId) }, before, 'no event was recorded')
  const closed = await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/close`, headers: callers.college(), payload: { reason: 'Afgerond.\nMet dank.' } })
  t.equal(closed.statusCode, 200, 'a clean reason (a newline is fine) closes the case')
})

t.test('every other free-text field of a write is covered by the same rule', async (t) => {
  const open = await app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: callers.college(),
    payload: hulpvraagBody({ problems: [{ domain: 'schulden', description: 'Schulden\u0007' }], relatedness: 'Samenhang \uffff die lang genoeg is om te tellen.' })
  })
  t.equal(open.statusCode, 400)
  t.same(open.json().errors.map((e: { pointer: string }) => e.pointer).sort(), ['/problems/0/description', '/relatedness'])
  t.notOk(open.body.includes(BSN.client), 'the BSNs of the body are not echoed')

  const { caseId } = await openCase(app)
  const before = await events(caseId)
  const writes: Array<[string, string, Record<string, unknown>, string]> = [
    ['PUT', 'scope', { domains: ['schulden'], parties: [OIN.zorgaanbieder], statement: 'Ik wil \ud83d dit' }, '/statement'],
    ['POST', 'participants', { org: OIN.zorgaanbieder, necessity: 'Nodig om de zorg af te stemmen\u0000 met de schuldhulp.' }, '/necessity'],
    ['POST', 'objections', { subject: BSN.client, reason: 'Ik maak bezwaar \u009b' }, '/reason']
  ]
  for (const [method, path, payload, pointer] of writes) {
    const res = await app.inject({ method: method as 'PUT' | 'POST', url: `/v1/cases/${caseId}/${path}`, headers: callers.college(), payload })
    t.equal(res.statusCode, 400, `${path}: 400`)
    t.match(res.json(), { code: 'WAMS_TEXT_POLICY', errors: [{ pointer }] })
  }
  t.equal(await events(caseId), before, 'nothing was recorded')
})
