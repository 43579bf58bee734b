// The gateway's edges: token attacks (each 401 or 403 problem+json and each an
// `authentication.failed` audit event), mutual TLS with certificates made here (OIN in the subject
// serialNumber), rate limiting per organisation, the body limit, the security headers, the public
// register and the OpenAPI document.
import t from 'tap'
import { execFileSync, spawnSync } from 'node:child_process'
import { createHmac, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { Agent, request } from 'undici'
import { PROBLEM_TYPE, signToken } from '@wams/platform'
import { issuer, token } from '../support/tokens.ts'
import { BSN, NECESSITY, OIN, allAuditEvents, ask, assertNoBsnLogged, callers, expectDeny, expectNoStanding, openCase, startExchange, startGateway } from './helpers.ts'

const x = await startExchange(t, 'gw_auth', { env: { RATE_LIMIT_PER_MINUTE: '5' } })
const { gateway, ledger, sql } = x
const caseId = await openCase(ledger)
const health = { provider: OIN.zorgaanbieder, category: 'health', fields: ['careInvolved'] }

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)
const claims = (extra: Record<string, unknown> = {}) => ({ iss: issuer.iss, sub: 'college-desk', org: OIN.gemeente, roles: ['college'], aud: 'wams', iat: now(), exp: now() + 600, ...extra })

function hs256 (secret: string, payload: Record<string, unknown>): string {
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`
}

const attacks: Array<{ name: string, token: string | null, status: 401 | 403, reason: string }> = [
  { name: 'no token', token: null, status: 401, reason: 'TOKEN_MISSING' },
  { name: 'alg none', token: `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, status: 401, reason: 'TOKEN_INVALID' },
  {
    name: 'signed with a wrong key',
    token: signToken(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { iss: issuer.iss, sub: 'x', org: OIN.gemeente, roles: ['college'], aud: 'wams' }),
    status: 401,
    reason: 'TOKEN_INVALID'
  },
  { name: 'HS256 signed with the issuer\'s public key', token: hs256(issuer.publicKeyPem, claims()), status: 401, reason: 'TOKEN_INVALID' },
  { name: 'expired', token: token({ org: OIN.gemeente, roles: ['college'], iat: now() - 3600, ttlSeconds: 60 }), status: 401, reason: 'TOKEN_EXPIRED' },
  { name: 'wrong aud', token: token({ org: OIN.gemeente, roles: ['college'], aud: 'another-service' }), status: 401, reason: 'AUDIENCE_INVALID' },
  {
    name: 'unknown issuer',
    token: signToken(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { iss: 'https://evil.example', sub: 'x', org: OIN.gemeente, roles: ['college'], aud: 'wams' }),
    status: 401,
    reason: 'ISSUER_UNTRUSTED'
  },
  { name: 'a role that does not exist', token: token({ org: OIN.gemeente, roles: ['admin'] }), status: 401, reason: 'CLAIMS_INVALID' },
  // The system role of the gateway's own tokens: never accepted from a caller.
  { name: 'a person claiming the gateway\'s system role', token: token({ org: OIN.gemeente, roles: ['gateway'] }), status: 401, reason: 'CLAIMS_INVALID' },
  { name: 'a garbage token', token: 'not.a.jwt', status: 401, reason: 'TOKEN_INVALID' }
]

t.test('token attacks: each refused with problem+json and audited', async (t) => {
  for (const [i, attack] of attacks.entries()) {
    const traceId = randomBytes(16).toString('hex')
    const res = await gateway.inject({
      method: 'POST',
      // Each from its own address: beyond AUTH_FAILURE_BURST a source's failures are aggregated
      // (test/gateway/failed-authentication.test.ts), and each attack here must be seen on its own.
      remoteAddress: `192.0.2.${i + 1}`,
      url: `/v1/cases/${caseId}/data-requests`,
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, ...(attack.token === null ? {} : { authorization: `Bearer ${attack.token}` }) },
      payload: { ...health, subject: BSN.client, purpose: 'onderzoek', necessity: NECESSITY }
    })
    t.equal(res.statusCode, attack.status, `${attack.name}: ${attack.status}`)
    t.match(res.headers['content-type'], PROBLEM_TYPE)
    t.match(res.json(), { status: attack.status, code: attack.reason }, `${attack.name}: ${attack.reason}`)
    t.notOk('data' in res.json())
    const events = (await allAuditEvents(sql)).filter((e) => e.event.traceId === traceId)
    t.equal(events.length, 1, `${attack.name}: one audit event`)
    t.match(events[0]?.event, { type: 'authentication.failed', source: 'gateway', outcome: 'rejected', reasons: [attack.reason], subjectRef: null })
  }
  // None of them reached a decision.
  const decisions = (await allAuditEvents(sql)).filter((e) => e.event.type === 'data-request.decision')
  t.equal(decisions.length, 0, 'no decision was made for any of them')
})

t.test('a verified token of an unregistered or inactive party: no standing, the 404 of a case that does not exist; rule 1 in the audit record', async (t) => {
  const cases = [
    ['unregistered', OIN.unregistered, ['REQUESTER_NOT_REGISTERED', 'ROLE_NOT_PERMITTED']],
    // A housing corporation may never receive health data (rule 9): that reason is recorded too.
    ['inactive', OIN.inactiveWoningcorporatie, ['REQUESTER_NOT_REGISTERED', 'ROLE_NOT_PERMITTED', 'CATEGORY_NOT_PERMITTED']]
  ] as const
  for (const [name, org, reasons] of cases) {
    const res = await gateway.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/data-requests`,
      headers: { authorization: `Bearer ${token({ org, roles: ['professional'] })}` },
      payload: { ...health, subject: BSN.client, purpose: 'onderzoek', necessity: NECESSITY }
    })
    const event = await expectNoStanding(t, sql, res, caseId, [...reasons])
    t.notOk('data' in res.json())
    t.match(event, { type: 'data-request.decision', actor: { org, partyType: null } }, `${name}: audited as a decision`)
  }
})

t.test('a valid token passes to the decision', async (t) => {
  await expectDeny(t, sql, await ask(gateway, caseId, { ...health, necessity: 'kort' }), ['NECESSITY_NOT_STATED'])
})

t.test('rate limit per organisation: 429 problem+json, other organisations unaffected', async (t) => {
  const other = callers.otherCollege()
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) statuses.push((await ask(gateway, caseId, health, other)).statusCode)
  t.same(statuses, [404, 404, 404, 404, 404], 'five requests are decided (not their case: answered as no such case)')
  const limited = await ask(gateway, caseId, health, other)
  t.equal(limited.statusCode, 429)
  t.match(limited.headers['content-type'], PROBLEM_TYPE)
  t.match(limited.json(), { status: 429, title: 'Too Many Requests', code: 'RATE_LIMITED' })
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After')
  // Another organisation is not limited by this one's use.
  const mine = await ask(gateway, caseId, health)
  t.equal(mine.statusCode, 200, 'another organisation still gets its answer')
  // The limit counts organisations, not tokens: another person of the same organisation is limited too.
  const colleague = await ask(gateway, caseId, health, { authorization: `Bearer ${token({ org: OIN.otherGemeente, roles: ['college'], sub: 'someone-else' })}` })
  t.equal(colleague.statusCode, 429)
})

t.test('body limit: a body over BODY_LIMIT is 413 problem+json', async (t) => {
  const res = await ask(gateway, caseId, { ...health, necessity: 'x'.repeat(70 * 1024) }, callers.coordinator())
  t.equal(res.statusCode, 413)
  t.match(res.headers['content-type'], PROBLEM_TYPE)
})

t.test('security headers and API-Version on every answer', async (t) => {
  const res = await ask(gateway, caseId, { ...health, necessity: 'kort' }, callers.coordinator())
  t.equal(res.headers['api-version'], '1.0.0')
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.equal(res.headers['x-frame-options'], 'DENY')
  t.equal(res.headers['cache-control'], 'no-store')
  t.match(res.headers['strict-transport-security'], /max-age=/)
  t.match(res.headers.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
})

t.test('GET /v1/parties: public, the active parties, no base URLs', async (t) => {
  const res = await gateway.inject({ method: 'GET', url: '/v1/parties' })
  t.equal(res.statusCode, 200)
  const body = res.json() as { version: string, parties: Array<Record<string, unknown>> }
  t.equal(body.version, '2025.1.0')
  t.equal(body.parties.length, 16, 'every active party')
  t.notOk(body.parties.some((p) => p.oin === OIN.inactiveWoningcorporatie), 'not the inactive one')
  t.same(Object.keys(body.parties[0]!).sort(), ['categories', 'name', 'oin', 'partyType'])
  t.notOk(res.body.includes('127.0.0.1'), 'no partner addresses')
  t.match(body.parties.find((p) => p.oin === OIN.huisarts), { partyType: 'huisarts', categories: ['involvement', 'health'] })
})

t.test('OpenAPI describes the gateway', async (t) => {
  const res = await gateway.inject({ method: 'GET', url: '/v1/openapi.json' })
  const doc = res.json()
  t.same(doc.servers.map((s: { url: string }) => s.url), ['/v1'], 'paths are relative to /v1')
  for (const path of ['/parties', '/cases/{caseId}/data-requests', '/cases/{caseId}/involvement-check']) t.ok(doc.paths[path], path)
  t.ok(doc.paths['/cases/{caseId}/data-requests'].post.responses['451'], '451 documented')
})

// The certificates are made with the openssl CLI (Debian's openssl, on every machine of this kind).
t.test('mutual TLS: the OIN of the client certificate must equal the token\'s org', async (t) => {
  t.equal(spawnSync('openssl', ['version']).status, 0, 'the openssl CLI makes the test certificates')
  const dir = mkdtempSync(join(tmpdir(), 'wams-mtls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Test PKIoverheid CA')
  const issue = (name: string, subject: string, ext: string) => {
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject)
    writeFileSync(join(dir, `${name}.ext`), ext)
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`)
  }
  issue('server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
  issue('gemeente', `/CN=Gemeente Voorbeeldstad/serialNumber=${OIN.gemeente}`, 'extendedKeyUsage=clientAuth\n')
  issue('school', `/CN=Scholengemeenschap/serialNumber=${OIN.school}`, 'extendedKeyUsage=clientAuth\n')

  const mtls = await startGateway(t, 'gw_mtls', {
    CONSENT_LEDGER_URL: x.ledgerUrl,
    REGISTER_FILE: x.registerFile,
    MTLS_REQUIRED: 'true',
    TLS_CERT_FILE: join(dir, 'server.pem'),
    TLS_KEY_FILE: join(dir, 'server.key'),
    TLS_CA_FILE: join(dir, 'ca.pem')
  })
  await mtls.gateway.listen({ host: '127.0.0.1', port: 0 })
  const origin = `https://127.0.0.1:${(mtls.gateway.server.address() as AddressInfo).port}`
  const read = (f: string) => readFileSync(join(dir, f))
  const agentWith = (cert?: string) => new Agent({ connect: { ca: read('ca.pem'), ...(cert ? { cert: read(`${cert}.pem`), key: read(`${cert}.key`) } : {}) } })
  const call = async (cert: string | undefined, org: string) => {
    const agent = agentWith(cert)
    try {
      const res = await request(`${origin}/v1/cases/${randomUUID()}/data-requests`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token({ org, roles: ['college'] })}` },
        body: JSON.stringify({ ...health, subject: BSN.client, purpose: 'onderzoek', necessity: NECESSITY })
      })
      return { status: res.statusCode, body: await res.body.json() as Record<string, unknown> }
    } finally {
      await agent.close()
    }
  }

  const matching = await call('gemeente', OIN.gemeente)
  t.equal(matching.status, 404, 'certificate and token agree: on to the decision (no such case)')
  t.match(matching.body, { outcome: 'deny', code: 'CASE_NOT_FOUND' })

  const mismatch = await call('school', OIN.gemeente)
  t.equal(mismatch.status, 401, 'a token of another organisation than the certificate')
  t.equal(mismatch.body.code, 'CERTIFICATE_MISMATCH')

  await t.rejects(call(undefined, OIN.gemeente), 'no client certificate: the TLS handshake fails')

  const failures = (await allAuditEvents(mtls.sql)).filter((e) => e.event.type === 'authentication.failed')
  t.equal(failures.length, 1)
  t.match(failures[0]!.event, { reasons: ['CERTIFICATE_MISMATCH'], actor: { org: OIN.gemeente } })
})

t.test('no BSN in any log line of this run', async (t) => {
  assertNoBsnLogged(t, x)
})
