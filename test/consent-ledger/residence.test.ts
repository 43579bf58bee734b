// Residence (woonplaatsbeginsel, SPEC §2): a case is opened only for clients whom the BRP registers
// in the opening municipality, asked through Haal Centraal "BRP Personen Bevragen" — here the demo
// BRP of the real demo partner systems, over HTTP. Household members may live elsewhere; a BRP that
// cannot be asked means no case (503), and nothing is recorded.
import t from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { PROBLEM_TYPE } from '@wams/platform'
import { DOWN_ORIGIN, startDemoPartners } from '../support/partners.ts'
import { BSN, OIN, callers, hulpvraagBody, startLedger, type Ledger } from './helpers.ts'
import { createBrpClient, BrpUnavailableError } from '../../services/consent-ledger/src/brp.ts'

const NOT_KNOWN_TO_THE_BRP = '123456782' // passes the eleven-test; no demo resident

const partners = await startDemoPartners()
t.teardown(() => partners.close())
const { app, sql } = await startLedger(t, 'ledger_residence', { env: { BRP_URL: partners.brpUrl } })

const open = (ledger: Ledger['app'], body: Record<string, unknown>, headers = callers.college()) =>
  ledger.inject({ method: 'POST', url: '/v1/cases', headers, payload: body })
const withSubjects = (...subjects: Array<[string, 'client' | 'household-member']>) =>
  hulpvraagBody({ subjects: subjects.map(([bsn, role]) => ({ bsn, role })) })

async function recorded (pool: Ledger['sql']): Promise<{ events: number, outbox: number }> {
  const events = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM case_events')).rows[0]!.n
  const outbox = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]!.n
  return { events, outbox }
}

t.test('a client who lives in the municipality: the case is opened', async (t) => {
  const res = await open(app, withSubjects([BSN.client, 'client']))
  t.equal(res.statusCode, 201, res.statusCode === 201 ? 'opened' : res.body)
  t.equal(res.json().state.municipality, OIN.gemeente)
})

t.test('a client who lives elsewhere: 403 SUBJECT_NOT_RESIDENT, without saying where, and nothing recorded', async (t) => {
  const before = await recorded(sql)
  const res = await open(app, withSubjects([BSN.elsewhere, 'client']))
  t.equal(res.statusCode, 403)
  t.match(res.headers['content-type'], PROBLEM_TYPE)
  const body = res.json()
  t.equal(body.code, 'SUBJECT_NOT_RESIDENT')
  for (const where of ['9902', 'Buurdorp', OIN.otherGemeente, BSN.elsewhere]) t.notOk(res.body.includes(where), `the answer does not contain ${where === BSN.elsewhere ? 'the BSN' : where}`)
  t.same(await recorded(sql), before, 'no event, no outbox row')

  const unknown = await open(app, withSubjects([NOT_KNOWN_TO_THE_BRP, 'client']))
  t.equal(unknown.statusCode, 403, 'a person the BRP does not have is no resident either')
  t.same(unknown.json(), body, 'the same answer: the caller cannot tell "elsewhere" from "not in the BRP"')
})

t.test('the college of the municipality where the client lives opens it', async (t) => {
  const res = await open(app, withSubjects([BSN.elsewhere, 'client']), callers.otherCollege())
  t.equal(res.statusCode, 201, res.statusCode === 201 ? 'opened' : res.body)
  t.equal(res.json().state.municipality, OIN.otherGemeente)
  const refused = await open(app, withSubjects([BSN.client, 'client']), callers.otherCollege())
  t.equal(refused.statusCode, 403, 'and not for a client of Voorbeeldstad')
  t.equal(refused.json().code, 'SUBJECT_NOT_RESIDENT')
})

t.test('household members may live elsewhere', async (t) => {
  const res = await open(app, withSubjects([BSN.client, 'client'], [BSN.elsewhere, 'household-member'], [NOT_KNOWN_TO_THE_BRP, 'household-member']))
  t.equal(res.statusCode, 201, res.statusCode === 201 ? 'opened' : res.body)
  t.equal(res.json().state.subjects.length, 3)
})

t.test('an invalid body is refused before anyone asks the BRP', async (t) => {
  const spy = await startSpyBrp(t, { type: 'RaadpleegMetBurgerservicenummer', personen: [] })
  const ledger = await startLedger(t, 'ledger_residence_spy', { env: { BRP_URL: spy.url } })
  const res = await open(ledger.app, hulpvraagBody({ relatedness: 'kort', subjects: [{ bsn: BSN.client, role: 'client' }] }))
  t.equal(res.statusCode, 400)
  t.same(spy.requests, [], 'the BRP was not asked')
})

t.test('the question to the BRP: POST {BRP_URL}/personen, the BSN in the body only, one field asked', async (t) => {
  const spy = await startSpyBrp(t, { type: 'RaadpleegMetBurgerservicenummer', personen: [{ gemeenteVanInschrijving: { code: '9901', omschrijving: 'Voorbeeldstad' } }] })
  const ledger = await startLedger(t, 'ledger_residence_question', { env: { BRP_URL: `${spy.url}/haalcentraal/api/brp/` } })
  const res = await open(ledger.app, withSubjects([BSN.client, 'client'], [BSN.member, 'household-member']))
  t.equal(res.statusCode, 201, 'BRP Personen Bevragen v2 puts gemeenteVanInschrijving on the person: read too')
  t.equal(spy.requests.length, 1, 'one question: the client only, not the household member')
  const [question] = spy.requests
  t.equal(question!.method, 'POST')
  t.equal(question!.url, '/haalcentraal/api/brp/personen', 'no BSN in the URL')
  t.match(question!.headers['content-type'], /^application\/json/)
  t.same(JSON.parse(question!.body), { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [BSN.client], fields: ['verblijfplaats.gemeenteVanInschrijving'] })
})

t.test('a BRP that cannot be asked: 503, fail closed, nothing recorded', async (t) => {
  const cases: Array<[string, () => Promise<string>, Record<string, string>]> = [
    ['unreachable', async () => `${DOWN_ORIGIN}/brp`, {}],
    ['answering 404 (wrong URL)', async () => `${partners.baseUrl}/no-brp-here`, {}],
    ['answering outside the interface', async () => (await startSpyBrp(t, { personen: 'Voorbeeldstad' })).url, {}],
    ['answering two persons for one BSN', async () => (await startSpyBrp(t, { type: 'RaadpleegMetBurgerservicenummer', personen: [{}, {}] })).url, {}],
    ['answering HTML', async () => (await startSpyBrp(t, '<html>storing</html>')).url, {}],
    ['too slow', async () => (await startSpyBrp(t, null)).url, { BRP_TIMEOUT_MS: '300' }]
  ]
  for (const [what, brpUrl, env] of cases) {
    const ledger = await startLedger(t, 'ledger_residence_down', { env: { BRP_URL: await brpUrl(), ...env } })
    const started = Date.now()
    const res = await open(ledger.app, withSubjects([BSN.client, 'client']))
    t.equal(res.statusCode, 503, `${what}: 503`)
    t.match(res.headers['content-type'], PROBLEM_TYPE)
    t.equal(res.json().code, 'BRP_UNAVAILABLE', what)
    t.equal(res.headers['retry-after'], '5', `${what}: Retry-After`)
    t.notOk(res.body.includes(BSN.client), `${what}: no BSN in the answer`)
    t.ok(Date.now() - started < 2500, `${what}: answered within the bound (${Date.now() - started} ms)`)
    t.same(await recorded(ledger.sql), { events: 0, outbox: 0 }, `${what}: no case, no event`)
  }
})

t.test('the BRP client never carries the BSN in what it throws', async (t) => {
  for (const url of [`${DOWN_ORIGIN}/brp`, `${partners.baseUrl}/no-brp-here`]) {
    const error = await createBrpClient({ url, timeoutMs: 500 }).gemeenteVanInschrijving(BSN.client).catch((err: unknown) => err)
    t.type(error, BrpUnavailableError)
    t.notOk(String((error as Error).message).includes(BSN.client), (error as Error).message)
  }
  const demo = createBrpClient({ url: partners.brpUrl, timeoutMs: 2000 })
  t.equal(await demo.gemeenteVanInschrijving(BSN.client), '9901', 'the demo BRP: Voorbeeldstad')
  t.equal(await demo.gemeenteVanInschrijving(BSN.elsewhere), '9902', 'the demo BRP: 999990056 in Buurdorp')
  t.equal(await demo.gemeenteVanInschrijving(NOT_KNOWN_TO_THE_BRP), null, 'not in the demo BRP')
})

/** A BRP stand-in that records every request and answers `answer` (JSON; a string as HTML; null: never). */
async function startSpyBrp (t: { teardown: (fn: () => unknown) => void }, answer: unknown) {
  const requests: Array<{ method: string, url: string, headers: http.IncomingHttpHeaders, body: string }> = []
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => { body += chunk.toString() })
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      if (answer === null) return // never answers
      if (typeof answer === 'string') res.writeHead(200, { 'content-type': 'text/html' }).end(answer)
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}
