// The demo BRP (SPEC §6 demo data): Haal Centraal "BRP Personen Bevragen", operation
// RaadpleegMetBurgerservicenummer, for the demo residents: every one in the municipality of
// 00000099000000000101 (Voorbeeldstad, 9901) except 999990056 (Buurdorp, 9902). Answers only the
// fields asked; a BSN it does not have gives no person.
import t from 'tap'
import { buildApp, readConfig } from '@wams/demo-partners'
import { CLIENT, HOUSEHOLD_MEMBER, REFUSED_HEALTH, UNKNOWN } from './helpers.ts'

const ELSEWHERE = '999990056'
const app = await buildApp(readConfig({ LOG_LEVEL: 'silent', DATA_DIR: process.env.DATA_DIR ?? '.data' }))
t.teardown(() => app.close())

const ask = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/brp/haalcentraal/api/brp/personen', payload })
const VOORBEELDSTAD = { code: '9901', omschrijving: 'Voorbeeldstad' }
const BUURDORP = { code: '9902', omschrijving: 'Buurdorp' }

t.test('every demo resident lives in Voorbeeldstad but 999990056, who lives in Buurdorp', async (t) => {
  const res = await ask({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [CLIENT, HOUSEHOLD_MEMBER, UNKNOWN, REFUSED_HEALTH, ELSEWHERE], fields: ['burgerservicenummer', 'verblijfplaats.gemeenteVanInschrijving'] })
  t.equal(res.statusCode, 200)
  t.same(res.json(), {
    type: 'RaadpleegMetBurgerservicenummer',
    personen: [
      ...[CLIENT, HOUSEHOLD_MEMBER, UNKNOWN, REFUSED_HEALTH].map((bsn) => ({ burgerservicenummer: bsn, verblijfplaats: { gemeenteVanInschrijving: VOORBEELDSTAD } })),
      { burgerservicenummer: ELSEWHERE, verblijfplaats: { gemeenteVanInschrijving: BUURDORP } }
    ]
  })
})

t.test('only the fields asked; v2\'s gemeenteVanInschrijving on the person too', async (t) => {
  const res = await ask({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [ELSEWHERE], fields: ['gemeenteVanInschrijving'] })
  t.same(res.json().personen, [{ gemeenteVanInschrijving: BUURDORP }])
  const filtered = await ask({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [CLIENT, ELSEWHERE], fields: ['burgerservicenummer'], gemeenteVanInschrijving: '9902' })
  t.same(filtered.json().personen, [{ burgerservicenummer: ELSEWHERE }], 'the gemeenteVanInschrijving filter')
})

t.test('a BSN it does not have: no person', async (t) => {
  const res = await ask({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['123456782'], fields: ['verblijfplaats.gemeenteVanInschrijving'] })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { type: 'RaadpleegMetBurgerservicenummer', personen: [] })
})

t.test('questions outside the interface: 400 problem+json, no BSN echoed', async (t) => {
  for (const [what, payload] of [
    ['another operation', { type: 'ZoekMetPostcodeEnHuisnummer', burgerservicenummer: [CLIENT], fields: ['burgerservicenummer'] }],
    ['no fields', { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [CLIENT], fields: [] }],
    ['a field this BRP does not serve', { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [CLIENT], fields: ['naam'] }],
    ['no BSN', { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [], fields: ['burgerservicenummer'] }],
    ['a BSN of eight digits', { type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: ['99999001'], fields: ['burgerservicenummer'] }]
  ] as const) {
    const res = await ask(payload)
    t.equal(res.statusCode, 400, what)
    t.match(res.headers['content-type'], /application\/problem\+json/, what)
    t.notOk(res.body.includes(CLIENT), `${what}: the BSN is not echoed`)
  }
})
