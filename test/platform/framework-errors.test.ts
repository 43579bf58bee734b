// Errors the framework and Node's HTTP parser raise before (or instead of) a route are answered
// like every other error: problem+json with API-Version, nothing echoed from the URL, and the log
// line masks what someone typed into it. Request bodies are taken as sent: no silent coercion.
import t, { type Test } from 'tap'
import net from 'node:net'
import { Writable } from 'node:stream'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import { createService, loggerOptions, PROBLEM_TYPE } from '@wams/platform'

const BSN = '999990019'

async function shell (lines: string[] = []) {
  const sink = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const logger = pino(loggerOptions('framework-test', 'info'), sink)
  const app = await createService({
    name: 'framework-test', title: 't', description: 't', apiVersion: '4.5.6', logLevel: 'info', bodyLimit: 64 * 1024, readiness: {}, loggerInstance: logger
  })
  let release: () => void = () => {}
  const slow = new Promise<void>((resolve) => { release = resolve })
  app.get('/v1/things/:thingId', { schema: { params: { type: 'object', properties: { thingId: { type: 'string' } } } } }, async (request) => ({ id: (request.params as { thingId: string }).thingId }))
  app.get('/v1/slow', async () => { await slow; return { slow: true } })
  app.get('/v1/list', {
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer' }, all: { type: 'boolean' }, to: { type: 'string', format: 'date-time' } } } }
  }, async (request) => ({ query: request.query }))
  app.post('/v1/things', {
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        properties: { name: { type: 'string', maxLength: 50 }, count: { type: 'integer' }, urgent: { type: 'boolean' }, tags: { type: 'array', items: { type: 'string', maxLength: 20 } } }
      }
    }
  }, async (request) => ({ body: request.body }))
  return { app, lines, release }
}

function expectProblem (t: Test, res: { statusCode: number, headers: Record<string, unknown>, body: string }, status: number, code: string) {
  t.equal(res.statusCode, status, `status ${status}`)
  t.match(String(res.headers['content-type']), PROBLEM_TYPE, 'problem+json')
  t.equal(res.headers['api-version'], '4.5.6', 'API-Version')
  const body = JSON.parse(res.body) as Record<string, unknown>
  t.match(body, { status, code, title: String })
  t.notOk(res.body.includes(BSN), 'nothing of the URL is echoed')
}

/** One raw HTTP exchange on a fresh connection: status, headers and body as the client sees them. */
async function raw (port: number, request: string): Promise<{ statusCode: number, headers: Record<string, string>, body: string }> {
  const text = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request))
    let out = ''
    socket.on('data', (d) => { out += d.toString('utf8') })
    socket.on('end', () => resolve(out))
    socket.on('close', () => resolve(out))
    socket.on('error', (err) => (out ? resolve(out) : reject(err)))
  })
  return parseResponse(text)
}

function parseResponse (text: string) {
  const [head = '', ...rest] = text.split('\r\n\r\n')
  const [statusLine = '', ...headerLines] = head.split('\r\n')
  const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
  return { statusCode: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') }
}

t.test('an unknown route: 404 problem without the path, and the log line masks a BSN in the URL', async (t) => {
  const { app, lines } = await shell()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'GET', url: `/v1/persons/${BSN}/dossier?bsn=${BSN}` })
  expectProblem(t, res, 404, 'WAMS_NOT_FOUND')
  t.notOk(res.body.includes('/v1/persons'), 'the path is not echoed')
  const logged = lines.join('')
  t.ok(logged.includes('/v1/persons/[bsn]/dossier'), 'the request is logged with the nine digits masked')
  t.notOk(logged.includes(BSN), 'no log line carries the BSN')
})

t.test('a malformed URL and a too long path segment are problems', async (t) => {
  const { app } = await shell()
  t.teardown(() => app.close())
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/%E0%A4%A' }), 400, 'WAMS_BAD_URL')
  expectProblem(t, await app.inject({ method: 'GET', url: `/v1/things/${BSN}${'x'.repeat(200)}` }), 414, 'WAMS_URI_TOO_LONG')
  expectProblem(t, await app.inject({ method: 'GET', url: `/v1/list?x=${BSN}${'y'.repeat(9000)}` }), 414, 'WAMS_URI_TOO_LONG')
})

t.test('errors of the HTTP parser (URL or headers beyond its limit, garbage) are problem+json on the wire', async (t) => {
  const { app } = await shell()
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  expectProblem(t, await raw(port, `GET /v1/things/${BSN}${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`), 414, 'WAMS_URI_TOO_LONG')
  expectProblem(t, await raw(port, `GET /v1/list HTTP/1.1\r\nHost: x\r\nX-Big: ${BSN}${'b'.repeat(20_000)}\r\n\r\n`), 431, 'WAMS_HEADERS_TOO_LARGE')
  expectProblem(t, await raw(port, 'GET /v1/li st\u0001 HTTP/1.1\r\nHost: x\r\n\r\n'), 400, 'WAMS_BAD_REQUEST')
  expectProblem(t, await raw(port, 'GET /v1/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 400, 'WAMS_BAD_URL')
})

t.test('while shutting down, a request still arriving gets a 503 problem', async (t) => {
  const { app, release } = await shell()
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  // Two pipelined requests on one connection: the first is in flight when the close starts, the
  // second is read only after it, while the service is closing.
  const socket = net.connect(port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  let out = ''
  socket.on('data', (d) => { out += d.toString('utf8') })
  const ended = new Promise((resolve) => socket.on('close', resolve))
  socket.write('GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n')
  await new Promise((resolve) => setTimeout(resolve, 100))
  const closed = app.close()
  await new Promise((resolve) => setTimeout(resolve, 100))
  socket.write('GET /v1/list HTTP/1.1\r\nHost: x\r\n\r\n')
  await new Promise((resolve) => setTimeout(resolve, 50))
  release()
  await closed
  await ended
  const responses = out.split(/(?=HTTP\/1\.1 )/)
  t.equal(responses.length, 2, 'both requests are answered')
  t.match(responses[0], /^HTTP\/1\.1 200/, 'the request in flight completes')
  const second = responses[1] ?? ''
  const [head = '', ...rest] = second.split('\r\n\r\n')
  const parsed = parseResponse(`${head}\r\n\r\n${rest.join('\r\n\r\n').replace(/\r\n0\r\n\r\n$/, '')}`)
  t.equal(parsed.statusCode, 503)
  t.match(parsed.headers['content-type'], PROBLEM_TYPE)
  t.equal(parsed.headers['api-version'], '4.5.6')
  t.equal(parsed.headers.connection, 'close')
  t.ok(Number(parsed.headers['retry-after']) > 0, 'Retry-After')
  t.match(JSON.parse(parsed.body), { status: 503, code: 'WAMS_SHUTTING_DOWN' })
})

t.test('request bodies are not coerced; path and query parameters are', async (t) => {
  const { app } = await shell()
  t.teardown(() => app.close())
  const post = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/v1/things', payload })
  for (const [name, payload, pointer] of [
    ['a number for a string', { name: 12345 }, '/name'],
    ['a boolean for a string', { name: true }, '/name'],
    ['a string for an integer', { count: '5' }, '/count'],
    ['a string for a boolean', { urgent: 'true' }, '/urgent'],
    ['a number for a boolean', { urgent: 1 }, '/urgent'],
    ['null for a string', { name: null }, '/name'],
    ['a single string for an array', { tags: 'one' }, '/tags']
  ] as const) {
    const res = await post(payload)
    t.equal(res.statusCode, 400, `${name}: 400`)
    t.match(res.json(), { code: 'WAMS_VALIDATION', errors: [{ in: 'body', pointer }] }, name)
  }
  const ok = await post({ name: 'x', count: 5, urgent: true, tags: ['a'] })
  t.equal(ok.statusCode, 200)
  t.same(ok.json().body, { name: 'x', count: 5, urgent: true, tags: ['a'] })

  const query = await app.inject({ method: 'GET', url: '/v1/list?limit=5&all=true' })
  t.equal(query.statusCode, 200)
  t.same(query.json().query, { limit: 5, all: true }, 'declared query integers and booleans are read from their text')
  expectProblem(t, await app.inject({ method: 'GET', url: '/v1/list?limit=five' }), 400, 'WAMS_VALIDATION')
})

t.test('a date-time the database cannot hold is a 400, not a database error', async (t) => {
  const { app } = await shell()
  t.teardown(() => app.close())
  for (const to of ['0000-01-01T00:00:00Z', '2025-12-31T23:59:60Z', '2025-01-01T00:00:00%2B20:00']) {
    const res = await app.inject({ method: 'GET', url: `/v1/list?to=${to}` })
    t.equal(res.statusCode, 400, `${to}: 400`)
    t.match(res.json(), { code: 'WAMS_VALIDATION', errors: [{ in: 'querystring', pointer: '/to' }] })
  }
  t.equal((await app.inject({ method: 'GET', url: '/v1/list?to=2025-01-01T00:00:00Z' })).statusCode, 200)
})
