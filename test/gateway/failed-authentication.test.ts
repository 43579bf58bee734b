// The audit log cannot be written by outsiders (issue 11): failed authentication is recorded
// without caller-chosen text and without crediting an organisation no valid signature vouches
// for, and a flood from one source adds a bounded number of events (the first AUTH_FAILURE_BURST
// one by one, the rest as one aggregate per window), against the real gateway and its outbox.
import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { signToken, type AuditEvent } from '@wams/platform'
import { token } from '../support/tokens.ts'
import { OIN, allAuditEvents, startGateway } from './helpers.ts'

const BURST = 3
const { gateway, sql } = await startGateway(t, 'gw_failed_auth', { AUTH_FAILURE_BURST: String(BURST), AUTH_FAILURE_WINDOW_MS: '60000' })

const failures = async () => (await allAuditEvents(sql)).map((r) => r.event).filter((e) => e.type === 'authentication.failed')
const from = (ip: string, authorization?: string) => gateway.inject({
  method: 'POST',
  url: '/v1/cases/0190f1b2-7f3a-7c4d-8e5f-123456789abc/data-requests',
  remoteAddress: ip,
  headers: authorization ? { authorization } : {},
  payload: {}
})

// A token signed by nobody the gateway trusts, carrying text an attacker wants in the evidence.
const stranger = generateKeyPairSync('ed25519')
const forged = signToken(stranger.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), {
  iss: 'https://evil.example', aud: 'wams', sub: 'BSN 999990019 says hello', org: OIN.gemeente, roles: ['college'], ttlSeconds: 300
})

t.test('a forged token credits nobody and writes none of its text', async (t) => {
  const res = await from('198.51.100.7', `Bearer ${forged}`)
  t.equal(res.statusCode, 401)
  const [event] = await failures()
  t.ok(event, 'the attempt is recorded')
  t.match(event, { outcome: 'rejected', actor: { org: null, sub: null, roles: [] }, detail: { sourceRef: /^[A-Za-z0-9_-]{43}$/ } })
  const text = JSON.stringify(event)
  t.notOk(text.includes('999990019') || text.includes('hello') || text.includes('evil') || text.includes('198.51.100.7'), 'no caller text, no address')
})

t.test('a verified token with an out-of-bounds claim: the org it proves, no sub', async (t) => {
  const before = (await failures()).length
  const res = await from('198.51.100.8', `Bearer ${token({ org: OIN.gemeente, roles: ['college'], sub: 'x\u0000BSN 999990019' })}`)
  t.equal(res.statusCode, 401)
  const event = (await failures()).slice(before)[0]
  t.match(event, { reasons: ['CLAIMS_INVALID'], actor: { org: OIN.gemeente, sub: null, roles: ['college'] }, detail: { omittedClaims: ['sub'] } })
})

t.test('a flood from one source adds at most the burst plus one aggregate; another source is recorded on its own', async (t) => {
  const before = (await failures()).length
  const FLOOD = 60
  for (let i = 0; i < FLOOD; i++) t.equal((await from('203.0.113.9')).statusCode, 401)
  const during = (await failures()).slice(before)
  t.equal(during.length, BURST, `${FLOOD} attempts, ${BURST} recorded one by one while the window lasts`)
  // Another network is not silenced by the flood; an IPv6 neighbour in the same /64 counts as one source.
  await from('2001:db8:1:2::1')
  await from('2001:db8:1:2:ffff::2')
  t.equal((await failures()).length, before + BURST + 2, 'another source: recorded')

  // The window ends (here: the gateway closes and flushes): the rest is one aggregate event.
  await gateway.close()
  const after = (await failures()).slice(before)
  const aggregates = after.filter((e) => (e.detail as { count?: number }).count !== undefined)
  t.equal(aggregates.length, 1, 'one aggregate for the flooding source')
  const aggregate = aggregates[0] as AuditEvent & { detail: { count: number, sourceRef: string, window: { from: string, to: string } } }
  t.equal(aggregate.detail.count, FLOOD - BURST, 'it stands for every attempt not recorded one by one')
  t.same(aggregate.reasons, ['TOKEN_MISSING'])
  t.equal(aggregate.detail.sourceRef, during[0]!.detail && (during[0]!.detail as { sourceRef: string }).sourceRef, 'the same source')
  t.ok(Date.parse(aggregate.detail.window.from) <= Date.parse(aggregate.detail.window.to), 'with its window')
  t.equal(after.length, BURST + 2 + 1, `${FLOOD + 2} attempts: ${after.length} events`)
})
