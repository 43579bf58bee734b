// The parts of the partner client that bound a stall: the bulkhead (permits, a bounded FIFO queue,
// waiting only until the deadline) and the breaker's rule over settled calls on their own; then the
// client against a local server that accepts every call and never answers, where all calls arrive
// at the bulkhead at the same moment (the gateway test's calls arrive after their ledger reads).
import t from 'tap'
import { createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { Bulkhead, SettledWindow, createPartnerClient, type PartnerAnswer } from '../../services/gateway/src/partner-client.ts'

t.test('bulkhead: permits up to the limit, then a bounded queue, then full', async (t) => {
  const bulkhead = new Bulkhead(2, 1)
  const deadline = new AbortController().signal
  t.equal(bulkhead.acquire(deadline), 'granted')
  t.equal(bulkhead.acquire(deadline), 'granted')
  const queued = bulkhead.acquire(deadline)
  t.type(queued, Promise, 'the third waits')
  t.equal(bulkhead.acquire(deadline), 'full', 'the fourth is turned away at once')
  t.same(bulkhead.load, { inFlight: 2, queued: 1 })
  bulkhead.release()
  t.equal(await queued, 'granted', 'a released permit goes to the waiter')
  t.same(bulkhead.load, { inFlight: 2, queued: 0 }, 'handed over, not given back')
  bulkhead.release()
  bulkhead.release()
  t.same(bulkhead.load, { inFlight: 0, queued: 0 })
})

t.test('bulkhead: first come, first served; a waiter leaves the queue at its deadline', async (t) => {
  const bulkhead = new Bulkhead(1, 3)
  const open = new AbortController().signal
  t.equal(bulkhead.acquire(open), 'granted')
  const early = new AbortController()
  const order: string[] = []
  const a = (bulkhead.acquire(early.signal) as Promise<string>).then((p) => { order.push(`a ${p}`) })
  const b = (bulkhead.acquire(open) as Promise<string>).then((p) => { order.push(`b ${p}`) })
  const c = (bulkhead.acquire(open) as Promise<string>).then((p) => { order.push(`c ${p}`) })
  early.abort()
  await a
  t.same(order, ['a deadline'], 'the waiter whose deadline passed gives up at once')
  t.same(bulkhead.load, { inFlight: 1, queued: 2 }, 'and is no longer queued')
  bulkhead.release()
  await b
  bulkhead.release()
  await c
  t.same(order, ['a deadline', 'b granted', 'c granted'], 'the others in arrival order')
  const aborted = new AbortController()
  aborted.abort()
  t.equal(new Bulkhead(5, 5).acquire(aborted.signal), 'deadline', 'no permit after the deadline')
  t.equal(new Bulkhead(1, 0).acquire(open), 'granted')
})

t.test('breaker rule: of the last `volume` settled calls, at least `errorPercent` % failed', async (t) => {
  const window = new SettledWindow({ errorPercent: 50, volume: 4, windowMs: 10_000 })
  t.notOk(window.record(true, 0), 'fewer settled calls than the volume: never')
  t.notOk(window.record(true, 1))
  t.notOk(window.record(true, 2))
  t.ok(window.record(false, 3), '3 of 4 failed')

  const busy = new SettledWindow({ errorPercent: 50, volume: 10, windowMs: 10_000 })
  // A busy partner answered well many times; then it stalls: its earlier successes count only
  // as far as the last `volume` calls.
  t.notOk(Array.from({ length: 1000 }, (_, i) => busy.record(false, i)).some(Boolean), '1000 answers: closed')
  const opensAfter = [1, 2, 3, 4, 5, 6].findIndex((n) => busy.record(true, 1000 + n)) + 1
  t.equal(opensAfter, 5, 'opens on the 5th timeout: 5 of the last 10')

  const slow = new SettledWindow({ errorPercent: 50, volume: 4, windowMs: 1000 })
  slow.record(true, 0)
  slow.record(true, 100)
  slow.record(true, 200)
  t.notOk(slow.record(true, 5000), 'failures older than the window do not count')
  slow.clear()
  t.notOk(slow.record(true, 5001), 'cleared when the breaker closes')
})

/** An HTTP server that reads every request and never answers (closed with its sockets). */
async function stalledServer (t: { teardown: (fn: () => unknown) => void }): Promise<string> {
  const sockets = new Set<Socket>()
  const server: Server = createServer(() => {})
  server.on('connection', (socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()) }))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/partner`
}

t.test('client: a stalled partner, 3× its bulkhead at once — in flight 504 at the deadline, the excess 503 at once, the breaker open', async (t) => {
  const TIMEOUT_MS = 300
  const baseUrl = await stalledServer(t)
  const client = createPartnerClient({
    timeoutMs: TIMEOUT_MS,
    connectTimeoutMs: 1000,
    connections: 2,
    maxQueued: 1,
    responseLimit: 1 << 20,
    breaker: { errorPercent: 50, volume: 2, windowMs: 10_000, resetMs: 60_000 },
    token: () => 'token'
  })
  t.teardown(() => client.close())
  const oin = '00000099000000000801'
  const call = async (i: number) => {
    const started = performance.now()
    const answer: PartnerAnswer = await client.call({
      provider: { oin, baseUrl }, requestId: `r${i}`, trace: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), parentId: null, flags: '01' }, body: { requestId: `r${i}` }
    })
    return { answer, ms: performance.now() - started }
  }
  const calls = Array.from({ length: 6 }, (_, i) => call(i))
  t.same(client.load(oin), { inFlight: 2, queued: 1 }, '2 in flight, 1 waiting')
  const settled = await Promise.all(calls)
  const errors = settled.map((s) => s.answer.kind === 'error' ? s.answer.error : s.answer.kind)
  t.comment(settled.map((s, i) => `${errors[i]} ${s.ms.toFixed(0)} ms`).join('; '))

  t.same(errors.slice(0, 2), ['PARTNER_TIMEOUT', 'PARTNER_TIMEOUT'], 'the calls in flight: 504 at the deadline')
  for (const s of settled.slice(0, 2)) t.ok(s.ms >= TIMEOUT_MS - 5 && s.ms < TIMEOUT_MS + 500, `after ${s.ms.toFixed(0)} ms`)
  // The waiter's deadline is the same moment as theirs: no permit in time, or the breaker open by then.
  t.ok(['PARTNER_BUSY', 'PARTNER_CIRCUIT_OPEN', 'PARTNER_TIMEOUT'].includes(errors[2]!), `the waiter: ${errors[2]}`)
  t.ok(settled[2]!.ms < TIMEOUT_MS + 500, 'within its deadline')
  t.same(errors.slice(3), ['PARTNER_BUSY', 'PARTNER_BUSY', 'PARTNER_BUSY'], 'the rest: 503 without waiting')
  for (const s of settled.slice(3)) {
    t.ok(s.ms < TIMEOUT_MS / 2, `after ${s.ms.toFixed(1)} ms`)
    t.match(s.answer, { status: 503, retryAfterS: 1, partnerStatus: null })
  }
  t.equal(client.breakerState(oin), 'open', 'two timeouts of two settled calls opened the breaker')
  t.same(client.load(oin), { inFlight: 0, queued: 0 })
  const open = await call(9)
  t.match(open.answer, { status: 502, error: 'PARTNER_CIRCUIT_OPEN' })
  t.ok(open.ms < TIMEOUT_MS / 2, 'at once')
})
