// docker-compose.yml is the production shape. Docker cannot run here, so this checks what can be
// checked without it: every service has an image or a build, its ports match its PORT, and its
// environment passes the service's own config schema in production mode.
import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { readConfig as gatewayConfig } from '@wams/gateway'
import { readConfig as ledgerConfig } from '@wams/consent-ledger'
import { readConfig as auditConfig } from '@wams/audit'
import { readConfig as partnersConfig, configSchema as partnersSchema } from '@wams/demo-partners'
import { configSchema as gatewaySchema } from '@wams/gateway'
import { configSchema as ledgerSchema } from '@wams/consent-ledger'
import { configSchema as auditSchema } from '@wams/audit'

interface ComposeService {
  image?: string
  build?: { context: string, dockerfile: string, args?: { SERVICE?: string } }
  ports?: string[]
  environment?: Record<string, string>
  volumes?: string[]
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, ComposeService> }
const readers: Record<string, [(env: Record<string, string>) => unknown, { properties: object }]> = {
  gateway: [gatewayConfig, gatewaySchema],
  'consent-ledger': [ledgerConfig, ledgerSchema],
  audit: [auditConfig, auditSchema],
  'demo-partners': [partnersConfig, partnersSchema]
}

// Compose interpolation: ${NAME:?message} and ${NAME} become a value of the right shape.
function interpolate (value: string): string {
  return value.replace(/\$\{([A-Z_]+)(:\?[^}]*)?\}/g, (_, name: string) =>
    name === 'JWT_TRUSTED_ISSUERS'
      ? '[{"iss":"https://login.example.nl","publicKeyFile":"/run/secrets/issuer.pem"}]'
      : name === 'AUDIT_LOG_KEY'
        ? `wams.example/audit+0123abcd+${'A'.repeat(44)}`
        : name === 'BRP_URL' ? 'https://brp.gemeente.example/haalcentraal/api/brp' : `${name.toLowerCase()}-${'x'.repeat(40)}`)
}

t.test('infrastructure services use official images', async (t) => {
  t.match(compose.services.postgres?.image, /^postgres:\d+/)
  t.match(compose.services.kafka?.image, /^apache\/kafka:4\./)
  t.equal(compose.services.kafka?.environment?.KAFKA_PROCESS_ROLES, 'broker,controller', 'KRaft mode')
  t.match(compose.services.redis?.image, /^redis:\d+/)
})

t.test('two gateway replicas, counting one rate limit in the one Redis', async (t) => {
  const gateways = Object.values(compose.services).filter((s) => s.build?.args?.SERVICE === 'gateway')
  t.equal(gateways.length, 2)
  t.same(gateways.map((g) => g.environment?.RATE_LIMIT_REDIS_URL), ['redis://redis:6379', 'redis://redis:6379'])
})

t.test('the services speak HTTPS to each other, with a certificate every one of them trusts', async (t) => {
  const exchange = Object.entries(compose.services).filter(([, s]) => ['gateway', 'consent-ledger', 'audit'].includes(s.build?.args?.SERVICE ?? ''))
  t.equal(exchange.length, 4, 'two gateways, the consent ledger and the audit service')
  for (const [name, service] of exchange) {
    const env = service.environment ?? {}
    t.ok(env.TLS_CERT_FILE && env.TLS_KEY_FILE, `${name}: serves HTTPS`)
    t.ok(env.NODE_EXTRA_CA_CERTS, `${name}: trusts the services' CA`)
    for (const [key, value] of Object.entries(env)) {
      // A URL from the environment (BRP_URL) is judged as the example value the test substitutes.
      // PostgreSQL and Redis (counters only) are infrastructure on the internal network, not services.
      if (/_URL$/.test(key) && !/^(postgres|redis)/.test(String(value))) t.match(interpolate(String(value)), /^https:\/\//, `${name}: ${key} is https`)
    }
    t.ok((service.volumes ?? []).some((v) => v.endsWith(':/run/tls:ro')), `${name}: the TLS material is mounted read-only`)
  }
})

for (const [name, service] of Object.entries(compose.services)) {
  if (!service.build) continue
  t.test(`${name}: build, ports and environment fit the service's config schema`, async (t) => {
    t.ok(existsSync(service.build!.dockerfile), 'Dockerfile exists')
    const kind = service.build!.args?.SERVICE ?? ''
    t.ok(readers[kind], `builds a known service (${kind})`)
    t.ok(existsSync(`services/${kind}/src/server.ts`), 'its entry point exists')
    const [read, schema] = readers[kind]!
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]))
    // Besides the service's own variables, Node's: NODE_ENV, and NODE_EXTRA_CA_CERTS (the CA of the services' certificates).
    const known = new Set([...Object.keys(schema.properties), 'NODE_ENV', 'NODE_EXTRA_CA_CERTS'])
    t.same(Object.keys(env).filter((k) => !known.has(k)), [], 'every variable is one the service reads')
    let config: { PORT?: number } = {}
    t.doesNotThrow(() => { config = read(env) as { PORT?: number } }, 'the environment passes the config schema (production rules included)')
    const containerPorts = (service.ports ?? []).map((p) => Number(p.split(':').at(-1)))
    t.same(containerPorts, [config.PORT], 'the published port is the service\'s PORT')
  })
}
