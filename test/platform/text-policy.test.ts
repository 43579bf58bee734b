// One text policy for every string at the edge: no control characters but tab and newline, no
// unpaired surrogates, no noncharacters, bounded length. Every service's shell applies it to the
// body, the path parameters and the query string before anything is validated, decided or stored,
// and answers a violation with a 400 problem naming the field, never echoing it.
import t from 'tap'
import {
  checkTextPolicy, createService, isPolicyText, isStorableDateTime, sanitizeText, textViolation, PROBLEM_TYPE, TEXT_MAX_LENGTH
} from '@wams/platform'

t.test('the rule, string by string', async (t) => {
  for (const ok of ['', 'gewoon tekst', 'tab\tand\nnewline', 'één café — “quotes”', '😀 emoji (a surrogate pair)', '\u{10FFFD}', 'x'.repeat(TEXT_MAX_LENGTH)]) {
    t.equal(textViolation(ok), null, `accepted: ${JSON.stringify(ok).slice(0, 40)}`)
    t.ok(isPolicyText(ok))
  }
  const refused: Array<[string, RegExp]> = [
    ['nul\u0000', /control character \(U\+0000\) at position 3/],
    ['carriage\rreturn', /control character \(U\+000D\)/],
    ['bell\u0007', /control character/],
    ['escape\u001b[31m', /control character \(U\+001B\)/],
    ['del\u007f', /control character \(U\+007F\)/],
    ['c1\u0085', /control character \(U\+0085\)/],
    ['lone high \ud800', /unpaired surrogate/],
    ['lone low \udc00 x', /unpaired surrogate/],
    ['reversed pair \ude00\ud83d', /unpaired surrogate/],
    ['\ufdd0', /noncharacter \(U\+FDD0\)/],
    ['\ufdef', /noncharacter/],
    ['\ufffe', /noncharacter \(U\+FFFE\)/],
    ['\uffff', /noncharacter/],
    ['\u{1FFFE}', /noncharacter \(U\+1FFFE\)/],
    ['\u{10FFFF}', /noncharacter \(U\+10FFFF\)/],
    ['x'.repeat(TEXT_MAX_LENGTH + 1), /longer than 10000/]
  ]
  for (const [text, why] of refused) {
    const v = textViolation(text)
    t.match(v, why, `refused: ${JSON.stringify(text).slice(0, 30)}`)
    t.notOk(isPolicyText(text))
  }
  t.match(textViolation('abcdef', 5), /longer than 5/, 'a tighter maximum per field')
})

t.test('a walk names each violation by JSON pointer, keys included, and never the value', async (t) => {
  const value = {
    ok: 'fine',
    necessity: 'BSN 999990019\u0000',
    list: ['a', 'b\ud800'],
    'a/b~c': { deep: '\uffff' },
    'key\u0000': 'x',
    999990019: { inner: '\u0001' }
  }
  const found = checkTextPolicy(value)
  t.same(found.map((v) => v.pointer).sort(), ['/', '/999990019'.replace('999990019', '[bsn]') + '/inner', '/a~1b~0c/deep', '/list/1', '/necessity'].sort())
  t.match(found.find((v) => v.pointer === '/')!.detail, /property name/)
  t.notOk(JSON.stringify(found).includes('999990019'), 'a BSN-like key is masked in the pointer')
  t.same(checkTextPolicy({ a: [1, true, null, { b: 'c' }] }), [])
  const deep: unknown[] = []
  let cur = deep
  for (let i = 0; i < 100_000; i++) { const next: unknown[] = []; cur.push(next); cur = next }
  t.match(checkTextPolicy(deep), [{ detail: /nested deeper/ }], 'deep nesting is a violation, not a stack overflow')
  t.match(checkTextPolicy({ n: Number.NaN, f: () => 1, d: new Date(0) }, { plainJson: true }).map((v) => v.pointer).sort(), ['/d', '/f', '/n'], 'plain JSON only, when asked')
})

t.test('sanitizeText fits text from elsewhere to the policy', async (t) => {
  t.equal(sanitizeText('a\u0000b\ud800c\uffff'), 'a\ufffdb\ufffdc\ufffd')
  t.equal(sanitizeText('ab😀', 3), 'ab', 'a surrogate pair is never cut in half')
  t.ok(isPolicyText(sanitizeText('\u0007'.repeat(20) + '\udfff', 10), 10))
})

t.test('a date-time PostgreSQL can store', async (t) => {
  for (const ok of ['2025-01-31T12:00:00Z', '2025-01-31T12:00:00.123456789+01:00', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59-15:59', '2024-02-29T00:00:00z']) {
    t.ok(isStorableDateTime(ok), ok)
  }
  for (const bad of ['0000-01-01T00:00:00Z', '2025-12-31T23:59:60Z', '2025-01-01T00:00:00+16:00', '2023-02-29T00:00:00Z', '2025-13-01T00:00:00Z',
    '+010000-01-01T00:00:00Z', '2025-01-01', '2025-01-01T00:00:00', '2025-01-01T00:00:00.1234567890Z', 42]) {
    t.notOk(isStorableDateTime(bad), String(bad))
  }
})

async function shell () {
  const app = await createService({ name: 'text-test', title: 't', description: 't', apiVersion: '9.9.9', logLevel: 'silent', bodyLimit: 64 * 1024, readiness: {} })
  const stored: unknown[] = []
  app.post('/v1/notes/:noteId', {
    schema: {
      params: { type: 'object', properties: { noteId: { type: 'string', maxLength: 64 } } },
      querystring: { type: 'object', properties: { tag: { type: 'string', maxLength: 64 } } },
      body: { type: 'object', properties: { text: { type: 'string' }, items: { type: 'array', items: { type: 'string' } } } }
    }
  }, async (request) => { stored.push(request.body); return { ok: true } })
  await app.ready()
  return { app, stored }
}

t.test('the shell refuses a violation anywhere in the request with one 400 problem, and nothing runs', async (t) => {
  const { app, stored } = await shell()
  t.teardown(() => app.close())
  const cases: Array<[string, { url: string, payload: unknown }, Array<{ in: string, pointer: string }>]> = [
    ['NUL in the body', { url: '/v1/notes/n1', payload: { text: 'BSN 999990019 \u0000' } }, [{ in: 'body', pointer: '/text' }]],
    ['a lone surrogate in an array', { url: '/v1/notes/n1', payload: { items: ['ok', '\ud800'] } }, [{ in: 'body', pointer: '/items/1' }]],
    ['a noncharacter in a property name', { url: '/v1/notes/n1', payload: { '\ufffe': 'x' } }, [{ in: 'body', pointer: '/' }]],
    ['a string longer than the default maximum', { url: '/v1/notes/n1', payload: { text: 'y'.repeat(TEXT_MAX_LENGTH + 1) } }, [{ in: 'body', pointer: '/text' }]],
    ['a control character in the query string', { url: '/v1/notes/n1?tag=a%07b', payload: {} }, [{ in: 'querystring', pointer: '/tag' }]],
    ['NUL in a path parameter', { url: '/v1/notes/n%00', payload: {} }, [{ in: 'params', pointer: '/noteId' }]]
  ]
  for (const [name, req, errors] of cases) {
    const res = await app.inject({ method: 'POST', url: req.url, payload: req.payload as Record<string, unknown> })
    t.equal(res.statusCode, 400, `${name}: 400`)
    t.match(res.headers['content-type'], PROBLEM_TYPE)
    t.equal(res.headers['api-version'], '9.9.9')
    const body = res.json()
    t.match(body, { status: 400, code: 'WAMS_TEXT_POLICY', errors }, `${name}: names the field`)
    t.equal(body.errors.length, errors.length)
    t.notOk(res.body.includes('999990019'), `${name}: the value is not echoed`)
    t.notOk(res.body.includes('yyyyyyyyyy'), `${name}: the value is not echoed`)
  }
  t.same(stored, [], 'no handler ran')
  const fine = await app.inject({ method: 'POST', url: '/v1/notes/n1?tag=x', payload: { text: 'tab\tnewline\nemoji 😀', items: ['a'] } })
  t.equal(fine.statusCode, 200)
  t.equal(stored.length, 1)
})
