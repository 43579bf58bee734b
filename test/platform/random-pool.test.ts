// Identifiers drawn from the pooled CSPRNG bytes: event ids stay RFC 9562 version 7 UUIDs whose
// time prefix is the clock's and which sort in the order they were made; trace ids stay hex of
// the asked length, and no two are the same across many refills of the pool.
import t from 'tap'
import { randomHex, uuidv7, parseTraceparent } from '@wams/platform'

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('uuidv7: version 7, RFC variant, the clock in its first 48 bits', async (t) => {
  const before = Date.now()
  const id = uuidv7()
  const after = Date.now()
  t.match(id, V7)
  const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16)
  t.ok(ms >= before && ms <= after + 1, `time prefix ${ms} within [${before}, ${after}]`)
})

t.test('uuidv7: 20,000 ids in a row are distinct and strictly increasing (many in one millisecond)', async (t) => {
  const ids = Array.from({ length: 20_000 }, () => uuidv7())
  t.equal(new Set(ids).size, ids.length)
  let ordered = true
  for (let i = 1; i < ids.length; i++) if (!(ids[i - 1]! < ids[i]!)) { ordered = false; break }
  t.ok(ordered, 'each id sorts after the one before')
  t.ok(ids.every((id) => V7.test(id)))
})

t.test('randomHex: the asked length, distinct across pool refills', async (t) => {
  const seen = new Set<string>()
  for (let i = 0; i < 5000; i++) { // 5,000 × 16 bytes: the 4 KiB pool is refilled about 20 times
    const hex = randomHex(16)
    if (hex.length !== 32) t.fail(`hex of 16 bytes has length ${hex.length}`)
    seen.add(hex)
  }
  t.equal(seen.size, 5000)
  t.match(randomHex(8), /^[0-9a-f]{16}$/)
})

t.test('a new trace gets fresh ids from the pool; a valid parent keeps its trace id', async (t) => {
  const a = parseTraceparent(undefined)
  const b = parseTraceparent(undefined)
  t.match(a.traceId, /^[0-9a-f]{32}$/)
  t.match(a.spanId, /^[0-9a-f]{16}$/)
  t.not(a.traceId, b.traceId)
  const child = parseTraceparent(`00-${a.traceId}-${a.spanId}-01`)
  t.equal(child.traceId, a.traceId)
  t.equal(child.parentId, a.spanId)
  t.not(child.spanId, a.spanId)
})
