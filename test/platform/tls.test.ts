// HTTPS, and optionally mutual TLS, the same way in every service: the platform reads TLS_CERT_FILE,
// TLS_KEY_FILE, TLS_CA_FILE and MTLS_REQUIRED for the gateway, the consent ledger and the audit
// service alike. Each starts over HTTPS with a certificate made here by the openssl CLI (as the
// gateway's mTLS test makes its own), answers a client that trusts the test CA, refuses plain
// HTTP, and carries its bearer challenge on a 401. With MTLS_REQUIRED the ledger and the audit
// service refuse a client without a certificate and check its OIN against the token's org.
import t, { type Test } from 'tap'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { Agent, request } from 'undici'
import { buildApp as buildGateway, readConfig as gatewayConfig } from '@wams/gateway'
import { buildApp as buildLedger, readConfig as ledgerConfig } from '@wams/consent-ledger'
import { buildApp as buildAudit, readConfig as auditConfig } from '@wams/audit'
import { freshDatabase, freshTopicPrefix } from '../support/infra.ts'
import { token } from '../support/tokens.ts'

// Parties of schemas/party-register.json: a gemeente and the supervisor (toezichthouder).
const GEMEENTE = '00000099000000000101'
const TOEZICHTHOUDER = '00000099000000001501'
const CASE = '0196a0f5-8c1e-7d55-a8e1-3f2b4c5d6e7f'

t.equal(spawnSync('openssl', ['version']).status, 0, 'the openssl CLI makes the test certificates')
const dir = mkdtempSync(join(tmpdir(), 'wams-tls-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Wams test CA')
function issue (name: string, subject: string, ext: string): void {
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject)
  writeFileSync(join(dir, `${name}.ext`), ext)
  ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '1', '-extfile', `${name}.ext`)
}
issue('server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
issue('gemeente', `/CN=Gemeente Voorbeeldstad/serialNumber=${GEMEENTE}`, 'extendedKeyUsage=clientAuth\n')
issue('toezichthouder', `/CN=Autoriteit Persoonsgegevens/serialNumber=${TOEZICHTHOUDER}`, 'extendedKeyUsage=clientAuth\n')
const file = (name: string) => join(dir, name)
const read = (name: string) => readFileSync(file(name))

const TLS = { TLS_CERT_FILE: file('server.pem'), TLS_KEY_FILE: file('server.key') }
const MTLS = { ...TLS, TLS_CA_FILE: file('ca.pem'), MTLS_REQUIRED: 'true' }

type Build = (env: Record<string, string>) => Promise<FastifyInstance>
interface Service { name: string, build: Build, secured: { method: 'GET' | 'POST', path: string }, caller: string }

const services: Service[] = [
  { name: 'gateway', build: (env) => buildGateway(gatewayConfig(env)), secured: { method: 'POST', path: `/v1/cases/${CASE}/data-requests` }, caller: GEMEENTE },
  { name: 'consent-ledger', build: (env) => buildLedger(ledgerConfig(env)), secured: { method: 'GET', path: `/v1/cases/${CASE}` }, caller: GEMEENTE },
  { name: 'audit', build: (env) => buildAudit(auditConfig(env)), secured: { method: 'GET', path: '/v1/audit/events' }, caller: TOEZICHTHOUDER }
]

/** The service on a fresh database and topic prefix, listening on a free port; closed and dropped at teardown. */
async function start (tt: Test, service: Service, env: Record<string, string>): Promise<string> {
  const db = await freshDatabase(`tls_${service.name.replace('-', '_')}`)
  const app = await service.build({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: freshTopicPrefix(`tls_${service.name}`), LOG_LEVEL: 'silent', PORT: '0', KAFKA_PARTITIONS: '1', ...env })
  tt.teardown(async () => { await app.close(); await db.drop() })
  await app.listen({ host: '127.0.0.1', port: 0 })
  return `127.0.0.1:${(app.server.address() as AddressInfo).port}`
}

/** A request over HTTPS trusting the test CA, with a client certificate when named. */
async function https (hostPort: string, path: string, options: { method?: string, cert?: string, headers?: Record<string, string>, body?: string } = {}) {
  const agent = new Agent({ connect: { ca: read('ca.pem'), ...(options.cert ? { cert: read(`${options.cert}.pem`), key: read(`${options.cert}.key`) } : {}) } })
  try {
    const res = await request(`https://${hostPort}${path}`, { method: (options.method ?? 'GET') as 'GET', dispatcher: agent, headers: options.headers ?? {}, ...(options.body ? { body: options.body } : {}) })
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
  } finally {
    await agent.close()
  }
}

for (const service of services) {
  t.test(`${service.name} serves HTTPS with the certificate of TLS_CERT_FILE and TLS_KEY_FILE`, async (t) => {
    const hostPort = await start(t, service, TLS)
    const live = await https(hostPort, '/health/live')
    t.equal(live.status, 200, 'a client that trusts the CA is answered')
    t.ok(live.headers['api-version'], 'API-Version')
    t.match(String(live.headers['strict-transport-security']), /max-age=/, 'HSTS')
    const doc = await https(hostPort, '/v1/openapi.json')
    t.equal(doc.status, 200)
    t.equal(doc.headers['access-control-allow-origin'], '*')

    const body = service.secured.method === 'POST' ? JSON.stringify({}) : undefined
    const refused = await https(hostPort, service.secured.path, {
      method: service.secured.method,
      headers: { authorization: 'Bearer not.a.token', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body } : {})
    })
    t.equal(refused.status, 401)
    t.match(String(refused.headers['content-type']), 'application/problem+json')
    t.match(String(refused.headers['www-authenticate']), /^Bearer realm="wams", error="invalid_token"/)

    await t.rejects(request(`http://${hostPort}/health/live`).then((r) => r.body.text()), 'plain HTTP is not served')
    const untrusting = new Agent()
    t.teardown(() => untrusting.close())
    await t.rejects(request(`https://${hostPort}/health/live`, { dispatcher: untrusting }), 'a client that does not trust the CA refuses the certificate')
  })
}

for (const service of services.filter((s) => s.name !== 'gateway')) {
  // The gateway's mutual TLS has its own test (test/gateway/authentication.test.ts).
  t.test(`${service.name} with MTLS_REQUIRED: a client certificate from TLS_CA_FILE whose OIN is the token's org`, async (t) => {
    const hostPort = await start(t, service, MTLS)
    await t.rejects(https(hostPort, '/health/live'), 'no client certificate: the TLS handshake fails')
    t.equal((await https(hostPort, '/health/live', { cert: 'gemeente' })).status, 200, 'with a certificate of the CA')

    const bearer = { authorization: `Bearer ${token({ org: service.caller, roles: service.caller === TOEZICHTHOUDER ? ['supervisor'] : ['college'] })}` }
    const own = service.caller === GEMEENTE ? 'gemeente' : 'toezichthouder'
    const other = own === 'gemeente' ? 'toezichthouder' : 'gemeente'
    const matching = await https(hostPort, service.secured.path, { cert: own, headers: bearer })
    t.not(matching.status, 401, `certificate and token agree: past authentication (${matching.status})`)
    const mismatch = await https(hostPort, service.secured.path, { cert: other, headers: bearer })
    t.equal(mismatch.status, 401, 'a token of another organisation than the certificate')
    t.match(JSON.parse(mismatch.body), { code: 'CERTIFICATE_MISMATCH', detail: String })
    t.match(String(mismatch.headers['www-authenticate']), /error="invalid_token"/)
  })
}
