// The service shell every service is built on: problem+json, API-Version, trace context,
// OpenAPI, health, security headers, body and media-type limits.
import t from 'tap'
import { createService, PROBLEM_TYPE } from '@wams/platform'

async function shell (ready = true) {
  const app = await createService({
    name: 'shell-test',
    title: 'Shell',
    description: 'test',
    apiVersion: '1.2.3',
    logLevel: 'silent',
    bodyLimit: 2048,
    readiness: { postgres: async () => ready, kafka: async () => true }
  })
  app.post('/v1/things', {
    schema: {
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'count', 'bsn'],
        properties: { name: { type: 'string', minLength: 3 }, count: { type: 'integer' }, bsn: { type: 'string', format: 'bsn' } }
      }
    }
  }, async (request) => ({ ok: true, body: request.body }))
  app.get('/v1/boom', async () => { throw new Error('secret internal detail: password=hunter2') })
  await app.ready()
  return app
}

t.test('unknown route is a 404 problem that does not echo the path', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'GET', url: '/v1/nothing-here?x=1' })
  t.equal(res.statusCode, 404)
  t.match(res.headers['content-type'], PROBLEM_TYPE)
  t.match(res.json(), { status: 404, title: 'Not Found', code: 'WAMS_NOT_FOUND', detail: /GET/ })
  t.notOk(res.body.includes('nothing-here'))
  t.equal(res.headers['api-version'], '1.2.3')
})

t.test('invalid body gives one 400 with every error at once', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'POST', url: '/v1/things', payload: { name: 'x', count: 'many', extra: true, bsn: '123456789' } })
  t.equal(res.statusCode, 400)
  t.match(res.headers['content-type'], PROBLEM_TYPE)
  const body = res.json()
  const pointers = body.errors.map((e: { pointer: string }) => e.pointer).sort()
  t.same(pointers, ['/bsn', '/count', '/extra', '/name'])
  t.notOk(JSON.stringify(body).includes('123456789'), 'the rejected BSN is not echoed')
})

t.test('a valid body passes, and a BSN passing the eleven-test is accepted', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'POST', url: '/v1/things', payload: { name: 'abc', count: 2, bsn: '999990019' } })
  t.equal(res.statusCode, 200)
})

t.test('malformed JSON and other media types are 4xx problems', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  const bad = await app.inject({ method: 'POST', url: '/v1/things', headers: { 'content-type': 'application/json' }, payload: '{"name":' })
  t.equal(bad.statusCode, 400)
  t.match(bad.headers['content-type'], PROBLEM_TYPE)
  const xml = await app.inject({ method: 'POST', url: '/v1/things', headers: { 'content-type': 'application/xml' }, payload: '<a/>' })
  t.equal(xml.statusCode, 415)
  t.match(xml.headers['content-type'], PROBLEM_TYPE)
  const big = await app.inject({ method: 'POST', url: '/v1/things', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(4000) }) })
  t.equal(big.statusCode, 413)
  t.match(big.headers['content-type'], PROBLEM_TYPE)
})

t.test('a 500 shows no internals', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'GET', url: '/v1/boom' })
  t.equal(res.statusCode, 500)
  t.match(res.headers['content-type'], PROBLEM_TYPE)
  t.notOk(res.body.includes('hunter2'))
  t.notOk(res.body.includes('at '), 'no stack trace')
  t.ok(res.json().requestId)
})

t.test('traceparent is read and continued; a new trace is started without one', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
  const res = await app.inject({ method: 'GET', url: '/health/live', headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })
  t.match(res.headers.traceparent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`))
  t.not(String(res.headers.traceparent).split('-')[2], '00f067aa0ba902b7', 'a new span id')
  const fresh = await app.inject({ method: 'GET', url: '/health/live', headers: { traceparent: 'garbage' } })
  t.match(fresh.headers.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
  t.not(String(fresh.headers.traceparent).split('-')[1], traceId)
})

t.test('security headers of the NLGov API design rules', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.equal(res.headers['x-frame-options'], 'DENY')
  t.equal(res.headers['cache-control'], 'no-store')
  t.match(res.headers['strict-transport-security'], /max-age=/)
  t.match(res.headers['content-security-policy'], /frame-ancestors 'none'/)
})

t.test('OpenAPI 3 document and docs UI', async (t) => {
  const app = await shell()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'GET', url: '/v1/openapi.json' })
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.match(doc.openapi, /^3\./)
  t.equal(doc.info.version, '1.2.3')
  t.same(doc.servers.map((s: { url: string }) => s.url), ['/v1'], 'the server URL holds the major version')
  t.ok(doc.paths['/things'], 'routes are documented, relative to the server URL')
  t.ok(doc.info.contact.name && doc.info.contact.url && doc.info.contact.email, 'info.contact')
  t.notOk(doc.paths['/health/live'], 'health is not part of the API')
  const ui = await app.inject({ method: 'GET', url: '/v1/docs/' })
  t.equal(ui.statusCode, 200)
  t.match(ui.headers['content-type'], /text\/html/)
})

t.test('health: live always, ready only when every dependency answers', async (t) => {
  const up = await shell(true)
  const down = await shell(false)
  t.teardown(async () => { await up.close(); await down.close() })
  t.equal((await up.inject({ method: 'GET', url: '/health/live' })).statusCode, 200)
  const ready = await up.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json().checks, { postgres: 'up', kafka: 'up' })
  const notReady = await down.inject({ method: 'GET', url: '/health/ready' })
  t.equal(notReady.statusCode, 503)
  t.match(notReady.headers['content-type'], PROBLEM_TYPE)
  t.same(notReady.json().checks, { postgres: 'down', kafka: 'up' })
})
