// The service around the partner route: configuration, and no BSN in any log line.
import t from 'tap'
import { Writable } from 'node:stream'
import pino from 'pino'
import { DEV_ISSUER, loggerOptions } from '@wams/platform'
import { readConfig } from '@wams/demo-partners'
import { ask, DEMO_BSNS, demoPartners, partyOfType, suppliers } from './helpers.ts'

t.test('configuration: defaults for development, explicit keys in production', async (t) => {
  const config = readConfig({})
  t.match(config, { PORT: 8090, HOST: '127.0.0.1', GATEWAY_ISSUER: DEV_ISSUER, DEMO_FAULTS: '{}', DATA_DIR: '.data', SERVICE_NAME: 'demo-partners' })
  t.equal(config.GATEWAY_PUBLIC_KEY_FILE, undefined, 'the dev issuer\'s key unless configured')
  t.throws(() => readConfig({ NODE_ENV: 'production' }), /GATEWAY_PUBLIC_KEY_FILE, GATEWAY_ISSUER/, 'production names both missing variables')
  t.doesNotThrow(() => readConfig({ NODE_ENV: 'production', GATEWAY_PUBLIC_KEY_FILE: '/run/secrets/gateway.pub.pem', GATEWAY_ISSUER: 'urn:wams:gateway:1' }))
  t.throws(() => readConfig({ PORT: 'eighty' }), /PORT/)
})

t.test('no BSN reaches a log line, whatever the outcome', async (t) => {
  const lines: string[] = []
  const sink = new Writable({ write (chunk, _encoding, done) { lines.push(chunk.toString()); done() } })
  const logger = pino(loggerOptions('demo-partners', 'trace'), sink)
  const ggd = partyOfType('ggd').oin
  const app = await demoPartners({ loggerInstance: logger, faults: { [ggd]: { status: 500 } } })
  t.teardown(() => app.close())
  const statuses = new Set<number>()
  for (const party of suppliers) {
    for (const subject of DEMO_BSNS) {
      for (const category of party.categories) statuses.add((await ask(app, party.oin, subject, category)).statusCode)
    }
  }
  statuses.add((await ask(app, ggd, DEMO_BSNS[0]!, 'health', { token: null })).statusCode)
  statuses.add((await ask(app, partyOfType('school').oin, '123456789', 'education')).statusCode)
  t.same([...statuses].sort(), [200, 400, 401, 404, 451, 500], 'every outcome was logged')
  t.ok(lines.length > 100, `${lines.length} log lines`)
  // The BSNs themselves: a broader nine-digit pattern would also match runs inside the request ids.
  const withBsn = lines.filter((line) => [...DEMO_BSNS, '123456789'].some((bsn) => line.includes(bsn)))
  t.same(withBsn, [], 'no BSN in any line')
})
