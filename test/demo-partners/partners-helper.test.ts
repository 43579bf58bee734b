// test/support/partners.ts, the helper the gateway tests use: real demo partners on a loopback port,
// and a register that points at them (or, for some parties, at nothing).
import t from 'tap'
import { loadPartyRegister } from '@wams/platform'
import { partyRegister } from '@wams/schemas'
import { DOWN_ORIGIN, startDemoPartners, writeTestRegister } from '../support/partners.ts'
import { CLIENT, gatewayToken, partyOfType, requestBody, validates } from './helpers.ts'

const call = (url: string, oin: string) => fetch(`${url}/wams/v1/data-requests`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${gatewayToken(oin)}` },
  body: JSON.stringify(requestBody(CLIENT, 'involvement'))
})

t.test('startDemoPartners serves every party over HTTP, and the register points at them', async (t) => {
  const partners = await startDemoPartners()
  t.teardown(() => partners.close())
  t.match(partners.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
  t.equal((await fetch(`${partners.baseUrl}/health/ready`)).status, 200)

  const register = loadPartyRegister(writeTestRegister(partners.baseUrl))
  t.equal(register.version, partyRegister.version, 'the same register, rewritten')
  t.equal(register.parties.length, partyRegister.parties.length)
  for (const party of register.parties.filter((p) => p.categories.length > 0)) {
    t.equal(party.baseUrl, `${partners.baseUrl}/partners/${party.oin}`)
    const res = await call(party.baseUrl, party.oin)
    t.equal(res.status, 200, `${party.name} answers at its baseUrl`)
    t.ok(validates('involvement', ((await res.json()) as { data: unknown }).data))
  }
})

t.test('downOins point at a port where nothing listens', async (t) => {
  const partners = await startDemoPartners()
  t.teardown(() => partners.close())
  const down = partyOfType('woningcorporatie').oin
  const register = loadPartyRegister(writeTestRegister(`${partners.baseUrl}/`, { downOins: [down] }))
  const downParty = register.get(down)!
  t.equal(downParty.baseUrl, `${DOWN_ORIGIN}/partners/${down}`)
  await t.rejects(call(downParty.baseUrl, down), 'connection refused')
  t.equal(register.get(partyOfType('ggd').oin)!.baseUrl, `${partners.baseUrl}/partners/${partyOfType('ggd').oin}`, 'the others are up')
  t.throws(() => writeTestRegister(partners.baseUrl, { downOins: ['00000099000000009999'] }), /not in the register/)
})

t.test('startDemoPartners takes faults', async (t) => {
  const ggd = partyOfType('ggd')
  const partners = await startDemoPartners({ faults: { [ggd.oin]: { status: 503 } } })
  t.teardown(() => partners.close())
  t.equal((await call(`${partners.baseUrl}/partners/${ggd.oin}`, ggd.oin)).status, 503)
  const school = partyOfType('school')
  t.equal((await call(`${partners.baseUrl}/partners/${school.oin}`, school.oin)).status, 200)
})
