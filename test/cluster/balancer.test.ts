// The balancer in front of replicas (scripts/lib/balancer.ts), as `npm run start:cluster` and the
// cluster test use it: requests spread over the instances, a dead instance costs no answer, a
// request that reached an instance is never sent to another, and with none left the caller gets
// a 502 problem+json.
import t from 'tap'
import { createServer, type Server } from 'node:http'
import { startBalancer } from '../../scripts/lib/balancer.ts'
import { freePort } from '../reliability/stack.ts'

/** An instance that answers with its name and the body it got; `hangUp` closes the connection instead. */
async function instance (name: string, seen: string[], hangUp = false): Promise<{ url: string, server: Server }> {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => {
      seen.push(`${name} ${req.method} ${req.url} ${body}`)
      if (hangUp) { req.socket.destroy(); return }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ name, body }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server }
}

const close = (server: Server) => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() })

t.test('spreads requests over the instances and passes method, path and body', async (t) => {
  const seen: string[] = []
  const a = await instance('a', seen)
  const b = await instance('b', seen)
  const balancer = await startBalancer([a.url, b.url])
  t.teardown(async () => { await balancer.close(); await close(a.server); await close(b.server) })
  const names: string[] = []
  for (let i = 0; i < 4; i++) {
    const res = await fetch(`${balancer.url}/v1/x?i=${i}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"i":${i}}` })
    t.equal(res.status, 200)
    names.push(((await res.json()) as { name: string }).name)
  }
  t.same(names.sort(), ['a', 'a', 'b', 'b'], 'round robin')
  t.ok(seen.includes('a POST /v1/x?i=0 {"i":0}') || seen.includes('b POST /v1/x?i=0 {"i":0}'), 'the request as sent')
})

t.test('a dead instance costs no answer; none left is a 502 problem+json', async (t) => {
  const seen: string[] = []
  const a = await instance('a', seen)
  const dead = `http://127.0.0.1:${await freePort()}`
  const balancer = await startBalancer([dead, a.url])
  t.teardown(async () => { await balancer.close() })
  for (let i = 0; i < 4; i++) {
    const res = await fetch(`${balancer.url}/r`, { method: 'POST', body: 'x' })
    t.equal(res.status, 200, `request ${i} answered by the live instance`)
    await res.arrayBuffer()
  }
  t.equal(seen.length, 4, 'each request reached the live instance once')
  await close(a.server)
  const res = await fetch(`${balancer.url}/r`)
  t.equal(res.status, 502)
  t.equal(res.headers.get('content-type'), 'application/problem+json')
  t.match(await res.json(), { status: 502, code: 'UPSTREAM_UNAVAILABLE' })
})

t.test('a request that reached an instance is not sent to another when that one fails', async (t) => {
  const seen: string[] = []
  const a = await instance('a', seen, true)
  const b = await instance('b', seen)
  const balancer = await startBalancer([a.url, b.url])
  t.teardown(async () => { await balancer.close(); await close(a.server); await close(b.server) })
  const res = await fetch(`${balancer.url}/decide`, { method: 'POST', body: 'once' })
  t.equal(res.status, 502, 'the failure is the caller\'s')
  t.same(seen, ['a POST /decide once'], 'never decided a second time by b')
})
