// The two small parts of the partner client that bound a stall, on their own (no network): the
// bulkhead (permits, a bounded FIFO queue, waiting only until the deadline) and the breaker's rule
// over settled calls.
import t from 'tap'
import { Bulkhead, SettledWindow } from '../../services/gateway/src/partner-client.ts'

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
