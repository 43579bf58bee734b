// The fast RFC 8785 path (packages/transparency-log canonical-json.ts) gives exactly what the
// `canonicalize` package gives — the text every leaf hash is over — for any value: plain JSON
// data on the fast path, everything else handed to canonicalize (same text, same error).
import t from 'tap'
import fc from 'fast-check'
import canonicalize from 'canonicalize'
import { canonicalJson } from '../../packages/transparency-log/src/merkle/canonical-json.ts'

const outcome = (f: () => unknown): unknown => {
  try { return { text: f() } } catch (err) { return { error: (err as Error).message } }
}

// Strings with what is hard in JCS: escapes, non-ASCII, astral characters, unpaired surrogates.
const hardString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.array(fc.constantFrom('"', '\\', '/', '\b', '\f', '\n', '\r', '\t', '\u0000', '\u001f', '\u007f', '\u2028', 'é', '€', '😀',
    '\ud83d', '\ude00', '\ufeff', 'a', 'Z', '1'), { maxLength: 8 }).map((cs) => cs.join(''))
)
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 333333333.3333333, NaN, Infinity, -Infinity))
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(hardString, number, fc.boolean(), fc.constant(null), fc.constant(undefined)),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'),
    fc.array(tie('node'), { maxLength: 5 }),
    fc.dictionary(hardString, tie('node'), { maxKeys: 6 }),
    fc.dictionary(hardString, tie('node'), { maxKeys: 3, noNullPrototype: false }))
})).node

t.test('the same text or the same error as canonicalize, for any value', async (t) => {
  fc.assert(fc.property(value, (v) => {
    t.same(outcome(() => canonicalJson(v)), outcome(() => canonicalize(v)))
  }), { numRuns: 5000 })
  t.end()
})

t.test('JSON text parsed and canonicalised: the fast path', async (t) => {
  fc.assert(fc.property(fc.json(), (text) => {
    const v: unknown = JSON.parse(text)
    t.equal(canonicalJson(v), canonicalize(v))
  }), { numRuns: 3000 })
  t.end()
})

t.test('what is not plain data takes the package\'s way', async (t) => {
  const date = new Date(0)
  t.equal(canonicalJson({ b: date, a: [1, undefined] }), canonicalize({ b: date, a: [1, undefined] }))
  class Thing { x = 1 }
  t.equal(canonicalJson({ t: new Thing() }), canonicalize({ t: new Thing() }))
  const cyclic: Record<string, unknown> = { a: 1 }
  cyclic.self = cyclic
  t.throws(() => canonicalJson(cyclic), /Circular/)
  t.throws(() => canonicalJson({ n: NaN }), /NaN/)
  t.throws(() => canonicalJson(['\ud800']), /surrogate/i)
  let deep: unknown = 'x'
  for (let i = 0; i < 200; i++) deep = [deep]
  t.equal(canonicalJson(deep), canonicalize(deep))
  // RFC 8785 §3.2.3 sorting by UTF-16 code units, and §3.2.2.3 numbers.
  t.equal(canonicalJson({ '\u20ac': 1, '\r': 2, דּ: 3, 1: 4, '\u0080': 5, ö: 6, '😀': 7 }),
    '{"\\r":2,"1":4,"\u0080":5,"\u00f6":6,"\u20ac":1,"\ud83d\ude00":7,"\ufb33":3}')
  t.equal(canonicalJson([Number('333333333.33333329'), 1E30, 4.50, 2e-3, 0.000000000000000000000000001, -0]), '[333333333.3333333,1e+30,4.5,0.002,1e-27,0]')
  t.end()
})
