// Configuration is validated at start: a bad or missing variable stops the start with a message
// naming it.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { readConfig as gatewayConfig } from '@wams/gateway'
import { readConfig as ledgerConfig } from '@wams/consent-ledger'
import { readConfig as auditConfig } from '@wams/audit'

function errorOf (fn: () => unknown): string {
  try { fn() } catch (err) { return (err as Error).message }
  return 'no error thrown'
}

t.test('defaults need no configuration', async (t) => {
  const config = gatewayConfig({})
  t.equal(config.PORT, 8080)
  t.equal(config.KAFKA_BROKERS, '127.0.0.1:9092')
  t.equal(ledgerConfig({}).PORT, 8081)
  t.equal(auditConfig({}).PORT, 8082)
})

t.test('every bad variable is named at once', async (t) => {
  const message = errorOf(() => gatewayConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'a, b' }))
  t.match(message, /PORT/)
  t.match(message, /LOG_LEVEL/)
  t.match(message, /KAFKA_BROKERS/)
  t.throws(() => ledgerConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL/)
  t.throws(() => auditConfig({ PSEUDONYM_KEY: 'short' }), /PSEUDONYM_KEY/)
})

t.test('production refuses the dev defaults of secrets and databases', async (t) => {
  const message = errorOf(() => gatewayConfig({ NODE_ENV: 'production' }))
  for (const name of ['DATABASE_URL', 'PSEUDONYM_KEY', 'JWT_TRUSTED_ISSUERS', 'GATEWAY_SIGNING_KEY_FILE', 'AUDIT_LOG_KEY']) t.match(message, name)
  const production = {
    NODE_ENV: 'production', DATABASE_URL: 'postgres://db/ledger', PSEUDONYM_KEY: 'k'.repeat(40), JWT_TRUSTED_ISSUERS: '[]', GATEWAY_ISSUER: 'urn:wams:gateway:00000099000000009000', AUDIT_LOG_KEY: 'wams.example/audit+0123abcd+AAAA'
  }
  // The residence check must ask the municipality's own BRP, never the demo BRP by default.
  t.match(errorOf(() => ledgerConfig(production)), /required in production: BRP_URL/)
  const ok = ledgerConfig({ ...production, BRP_URL: 'https://brp.gemeente.example/haalcentraal/api/brp' })
  t.equal(ok.DATABASE_URL, 'postgres://db/ledger')
  t.equal(ok.BRP_URL, 'https://brp.gemeente.example/haalcentraal/api/brp')
})

for (const service of ['gateway', 'consent-ledger', 'audit']) {
  t.test(`${service}: the process stops at start with the variable named`, async (t) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', `services/${service}/src/server.ts`], {
      env: { ...process.env, PORT: '-1', LOG_LEVEL: 'silent' }, encoding: 'utf8', timeout: 30000
    })
    t.equal(run.status, 78, 'exit code EX_CONFIG')
    t.match(run.stderr, /Invalid configuration: PORT must be >= 0/)
    t.notMatch(run.stderr, /\bat .*\.ts:\d+/, 'no stack trace')
  })
}
