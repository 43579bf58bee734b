// The parts of `npm start` that need no running system: the log format (pretty on a terminal,
// JSON lines otherwise, LOG_FORMAT decides), how a service's line is rendered in each, the
// "try this" block (the README's first exchange, with this run's ports) and the party register
// for demo partners on another port. test/start.test.ts runs the block against a real start.
import t from 'tap'
import { readFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_REGISTER_FILE } from '@wams/platform'
import { logFormat, logRenderer } from '../scripts/lib/logs.ts'
import { COLLEGE_TOKEN_COMMAND, FIRST_CASE, FIRST_DATA_REQUEST, tryThis } from '../scripts/lib/try-this.ts'
import { registerFileFor, registerOnPort } from '../scripts/lib/register.ts'

t.test('the format: pretty on a terminal outside CI, JSON otherwise; LOG_FORMAT decides', async (t) => {
  t.equal(logFormat({}, true), 'pretty')
  t.equal(logFormat({}, false), 'json')
  t.equal(logFormat({ CI: 'true' }, true), 'json', 'CI on a terminal')
  t.equal(logFormat({ CI: 'false' }, true), 'pretty')
  t.equal(logFormat({ LOG_FORMAT: 'pretty' }, false), 'pretty', 'pretty into a file')
  t.equal(logFormat({ LOG_FORMAT: 'json', CI: '' }, true), 'json', 'JSON on a terminal')
  t.equal(logFormat({ LOG_FORMAT: 'JSON' }, true), 'json')
  t.throws(() => logFormat({ LOG_FORMAT: 'yaml' }, true), /LOG_FORMAT must be json or pretty/)
})

const entry = (fields: Record<string, unknown>) => JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 2, 9, 30, 15, 123), service: 'gateway', ...fields })

t.test('JSON: a service\'s JSON line passes unchanged; other output gets the service\'s name', async (t) => {
  const render = logRenderer('json', { colour: false })
  const line = entry({ msg: 'Server listening at http://127.0.0.1:8080' })
  t.equal(render('gateway', line), `${line}\n`)
  t.same(JSON.parse(render('gateway', line)), JSON.parse(line))
  t.equal(render('audit', 'second SIGTERM, exiting'), 'audit          | second SIGTERM, exiting\n')
  t.equal(render('audit', '{ not json'), 'audit          | { not json\n')
})

t.test('pretty: one readable line, the service\'s name in front of every line', async (t) => {
  const render = logRenderer('pretty', { colour: false })
  const listening = render('gateway', entry({ msg: 'Server listening at http://127.0.0.1:8080' }))
  t.match(listening, /^gateway {8}\| \[\d\d:\d\d:\d\d\.123\] INFO: Server listening at http:\/\/127\.0\.0\.1:8080\n$/)
  t.notMatch(listening, /"service"|"time"|"level"/, 'no JSON left')
  const request = render('gateway', entry({ reqId: 'r-1', req: { method: 'GET', url: '/v1/parties', id: 'r-1' }, msg: 'incoming request' }))
  t.match(request, /INFO: incoming request GET \/v1\/parties \{"reqId":"r-1"\}\n$/, 'a request in few words, its id kept')
  const done = render('gateway', entry({ reqId: 'r-1', res: { statusCode: 200 }, responseTime: 4.2, msg: 'request completed' }))
  t.match(done, /INFO: request completed 200 in 4 ms/)
  const warn = render('consent-ledger', entry({ level: 40, service: 'consent-ledger', msg: 'kafka: consumer stopped; rebuilding it', groupId: 'g' }))
  t.match(warn, /^consent-ledger \| .* WARN: kafka: consumer stopped; rebuilding it \{"groupId":"g"\}\n$/)
  const failed = render('audit', entry({ level: 50, service: 'audit', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (a.ts:1:1)' }, msg: 'boom' }))
  const lines = failed.trimEnd().split('\n')
  t.ok(lines.length > 2, 'the stack on lines of its own')
  t.ok(lines.every((l) => l.startsWith('audit          | ')), 'each of them with the service\'s name')
  t.match(failed, /ERROR: boom/)
  t.equal(render('audit', 'second SIGTERM, exiting'), 'audit          | second SIGTERM, exiting\n', 'other output as it is')
  t.ok(logRenderer('pretty', { colour: true })('gateway', entry({ msg: 'x' })).includes('\u001b['), 'colours when asked')
})

t.test('"try this": at most 15 lines, the README\'s first exchange with this run\'s ports', async (t) => {
  const ports = { gateway: 18080, 'consent-ledger': 18081, audit: 18082, 'demo-partners': 18090 }
  const lines = tryThis(ports, 'http://127.0.0.1:18090/brp/haalcentraal/api/brp', '12.3')
  t.ok(lines.length <= 15, `${lines.length} lines`)
  t.match(lines[0], /^\[wams\] all ready in 12\.3 s/)
  const text = lines.join('\n')
  for (const port of [18080, 18081, 18082]) t.match(text, `http://127.0.0.1:${port}/v1/docs`, `OpenAPI docs on ${port}`)
  t.notMatch(text, /:808[0-2]\b|:8090\b/, 'no default port')
  t.match(text, `COLLEGE=$(${COLLEGE_TOKEN_COMMAND})`)
  t.match(text, 'curl -s -X POST http://127.0.0.1:18081/v1/cases -H "authorization: Bearer $COLLEGE"')
  t.match(text, 'curl -s -X POST http://127.0.0.1:18080/v1/cases/$CASE/data-requests')
  const commands = lines.filter((l) => l !== '' && !l.startsWith('[wams]') && !l.startsWith('#'))
  t.equal(commands.length, 3, 'three commands to paste, no prefix in front of them')

  // The README's first exchange: the same token, the same case, the same data request.
  const readme = readFileSync('README.md', 'utf8')
  const block = /```sh\n(COLLEGE=[\s\S]*?)```/.exec(readme)?.[1] ?? ''
  t.match(block, `COLLEGE=$(${COLLEGE_TOKEN_COMMAND})`)
  t.match(block, /curl -s -X POST localhost:8081\/v1\/cases -H "authorization: Bearer \$COLLEGE"/)
  t.match(block, /curl -s -X POST localhost:8080\/v1\/cases\/\$CASE\/data-requests -H "authorization: Bearer \$COLLEGE"/)
  const bodies = [...block.matchAll(/-d '([^']*)'/g)].map((m) => JSON.parse(m[1]!) as unknown)
  t.same(bodies[0], FIRST_CASE, 'the case')
  t.same(bodies[1], FIRST_DATA_REQUEST, 'the data request')
})

t.test('demo partners on another port: the services get a register that names it', async (t) => {
  const original = readFileSync(DEFAULT_REGISTER_FILE, 'utf8')
  const moved = JSON.parse(registerOnPort(original, 18090)) as { parties: Array<{ baseUrl?: string }> }
  const before = JSON.parse(original) as { parties: Array<{ baseUrl?: string }> }
  t.ok(before.parties.some((p) => p.baseUrl?.startsWith('http://127.0.0.1:8090/')), 'the repository\'s register uses 8090')
  t.notOk(JSON.stringify(moved).includes(':8090/'), 'no party left on 8090')
  t.same(moved.parties.map((p) => p.baseUrl?.replace(':18090/', ':8090/')), before.parties.map((p) => p.baseUrl), 'only the port changed')

  const dir = mkdtempSync(join(tmpdir(), 'wams-register-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  t.equal(registerFileFor(DEFAULT_REGISTER_FILE, dir, 8090), undefined, 'on 8090: the repository\'s register')
  t.equal(registerFileFor(DEFAULT_REGISTER_FILE, dir, 18090, '/etc/register.json'), '/etc/register.json', 'a configured register stays')
  const file = registerFileFor(DEFAULT_REGISTER_FILE, dir, 18090)!
  t.equal(readFileSync(file, 'utf8'), registerOnPort(original, 18090))
})
