// Case states under a lease (issue 13): gateways keep case states in memory, and still every
// decision that starts after the ledger acknowledged a change sees that change (SPEC §6,
// read-after-write) — across two gateway instances and two consent-ledger instances on one
// database, while both gateways are kept busy with the same case; and when a gateway instance
// cannot be reached, the ledger acknowledges after its lease ran out and that instance, cut off,
// decides on nothing it kept (it fails closed), then sees the change once it is reachable again.
import t from 'tap'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { FastifyInstance } from 'fastify'
import { buildApp as buildLedger, readConfig as ledgerConfig } from '../../services/consent-ledger/src/index.ts'
import type { LeasedCaseStates } from '../../services/gateway/src/case-state-lease.ts'
import { freshDatabase, freshTopicPrefix } from '../support/infra.ts'
import { startDemoPartners, writeTestRegister } from '../support/partners.ts'
import { bearer } from '../support/tokens.ts'
import { OIN, ask, callers, hulpvraagCase, ledgerCall, openCase, startGateway } from './helpers.ts'

t.setTimeout(180_000)

const LEASE_MS = 1500
const GATEWAY_OIN = '00000099000000009000'
const health = { provider: OIN.zorgaanbieder, category: 'health', fields: ['careInvolved'] }
const inScope = { domains: ['zorg'], parties: [OIN.zorgaanbieder], statement: 'De zorg mag meedoen.' }
const outOfScope = { domains: [], parties: [], statement: 'Ik trek het in.' }

const partners = await startDemoPartners()
t.teardown(() => partners.close())
const registerFile = writeTestRegister(partners.baseUrl)

// Two ledger instances on one database, as in production.
const db = await freshDatabase('lease_ledger')
const ledgers: FastifyInstance[] = []
const ledgerUrls: string[] = []
for (let i = 0; i < 2; i++) {
  const app = await buildLedger(ledgerConfig({
    DATABASE_URL: db.url,
    KAFKA_TOPIC_PREFIX: freshTopicPrefix('lease_ledger'),
    LOG_LEVEL: 'silent',
    PORT: '0',
    KAFKA_PARTITIONS: '1',
    BRP_URL: partners.brpUrl,
    CASE_STATE_LEASE_MS: String(LEASE_MS),
    CASE_STATE_LEASE_HOLD_MS: '300'
  }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  ledgers.push(app)
  ledgerUrls.push(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`)
}
t.teardown(async () => { for (const app of ledgers) await app.close(); await db.drop() })

const leasesOf = (gateway: FastifyInstance) => gateway.exchange.caseStates as LeasedCaseStates
async function leased (gateway: FastifyInstance): Promise<void> {
  for (let i = 0; i < 200 && !leasesOf(gateway).stats().leased; i++) await new Promise((resolve) => setTimeout(resolve, 25))
  if (!leasesOf(gateway).stats().leased) throw new Error('the gateway got no lease')
}

t.test('two gateways, two ledgers: every decision after an acknowledged change sees it', async (t) => {
  const gateways = [
    (await startGateway(t, 'lease_a', { CONSENT_LEDGER_URL: ledgerUrls[0]!, REGISTER_FILE: registerFile })).gateway,
    (await startGateway(t, 'lease_b', { CONSENT_LEDGER_URL: ledgerUrls[1]!, REGISTER_FILE: registerFile })).gateway
  ]
  for (const g of gateways) await leased(g)
  const caseId = await openCase(ledgers[0]!, { body: hulpvraagCase(), scope: inScope })

  // Both gateways keep deciding on the case all the time, so their copies are always warm.
  const load = { busy: true }
  const background = gateways.map(async (g) => {
    while (load.busy) await ask(g, caseId, health)
  })

  const ROUNDS = 24
  const PROBES = 3
  let checked = 0
  const wrong: string[] = []
  const writes: number[] = []
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const permitted = round % 2 === 1
      // Alternately through either ledger instance: the lease of a gateway polling the other one counts too.
      const begun = performance.now()
      await ledgerCall(ledgers[round % 2]!, 'PUT', `/v1/cases/${caseId}/scope`, permitted ? inScope : outOfScope)
      writes.push(performance.now() - begun)
      // Acknowledged: from here every decision must see it, on both gateways.
      const answers = await Promise.all(gateways.flatMap((g, gi) => Array.from({ length: PROBES }, async () => ({ gi, res: await ask(g, caseId, health) }))))
      for (const { gi, res } of answers) {
        checked++
        const expected = permitted ? 200 : 403
        if (res.statusCode !== expected) wrong.push(`round ${round}, gateway ${gi}: ${res.statusCode} where ${expected} (${res.body.slice(0, 120)})`)
      }
    }
  } finally {
    load.busy = false
    await Promise.all(background)
  }
  t.equal(checked, ROUNDS * PROBES * 2, `${checked} decisions started after an acknowledged change`)
  t.same(wrong, [], 'each of them saw the change')
  writes.sort((a, b) => a - b)
  t.comment(`a change took ${Math.round(writes[writes.length >> 1]!)} ms (median), ${Math.round(writes.at(-1)!)} ms (slowest) to be acknowledged with two gateways holding leases`)
  for (const [i, g] of gateways.entries()) {
    const stats = leasesOf(g).stats()
    t.ok(stats.hits > 0, `gateway ${i} decided ${stats.hits} times on a kept copy (${stats.misses} reads from the ledger)`)
    t.ok(stats.dropped > 0, `gateway ${i} dropped ${stats.dropped} copies on the ledger's notice`)
  }
})

/** A TCP relay that can be frozen: bytes in either direction wait while frozen. */
async function freezableRelay (target: string) {
  const { hostname, port } = new URL(target)
  const pairs = new Set<[net.Socket, net.Socket]>()
  let frozen = false
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(port), hostname)
    const pair: [net.Socket, net.Socket] = [inbound, outbound]
    pairs.add(pair)
    inbound.pipe(outbound)
    outbound.pipe(inbound)
    if (frozen) { inbound.pause(); outbound.pause() }
    const end = () => { pairs.delete(pair); inbound.destroy(); outbound.destroy() }
    inbound.on('error', end).on('close', end)
    outbound.on('error', end).on('close', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    freeze () { frozen = true; for (const [a, b] of pairs) { a.pause(); b.pause() } },
    thaw () { frozen = false; for (const [a, b] of pairs) { a.resume(); b.resume() } },
    close: () => new Promise<void>((resolve) => { for (const [a, b] of pairs) { a.destroy(); b.destroy() } server.close(() => resolve()) })
  }
}

t.test('a gateway cut off from the ledger: the change waits for its lease at most, and it decides on nothing it kept', async (t) => {
  const relay = await freezableRelay(ledgerUrls[0]!)
  t.teardown(() => relay.close())
  const { gateway } = await startGateway(t, 'lease_cut', { CONSENT_LEDGER_URL: relay.url, REGISTER_FILE: registerFile, LEDGER_TIMEOUT_MS: '400' })
  await leased(gateway)
  const caseId = await openCase(ledgers[0]!, { body: hulpvraagCase(), scope: inScope })
  t.equal((await ask(gateway, caseId, health)).statusCode, 200, 'permitted, and the state is kept')
  t.equal((await ask(gateway, caseId, health)).statusCode, 200)
  const hits = leasesOf(gateway).stats().hits
  t.ok(hits >= 1, 'the second decision used the kept copy')

  relay.freeze()
  const begun = performance.now()
  await ledgerCall(ledgers[1]!, 'PUT', `/v1/cases/${caseId}/scope`, outOfScope)
  const waited = performance.now() - begun
  t.ok(waited <= LEASE_MS * 2 + 1500, `the change was acknowledged after ${Math.round(waited)} ms, bounded by the lease (${LEASE_MS} ms)`)

  const cutOff = await ask(gateway, caseId, health)
  t.equal(cutOff.statusCode, 503, 'cut off: no decision on the kept state, the gateway fails closed')
  t.equal(cutOff.json().code, 'CASE_STATE_UNAVAILABLE')
  t.equal(leasesOf(gateway).stats().hits, hits, 'the kept copy was not used after the lease ran out')

  relay.thaw()
  const after = await ask(gateway, caseId, health)
  t.equal(after.statusCode, 403, 'reachable again: the change is seen')
  t.same(after.json().reasons, ['OUTSIDE_CLIENT_SCOPE'])
  // A new lease is taken; the state read under it is kept and reflects the change.
  await leased(gateway)
  for (let i = 0; i < 3; i++) t.equal((await ask(gateway, caseId, health)).statusCode, 403)
})

t.test('the lease endpoint is for the gateway only, and refuses bad input', async (t) => {
  const res = await ledgers[0]!.inject({ method: 'POST', url: '/v1/case-state-leases', headers: callers.college(), payload: { instanceId: '7d0b6a0e-5f3c-4a53-9d7e-0a8f7d3f2c11', ackedSeq: null } })
  t.equal(res.statusCode, 403, 'a municipality may not hold a lease')
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  const bad = await ledgers[0]!.inject({ method: 'POST', url: '/v1/case-state-leases', headers: bearer({ org: GATEWAY_OIN, roles: ['gateway'], sub: 'gateway' }), payload: { instanceId: 'not-a-uuid', ackedSeq: -1 } })
  t.equal(bad.statusCode, 400)
  t.match(bad.headers['content-type'], /^application\/problem\+json/)
})
