// The behaviour behind the OpenAPI documents (NLGov API Design Rules, issue 9): a known path with
// another method is a 405 with Allow, OPTIONS answers with Allow, the OpenAPI document is readable
// from any origin (CORS, preflight included), a 401 carries its bearer challenge, an Accept the route
// cannot satisfy is a 406, every problem has a detail and errors[] has one item shape, and the
// framework's own errors are problem+json with API-Version and the security headers. Shown on the
// shared service shell, and the methods, OPTIONS, CORS and 406 also on the three services as they
// are built for their documents (offline: nothing connects, so nothing but HTTP is exercised).
import t, { type Test } from 'tap'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { generateKeyPairSync } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { authenticationPlugin, createService, signToken, PROBLEM_TYPE } from '@wams/platform'
import { buildApp as buildGateway, readConfig as gatewayConfig } from '@wams/gateway'
import { buildApp as buildLedger, readConfig as ledgerConfig } from '@wams/consent-ledger'
import { buildApp as buildAudit, readConfig as auditConfig } from '@wams/audit'

const VERSION = '2.3.4'
const ORG = '00000099000000000101'
const keys = generateKeyPairSync('ed25519')
const ISSUER = { iss: 'https://idp.example', priv: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pub: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString() }

/** The headers every answer carries, whoever gave it (a route, a hook, the framework, the HTTP parser). */
const SECURITY_HEADERS = ['x-content-type-options', 'x-frame-options', 'cache-control', 'referrer-policy', 'strict-transport-security', 'content-security-policy']

type Res = { statusCode: number, headers: Record<string, unknown>, body: string }

function expectProblem (t: Test, res: Res, status: number, code: string) {
  t.equal(res.statusCode, status, `status ${status}`)
  t.match(String(res.headers['content-type']), PROBLEM_TYPE, 'application/problem+json')
  t.equal(res.headers['api-version'], VERSION, 'API-Version')
  for (const name of SECURITY_HEADERS) t.ok(res.headers[name], `${name}`)
  const body = JSON.parse(res.body) as Record<string, unknown>
  t.match(body, { type: String, title: String, status, code, detail: String }, 'type, title, status, code and detail')
  return body
}

async function shell (): Promise<FastifyInstance> {
  const app = await createService({ name: 'adr-test', title: 'ADR', description: 'test', apiVersion: VERSION, logLevel: 'silent', bodyLimit: 1024, readiness: {} })
  await app.register(authenticationPlugin, { issuers: [{ iss: ISSUER.iss, publicKeyPem: ISSUER.pub }], audience: 'wams' })
  const thing = { type: 'object', properties: { id: { type: 'string' } } }
  app.get('/v1/things/:thingId', { schema: { params: { type: 'object', properties: { thingId: { type: 'string', maxLength: 20 } } }, response: { 200: thing } } },
    async (request) => ({ id: (request.params as { thingId: string }).thingId }))
  app.post('/v1/things', {
    schema: { body: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string', maxLength: 10 }, count: { type: 'integer' } } }, response: { 201: thing } }
  }, async (_request, reply) => reply.code(201).send({ id: 'new' }))
  app.get('/v1/events', { schema: { response: { 200: { content: { 'text/event-stream': { schema: { type: 'string' } } } } } } },
    async (_request, reply) => reply.type('text/event-stream').send(': hello\n\n'))
  app.get('/v1/me', { onRequest: app.authenticate, schema: { response: { 200: { type: 'object', properties: { org: { type: 'string' } } } } } },
    async (request) => ({ org: request.principal.org }))
  await app.ready()
  return app
}

t.test('a known path with another method: 405 problem with Allow; an unknown path stays 404', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  const del = await app.inject({ method: 'DELETE', url: '/v1/things/abc?x=1' })
  expectProblem(t, del, 405, 'WAMS_METHOD_NOT_ALLOWED')
  t.equal(del.headers.allow, 'GET, HEAD, OPTIONS')
  const put = await app.inject({ method: 'PUT', url: '/v1/things', payload: {} })
  expectProblem(t, put, 405, 'WAMS_METHOD_NOT_ALLOWED')
  t.equal(put.headers.allow, 'POST, OPTIONS')
  const unknown = await app.inject({ method: 'DELETE', url: '/v1/nothing/here' })
  expectProblem(t, unknown, 404, 'WAMS_NOT_FOUND')
  t.notOk(unknown.headers.allow, 'no Allow for a path that does not exist')
})

t.test('OPTIONS on a known path: 204 with Allow; on an unknown one: 404', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'OPTIONS', url: '/v1/things/abc' })
  t.equal(res.statusCode, 204)
  t.equal(res.headers.allow, 'GET, HEAD, OPTIONS')
  t.equal(res.headers['api-version'], VERSION)
  t.equal(res.body, '')
  t.equal((await app.inject({ method: 'OPTIONS', url: '/v1/things' })).headers.allow, 'POST, OPTIONS')
  expectProblem(t, await app.inject({ method: 'OPTIONS', url: '/v1/nothing' }), 404, 'WAMS_NOT_FOUND')
})

t.test('the OpenAPI document is readable from any origin, preflight included', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  const origin = 'https://developer.overheid.example'
  const get = await app.inject({ method: 'GET', url: '/v1/openapi.json', headers: { origin } })
  t.equal(get.statusCode, 200)
  t.equal(get.headers['access-control-allow-origin'], '*')
  t.equal(get.headers['access-control-expose-headers'], 'API-Version')
  t.equal(get.headers['cross-origin-resource-policy'], 'cross-origin')
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/openapi.json',
    headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'accept, traceparent' }
  })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], '*')
  t.match(preflight.headers['access-control-allow-methods'], /\bGET\b/)
  t.equal(preflight.headers['access-control-allow-headers'], 'accept, traceparent')
  t.ok(Number(preflight.headers['access-control-max-age']) > 0)
  t.equal(preflight.headers.allow, 'GET, HEAD, OPTIONS')
  const api = await app.inject({ method: 'GET', url: '/v1/things/abc', headers: { origin } })
  t.notOk(api.headers['access-control-allow-origin'], 'the API itself is not opened to other origins')
})

t.test('a 401 carries the bearer challenge, with error="invalid_token" when a token was sent', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  const none = await app.inject({ method: 'GET', url: '/v1/me' })
  expectProblem(t, none, 401, 'TOKEN_MISSING')
  t.equal(none.headers['www-authenticate'], 'Bearer realm="wams"')
  const forged = await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' } })
  expectProblem(t, forged, 401, 'ISSUER_UNTRUSTED')
  t.match(forged.headers['www-authenticate'], /^Bearer realm="wams", error="invalid_token", error_description="[^"]+"$/)
  const expired = signToken(ISSUER.priv, { iss: ISSUER.iss, sub: 'a', org: ORG, roles: ['college'], aud: 'wams', ttlSeconds: -60 })
  t.match((await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${expired}` } })).headers['www-authenticate'], /error="invalid_token"/)
  const valid = signToken(ISSUER.priv, { iss: ISSUER.iss, sub: 'a', org: ORG, roles: ['college'], aud: 'wams' })
  const ok = await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${valid}` } })
  t.equal(ok.statusCode, 200)
  t.notOk(ok.headers['www-authenticate'])
})

t.test('an Accept the route cannot satisfy is a 406 problem; what it can satisfy passes', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  for (const accept of ['text/html', 'application/xml, text/*;q=0.9', 'application/json;q=0', 'image/*']) {
    const res = await app.inject({ method: 'GET', url: '/v1/things/abc', headers: { accept } })
    expectProblem(t, res, 406, 'WAMS_NOT_ACCEPTABLE')
  }
  for (const accept of [undefined, '*/*', 'application/json', 'application/*', 'text/html, application/json;q=0.5', 'application/json; charset=utf-8']) {
    const res = await app.inject({ method: 'GET', url: '/v1/things/abc', headers: accept === undefined ? {} : { accept } })
    t.equal(res.statusCode, 200, `Accept: ${accept ?? '(none)'}`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/v1/events', headers: { accept: 'text/event-stream' } })).statusCode, 200, 'a stream route: its own media type')
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/events', headers: { accept: 'application/json' } }), 406, 'WAMS_NOT_ACCEPTABLE')
  expectProblem(t, await app.inject({ method: 'POST', url: '/v1/things', headers: { accept: 'text/html' }, payload: { name: 'x' } }), 406, 'WAMS_NOT_ACCEPTABLE')
  // Before authentication: a caller learns it asked for the wrong media type without a token.
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/me', headers: { accept: 'text/html' } }), 406, 'WAMS_NOT_ACCEPTABLE')
})

t.test('every problem has a detail, and errors[] has one item shape: code, in, pointer, detail', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  const invalid = expectProblem(t, await app.inject({ method: 'POST', url: '/v1/things', payload: { name: 'far too long a name', count: 'x', extra: 1 } }), 400, 'WAMS_VALIDATION')
  const policy = expectProblem(t, await app.inject({ method: 'POST', url: '/v1/things', payload: { name: 'a\u0001b' } }), 400, 'WAMS_TEXT_POLICY')
  const query = expectProblem(t, await app.inject({ method: 'GET', url: `/v1/things/${'x'.repeat(30)}` }), 400, 'WAMS_VALIDATION')
  for (const body of [invalid, policy, query]) {
    const errors = body.errors as Array<Record<string, unknown>>
    t.ok(errors.length > 0)
    for (const e of errors) {
      t.same(Object.keys(e).sort(), ['code', 'detail', 'in', 'pointer'], 'exactly the four members')
      t.match(e, { code: /^[A-Z_]+$/, in: /^(body|querystring|params|headers)$/, pointer: /^\//, detail: String })
    }
  }
  t.same((query.errors as Array<{ in: string }>).map((e) => e.in), ['params'])
  t.same((invalid.errors as Array<{ pointer: string }>).map((e) => e.pointer).sort(), ['/count', '/extra', '/name'])
  // Fastify's own 4xx come with the platform's codes, not FST_ERR_*.
  const big = expectProblem(t, await app.inject({ method: 'POST', url: '/v1/things', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(2000) }) }), 413, 'WAMS_BODY_TOO_LARGE')
  t.notMatch(JSON.stringify(big), /FST_/)
})

/** One raw HTTP exchange on a fresh connection: status, headers and body as the client sees them. */
async function raw (port: number, request: string): Promise<Res> {
  const text = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request))
    let out = ''
    socket.on('data', (d) => { out += d.toString('utf8') })
    socket.on('close', () => resolve(out))
    socket.on('error', (err) => (out ? resolve(out) : reject(err)))
  })
  const [head = '', ...rest] = text.split('\r\n\r\n')
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
  return { statusCode: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') }
}

t.test('the framework\'s own errors: problem+json with API-Version and the security headers', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/%E0%A4%A' }), 400, 'WAMS_BAD_URL')
  expectProblem(t, await app.inject({ method: 'GET', url: `/v1/things/x?q=${'y'.repeat(9000)}` }), 414, 'WAMS_URI_TOO_LONG')
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  expectProblem(t, await raw(port, `GET /v1/things/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`), 414, 'WAMS_URI_TOO_LONG')
  expectProblem(t, await raw(port, `GET /v1/things/a HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`), 431, 'WAMS_HEADERS_TOO_LARGE')
  expectProblem(t, await raw(port, 'GET /v1/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 400, 'WAMS_BAD_URL')
  expectProblem(t, await raw(port, 'GET /v1/things/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept: text/html\r\n\r\n'), 406, 'WAMS_NOT_ACCEPTABLE')
})

// The same rules on the three services, built as for their documents: offline, nothing connects.
const services: Array<[string, () => Promise<FastifyInstance>, string, string]> = [
  ['gateway', () => buildGateway(gatewayConfig({ LOG_LEVEL: 'silent' }), { offline: true }), '/v1/cases/0196a0f5-8c1e-7d55-a8e1-3f2b4c5d6e7f/data-requests', 'POST, OPTIONS'],
  ['consent-ledger', () => buildLedger(ledgerConfig({ LOG_LEVEL: 'silent' }), { offline: true }), '/v1/cases/0196a0f5-8c1e-7d55-a8e1-3f2b4c5d6e7f', 'GET, HEAD, OPTIONS'],
  ['audit', () => buildAudit(auditConfig({ LOG_LEVEL: 'silent' }), { offline: true }), '/v1/audit/events', 'GET, HEAD, OPTIONS']
]

for (const [name, build, path, allow] of services) {
  t.test(`${name}: 405 with Allow, OPTIONS, CORS on its document, 406`, async (t) => {
    const app = await build()
    t.teardown(() => app.close())
    const wrong = await app.inject({ method: 'PATCH', url: path, payload: {} })
    t.equal(wrong.statusCode, 405)
    t.equal(wrong.headers.allow, allow)
    t.match(String(wrong.headers['content-type']), PROBLEM_TYPE)
    t.ok(wrong.headers['api-version'])
    const options = await app.inject({ method: 'OPTIONS', url: path })
    t.equal(options.statusCode, 204)
    t.equal(options.headers.allow, allow)
    const preflight = await app.inject({ method: 'OPTIONS', url: '/v1/openapi.json', headers: { origin: 'https://example.org', 'access-control-request-method': 'GET' } })
    t.equal(preflight.statusCode, 204)
    t.equal(preflight.headers['access-control-allow-origin'], '*')
    const doc = await app.inject({ method: 'GET', url: '/v1/openapi.json', headers: { origin: 'https://example.org' } })
    t.equal(doc.headers['access-control-allow-origin'], '*')
    t.same(doc.json().servers.map((s: { url: string }) => s.url), ['/v1'])
    const html = await app.inject({ method: allow.startsWith('GET') ? 'GET' : 'POST', url: path, headers: { accept: 'text/html' }, payload: allow.startsWith('GET') ? undefined : {} })
    t.equal(html.statusCode, 406)
    t.match(html.json(), { code: 'WAMS_NOT_ACCEPTABLE', detail: /application\/json/ })
  })
}
