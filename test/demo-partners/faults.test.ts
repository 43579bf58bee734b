// DEMO_FAULTS: a slow partner, a failing one, one that answers outside its schema and one that adds
// fields the contract does not name. Each affects only the partner it is configured for.
import t from 'tap'
import { PROBLEM_TYPE } from '@wams/platform'
import { readConfig } from '@wams/demo-partners'
import { categoryTable } from '@wams/schemas'
import {
  ask, CLIENT, contractOnly, demoPartners, gatewayToken, partyOfType, REFUSED_HEALTH, requestBody, schemaErrors, UNKNOWN, validates
} from './helpers.ts'
import { startDemoPartners } from '../support/partners.ts'

const ggd = partyOfType('ggd')
const police = partyOfType('politie')
const landlord = partyOfType('woningcorporatie')
const school = partyOfType('school')

async function timed<T> (fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now()
  const result = await fn()
  return [result, performance.now() - start]
}

t.test('delayMs: that partner answers late, the others at once', async (t) => {
  const app = await demoPartners({ faults: { [ggd.oin]: { delayMs: 400 } } })
  t.teardown(() => app.close())
  const [slow, slowMs] = await timed(() => ask(app, ggd.oin, CLIENT, 'health'))
  const [fast, fastMs] = await timed(() => ask(app, school.oin, CLIENT, 'education'))
  t.equal(slow.statusCode, 200, 'late, but a normal answer')
  t.ok(validates('health', slow.json().data))
  t.ok(slowMs >= 390, `slow partner took ${Math.round(slowMs)} ms`)
  t.equal(fast.statusCode, 200)
  t.ok(fastMs < slowMs, `the other partner took ${Math.round(fastMs)} ms`)
})

t.test('status 500 and 503: the partner fails with a problem, whatever is asked', async (t) => {
  const app = await demoPartners({ faults: { [ggd.oin]: { status: 500 }, [police.oin]: { status: 503 } } })
  t.teardown(() => app.close())
  for (const subject of [CLIENT, UNKNOWN]) {
    const failed = await ask(app, ggd.oin, subject, 'health')
    t.equal(failed.statusCode, 500)
    t.match(failed.headers['content-type'], PROBLEM_TYPE)
    t.match(failed.json(), { status: 500, code: 'SOURCE_FAILED' })
    const unavailable = await ask(app, police.oin, subject, 'criminal')
    t.equal(unavailable.statusCode, 503)
    t.match(unavailable.json(), { status: 503, code: 'SOURCE_UNAVAILABLE' })
    t.equal(unavailable.headers['retry-after'], '30')
  }
  t.equal((await ask(app, school.oin, CLIENT, 'education')).statusCode, 200, 'an unconfigured partner is fine')
})

t.test('invalid: 200, but no record fits its category schema', async (t) => {
  const app = await demoPartners({ faults: { [police.oin]: { invalid: true } } })
  t.teardown(() => app.close())
  for (const category of police.categories) {
    const res = await ask(app, police.oin, CLIENT, category)
    t.equal(res.statusCode, 200, `${category}: 200`)
    const { data } = res.json()
    t.notOk(validates(category, data), `${category}: outside the schema`)
    const wrong = new Set((schemaErrors(category, data) as Array<{ instancePath: string }>).map((e) => e.instancePath.split('/')[1]))
    const fields = [...categoryTable[category].signal, ...categoryTable[category].detail]
    t.same(fields.filter((f) => !wrong.has(f)), [], `${category}: every field of the contract is wrong`)
  }
  const criminal = (await ask(app, police.oin, CLIENT, 'criminal')).json().data
  t.type(criminal.policeContacts, 'string', 'a number sent as text')
  t.equal(criminal.probationSupervision, 'nee', 'a boolean as ja/nee')
  t.equal((await ask(app, police.oin, UNKNOWN, 'criminal')).statusCode, 404, 'not-known stays not-known')
  const healthy = await ask(app, ggd.oin, CLIENT, 'health')
  t.ok(validates('health', healthy.json().data), 'other partners stay in contract')
})

t.test('extraFields: 200 within the contract, with fields the contract does not name, nested too', async (t) => {
  const clean = await demoPartners()
  const noisy = await demoPartners({ faults: { [landlord.oin]: { extraFields: true }, [police.oin]: { extraFields: true } } })
  t.teardown(async () => { await clean.close(); await noisy.close() })
  for (const [party, category] of [[landlord, 'housing'], [police, 'criminal'], [police, 'safety']] as const) {
    const expected = (await ask(clean, party.oin, CLIENT, category)).json().data
    const res = await ask(noisy, party.oin, CLIENT, category)
    t.equal(res.statusCode, 200)
    const { data } = res.json()
    t.ok(validates(category, data), `${category}: extra properties are within the contract`)
    t.type(data.internalNote, 'string')
    t.type(data.lastModifiedBy, 'string')
    t.same(contractOnly(category, data), contractOnly(category, expected), `${category}: the contract's fields are unchanged`)
  }
  const criminal = (await ask(noisy, police.oin, CLIENT, 'criminal')).json().data
  t.ok(criminal.recentIncidents.every((i: Record<string, unknown>) => typeof i.internalId === 'string'), 'nested objects carry extra fields too')
})

t.test('faults combine, and leave refusals alone', async (t) => {
  const huisarts = partyOfType('huisarts')
  const app = await demoPartners({ faults: { [huisarts.oin]: { delayMs: 50, extraFields: true } } })
  t.teardown(() => app.close())
  const [refused, ms] = await timed(() => ask(app, huisarts.oin, REFUSED_HEALTH, 'health'))
  t.equal(refused.statusCode, 451)
  t.ok(ms >= 45)
  const answered = (await ask(app, huisarts.oin, CLIENT, 'health')).json().data
  t.ok(validates('health', answered) && 'internalNote' in answered)
})

t.test('DEMO_FAULTS is read from the environment and checked at start', async (t) => {
  const app = await demoPartners({}, { DEMO_FAULTS: JSON.stringify({ [school.oin]: { status: 503 } }) })
  t.teardown(() => app.close())
  t.equal((await ask(app, school.oin, CLIENT, 'education')).statusCode, 503)
  t.equal((await ask(app, ggd.oin, CLIENT, 'health')).statusCode, 200)

  t.equal(readConfig({}).DEMO_FAULTS, '{}', 'no faults by default')
  for (const bad of ['not json', '[]', '{"123":{}}', `{"${school.oin}":{"status":404}}`, `{"${school.oin}":{"slow":true}}`, `{"${school.oin}":{"delayMs":-1}}`]) {
    t.throws(() => readConfig({ DEMO_FAULTS: bad }), /DEMO_FAULTS/, `rejected: ${bad}`)
  }
  await t.rejects(demoPartners({ faults: { [school.oin]: { status: 418 as 500 } } }), /invalid/, 'faults passed directly are checked too')
})

t.test('a configured delay does not hold up a shutdown', async (t) => {
  const partners = await startDemoPartners({ faults: { [ggd.oin]: { delayMs: 30_000 } } })
  const pending = fetch(`${partners.baseUrl}/partners/${ggd.oin}/wams/v1/data-requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${gatewayToken(ggd.oin)}` },
    body: JSON.stringify(requestBody(CLIENT, 'health'))
  })
  await new Promise((resolve) => setTimeout(resolve, 100))
  const [, closeMs] = await timed(() => partners.close())
  t.ok(closeMs < 5000, `closed in ${Math.round(closeMs)} ms`)
  const res = await pending
  t.equal(res.status, 200, 'the request in flight still got its answer')
})
