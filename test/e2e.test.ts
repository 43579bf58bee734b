// End to end, all on real PostgreSQL and Kafka, every service in this process sharing one topic
// prefix: a case opened in the consent ledger, a lawful data request and an unlawful one through
// the gateway, the demo partner answering; the decisions travel gateway outbox → Kafka → audit
// store → Merkle tree, and the inclusion proof the audit service serves is checked here with an
// independent implementation of the SPEC's hashing (not the project's Merkle code).
import t from 'tap'
import type { AddressInfo } from 'node:net'
import { buildApp as buildLedger, readConfig as ledgerConfig } from '@wams/consent-ledger'
import { buildApp as buildGateway, readConfig as gatewayConfig } from '@wams/gateway'
import { buildApp as buildAudit, readConfig as auditConfig } from '@wams/audit'
import { freshDatabase, freshTopicPrefix } from './support/infra.ts'
import { startDemoPartners, writeTestRegister } from './support/partners.ts'
import { bearer } from './support/tokens.ts'
import { inclusionOk, leafOf } from './support/rfc6962.ts'
import { BSN, OIN, ask, callers, openCase } from './gateway/helpers.ts'

async function waitFor<T> (what: string, fn: () => Promise<T | null>, timeoutMs = 45000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fn()
    if (value !== null) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('from a gateway decision to a verifiable audit record', async (t) => {
  const prefix = freshTopicPrefix('e2e')
  const common = { KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: 'silent', PORT: '0', KAFKA_PARTITIONS: '2' }
  const [ledgerDb, gatewayDb, auditDb] = await Promise.all([freshDatabase('e2e_ledger'), freshDatabase('e2e_gw'), freshDatabase('e2e_audit')])
  t.teardown(async () => { await ledgerDb.drop(); await gatewayDb.drop(); await auditDb.drop() })

  const partners = await startDemoPartners()
  t.teardown(() => partners.close())
  const ledger = await buildLedger(ledgerConfig({ ...common, DATABASE_URL: ledgerDb.url, BRP_URL: partners.brpUrl }))
  await ledger.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => ledger.close())
  const gateway = await buildGateway(gatewayConfig({
    ...common,
    DATABASE_URL: gatewayDb.url,
    REGISTER_FILE: writeTestRegister(partners.baseUrl),
    CONSENT_LEDGER_URL: `http://127.0.0.1:${(ledger.server.address() as AddressInfo).port}`
  }))
  t.teardown(() => gateway.close())
  const audit = await buildAudit(auditConfig({ ...common, DATABASE_URL: auditDb.url, CHECKPOINT_INTERVAL_MS: '200' }))
  t.teardown(() => audit.close())

  const caseId = await openCase(ledger)
  // The caller's trace continues through the gateway into the audit record.
  const traceId = '0af7651916cd43dd8448eb211c80319c'
  const permit = await ask(gateway, caseId, { provider: OIN.ggd, category: 'health', fields: ['careInvolved'] },
    { ...callers.college(), traceparent: `00-${traceId}-b7ad6b7169203331-01` })
  t.match(permit.headers.traceparent, new RegExp(`^00-${traceId}-`), 'the answer continues the caller\'s trace')
  t.equal(permit.statusCode, 200, permit.body)
  t.same(Object.keys(permit.json().data), ['careInvolved'], 'only the requested field')
  const deny = await ask(gateway, caseId, { provider: OIN.ggd, category: 'health', fields: ['diagnosisSummary'] })
  t.equal(deny.statusCode, 403)
  t.ok(deny.json().reasons.includes('FIELD_NOT_NECESSARY'))

  const supervisor = bearer({ org: OIN.toezichthouder, roles: ['supervisor'], sub: 'ap-inspecteur' })
  for (const [name, res] of [['permit', permit], ['deny', deny]] as const) {
    const eventId = res.json().auditEventId
    t.ok(eventId, `${name}: the answer names its audit event`)
    interface Proven { event: { outcome: string, caseId: string, traceId: string }, leafHash: string, leafIndex: number, treeSize: number, rootHash: string, inclusionProof: string[] }
    const body = await waitFor<Proven>(`the ${name} event with a proof`, async () => {
      const got = await audit.inject({ url: `/v1/audit/events/${eventId}`, headers: supervisor })
      return got.statusCode === 200 ? got.json() as Proven : null
    })
    t.equal(body.event.outcome, name)
    t.equal(body.event.caseId, caseId)
    if (name === 'permit') t.equal(body.event.traceId, traceId, 'the audit record carries the caller\'s trace id')
    t.notOk(JSON.stringify(body).includes(BSN.client), 'no BSN in the audit record')
    const leaf = leafOf(body.event)
    t.equal(leaf.toString('base64'), body.leafHash, 'leaf hash = SHA-256(0x00 ‖ RFC 8785 JSON of the event as returned)')
    const proof = body.inclusionProof.map((p) => Buffer.from(p, 'base64'))
    t.ok(inclusionOk(leaf, body.leafIndex, body.treeSize, proof, Buffer.from(body.rootHash, 'base64')), `${name}: the inclusion proof leads to the root`)
    const checkpoint = (await audit.inject({ url: '/v1/audit/checkpoint' })).json()
    t.ok(checkpoint.treeSize >= body.treeSize, 'the signed checkpoint covers it')
  }

  // The case's own ledger events reached the audit log too, and the municipality can find them.
  const college = bearer({ org: OIN.gemeente, roles: ['college'], sub: 'wethouder-1' })
  const ofCase = await waitFor('the ledger event in the audit log', async () => {
    const res = await audit.inject({ url: `/v1/audit/events?caseId=${caseId}`, headers: college })
    const events = res.json().events as Array<{ event: { type: string } }>
    return events.some((e) => e.event.type === 'case.event') && events.filter((e) => e.event.type === 'data-request.decision').length === 2 ? events : null
  })
  t.ok(ofCase.length >= 3)
})
