// A real identity provider (issue 14 item 3): oidc-provider, started here on a random port with
// Ed25519 keys, hands out JWT access tokens (client credentials, resource indicator, audience
// wams, org and roles as extra claims). A service trusts it by issuer URL only (OpenID Connect
// discovery → jwks_uri → JWKS) and
//  - accepts its tokens, with every check of the platform still in force;
//  - accepts a token with a new key after the provider rotated, without a restart;
//  - under a burst of 50 tokens with made-up kids fetches the JWKS at most once per interval;
//  - refuses a key the provider removed, after the next refresh;
//  - with the provider failing or down keeps accepting the keys it knows and refuses others with
//    401, not 500, trying it at most once per interval.
// And the dev issuer publishes its JWKS (the demo partners serve it in development), which
// verifies the tokens of `npx wams token`.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { generateKeyPairSync } from 'node:crypto'
import Provider from 'oidc-provider'
import { calculateJwkThumbprint } from 'jose'
import type { FastifyInstance } from 'fastify'
import { DEV_ISSUER, authenticationPlugin, createService, devIssuer, parseTrustedIssuers, signToken, type AuthFailure, type TrustedIssuer } from '@wams/platform'
import { readConfig as gatewayConfig } from '../../services/gateway/src/index.ts'
import { startDemoPartners } from '../support/partners.ts'

const ORG = '00000099000000000101'
const MIN_REFRESH_MS = 800
const CLIENT = { client_id: 'gemeente-voorbeeldstad', client_secret: 'a-client-secret-of-this-test-only' }

// ---- the identity provider ------------------------------------------------------------------------

type PrivateJwk = Record<string, string>
const signingKey = (kid: string): PrivateJwk => ({ ...generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as PrivateJwk, kid, use: 'sig', alg: 'EdDSA' })

/** The claims the provider puts into the next access token (extraTokenClaims). */
let nextClaims: Record<string, unknown> = { org: ORG, roles: ['college'] }

function provider (issuer: string, keys: PrivateJwk[]): Provider {
  return new Provider(issuer, {
    clients: [{ ...CLIENT, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], token_endpoint_auth_method: 'client_secret_post', id_token_signed_response_alg: 'EdDSA' }],
    jwks: { keys: keys as never },
    ttl: { ClientCredentials: 600 },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:wams:api',
        // The resource indicator names the API; its audience is the services' JWT_AUDIENCE.
        getResourceServerInfo: (_ctx, resource) => ({
          scope: 'wams',
          audience: resource === 'urn:wams:api' ? 'wams' : 'another-api',
          accessTokenFormat: 'jwt',
          accessTokenTTL: 600,
          jwt: { sign: { alg: 'EdDSA' } }
        })
      }
    },
    extraTokenClaims: async () => nextClaims
  })
}

interface Idp {
  issuer: string
  /** Requests for the JWKS and for the discovery document so far. */
  fetches: { jwks: number, discovery: number }
  /** A new key set (the first key signs): what the provider publishes from now on. */
  rotate: (keys: PrivateJwk[]) => void
  /** The provider answers 503 to everything (reachable, but failing) until rotated again. */
  fail: () => void
  token: (resource?: string) => Promise<string>
  down: () => Promise<void>
  up: () => Promise<void>
}

async function startIdp (keys: PrivateJwk[]): Promise<Idp> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => {}
  const fetches = { jwks: 0, discovery: 0 }
  const server = createServer((req, res) => {
    if (req.url === '/jwks') fetches.jwks++
    if (req.url === '/.well-known/openid-configuration') fetches.discovery++
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const issuer = `http://127.0.0.1:${port}`
  const rotate = (next: PrivateJwk[]) => { handler = provider(issuer, next).callback() }
  rotate(keys)
  const fail = () => { handler = (_req, res) => { res.writeHead(503).end() } }
  let up = true
  const down = async () => {
    if (!up) return
    up = false
    const closed = new Promise((resolve) => server.close(resolve))
    server.closeAllConnections()
    await closed
  }
  t.teardown(down)
  return {
    issuer,
    fetches,
    rotate,
    fail,
    down,
    up: async () => {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
      up = true
    },
    async token (resource = 'urn:wams:api') {
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...CLIENT, resource, scope: 'wams' })
      })
      const body = await res.json() as { access_token?: string }
      if (res.status !== 200 || body.access_token === undefined) throw new Error(`token endpoint: ${res.status} ${JSON.stringify(body)}`)
      return body.access_token
    }
  }
}

const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { alg: string, kid?: string, typ?: string }
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// ---- the service ------------------------------------------------------------------------------------

async function service (issuers: TrustedIssuer[], failures: AuthFailure[] = []): Promise<FastifyInstance> {
  const app = await createService({ name: 'oidc-test', title: 't', description: 't', apiVersion: '1', logLevel: 'silent', bodyLimit: 4096, readiness: {} })
  await app.register(authenticationPlugin, {
    issuers,
    audience: 'wams',
    jwks: { minRefreshMs: MIN_REFRESH_MS, refreshMs: 600_000, timeoutMs: 500 },
    onFailure: async (_request, failure) => { failures.push(failure) }
  })
  app.get('/v1/me', { onRequest: app.authenticate }, async (request) => request.principal)
  await app.ready()
  t.teardown(() => app.close())
  return app
}

const me = (app: FastifyInstance, token: string) => app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${token}` } })

// ---- the tests ---------------------------------------------------------------------------------------

const k1 = signingKey('key-2026-1')
const idp = await startIdp([k1])
const failures: AuthFailure[] = []
const app = await service(parseTrustedIssuers(JSON.stringify([{ iss: idp.issuer, discovery: true }])), failures)
const tokenK1 = await idp.token()

t.test('a token of the provider is accepted: the issuer is configured by its URL only', async (t) => {
  t.match(headerOf(tokenK1), { alg: 'EdDSA', kid: 'key-2026-1', typ: 'at+jwt' }, 'a JWT access token signed with the provider\'s key')
  const res = await me(app, tokenK1)
  t.equal(res.statusCode, 200, res.body)
  t.same(res.json(), { iss: idp.issuer, sub: CLIENT.client_id, org: ORG, roles: ['college'] })
  t.same(idp.fetches, { jwks: 1, discovery: 1 }, 'discovery and the JWKS fetched once, at start')
  for (let i = 0; i < 5; i++) t.equal((await me(app, tokenK1)).statusCode, 200)
  t.same(idp.fetches, { jwks: 1, discovery: 1 }, 'the keys are cached: no fetch per request')
})

t.test('every other check still holds for the provider\'s tokens', async (t) => {
  failures.length = 0
  const other = await me(app, await idp.token('urn:another:api'))
  t.equal(other.statusCode, 401)
  t.equal(other.json().code, 'AUDIENCE_INVALID', 'a token for another API (another audience)')
  nextClaims = { org: ORG, roles: ['gateway'] }
  const forged = await me(app, await idp.token())
  t.equal(forged.json().code, 'CLAIMS_INVALID', 'the system role from a person\'s identity provider')
  nextClaims = { org: 'not-an-oin', roles: ['college'] }
  t.equal((await me(app, await idp.token())).json().code, 'CLAIMS_INVALID', 'org must be an OIN')
  nextClaims = { org: ORG, roles: ['college'] }
  // alg none and HS256 with the issuer's name: refused without asking the provider.
  const before = idp.fetches.jwks
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const payload = b64({ iss: idp.issuer, sub: 'x', org: ORG, roles: ['college'], aud: 'wams', exp: Math.floor(Date.now() / 1000) + 60 })
  t.equal((await me(app, `${b64({ alg: 'none', kid: 'key-2026-1' })}.${payload}.`)).json().code, 'TOKEN_INVALID', 'alg none')
  t.equal((await me(app, `${b64({ alg: 'HS256', kid: 'other' })}.${payload}.c2ln`)).json().code, 'TOKEN_INVALID', 'HS256')
  t.equal(idp.fetches.jwks, before, 'an algorithm that is not allowed makes no fetch')
  t.equal(failures.length, 5, 'each refusal reported for the audit log')
})

const k2 = signingKey('key-2026-2')
let tokenK2 = ''

t.test('the provider rotates its keys: a token with the new kid is accepted without a restart', async (t) => {
  await sleep(MIN_REFRESH_MS + 100)
  idp.rotate([k2, k1])
  tokenK2 = await idp.token()
  t.equal(headerOf(tokenK2).kid, 'key-2026-2', 'the provider now signs with the new key')
  const before = idp.fetches.jwks
  const res = await me(app, tokenK2)
  t.equal(res.statusCode, 200, res.body)
  t.equal(idp.fetches.jwks, before + 1, 'the unknown kid made the service fetch the JWKS once')
  t.equal((await me(app, tokenK1)).statusCode, 200, 'a token with the old key, still published, is still accepted')
  t.equal(idp.fetches.discovery, 1, 'discovery is not repeated')
})

/** 50 tokens of the provider's issuer, each signed by a key it never published, each with its own made-up kid. */
function forgedTokens (label: string): string[] {
  const forger = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  return Array.from({ length: 50 }, (_, i) => signToken(forger, { iss: idp.issuer, sub: 'forger', org: ORG, roles: ['college'], aud: 'wams' }, { kid: `${label}-${i}` }))
}

t.test('a burst of 50 tokens with unknown kids: at most one JWKS fetch per interval', async (t) => {
  await sleep(MIN_REFRESH_MS + 100)
  failures.length = 0
  const before = idp.fetches.jwks
  const first = await Promise.all(forgedTokens('burst-a').map((token) => me(app, token)))
  t.same([...new Set(first.map((r) => r.statusCode))], [401], 'all 50 refused')
  t.same([...new Set(first.map((r) => r.json().code))], ['TOKEN_INVALID'])
  t.equal(idp.fetches.jwks, before + 1, 'one fetch for the whole burst (the interval had passed)')
  const second = await Promise.all(forgedTokens('burst-b').map((token) => me(app, token)))
  t.same([...new Set(second.map((r) => r.statusCode))], [401], 'the next 50 refused too')
  t.equal(idp.fetches.jwks, before + 1, 'and no fetch at all: within the interval')
  t.equal(failures.length, 100, 'every attempt reported')
  t.ok(failures.every((f) => f.claimed.org === null), 'and none credited to the org it claims (no signature vouches for it)')
  t.equal((await me(app, tokenK2)).statusCode, 200, 'the real keys still work')
  await sleep(MIN_REFRESH_MS + 100)
  await me(app, forgedTokens('burst-c')[0]!)
  t.equal(idp.fetches.jwks, before + 2, 'after the interval, one more')
})

const k3 = signingKey('key-2026-3')
let tokenK3 = ''

t.test('a key removed at the provider is refused after the next refresh', async (t) => {
  await sleep(MIN_REFRESH_MS + 100)
  idp.rotate([k3])
  tokenK3 = await idp.token()
  t.equal((await me(app, tokenK3)).statusCode, 200, 'the new key (its kid made the service refresh)')
  for (const [name, token] of [['key-2026-1', tokenK1], ['key-2026-2', tokenK2]] as const) {
    const res = await me(app, token)
    t.equal(res.statusCode, 401, `a token with ${name}, no longer published, is refused (it was accepted before)`)
    t.equal(res.json().code, 'TOKEN_INVALID')
  }
})

t.test('the provider failing or down: the keys already known still verify; any other kid is 401, not 500', async (t) => {
  const known = await idp.token()
  const k4 = signingKey('key-2026-4')
  const withK4 = () => { idp.rotate([k4, k3]); return idp.token() }
  const tokenK4 = await withK4()

  // Failing: it answers 503 to every request.
  idp.fail()
  await sleep(MIN_REFRESH_MS + 100)
  t.equal((await me(app, known)).statusCode, 200, 'failing: a token with a known key')
  const before = idp.fetches.jwks
  const burst = await Promise.all(forgedTokens('failing').map((token) => me(app, token)))
  t.same([...new Set(burst.map((r) => r.statusCode))], [401], 'failing: 50 tokens with unknown kids, 401 each')
  t.same([...new Set(burst.map((r) => r.json().code))], ['TOKEN_INVALID'])
  t.match(burst[0]!.json().detail, /keys of its issuer are unavailable/, 'the detail says why')
  t.match(burst[0]!.headers['www-authenticate'], /error="invalid_token"/)
  t.equal(idp.fetches.jwks, before + 1, 'one attempt for the whole burst')
  const again = await Promise.all(forgedTokens('failing-again').map((token) => me(app, token)))
  t.same([...new Set(again.map((r) => r.statusCode))], [401])
  t.equal(idp.fetches.jwks, before + 1, 'and none within the interval: a failed fetch counts too')
  t.equal((await me(app, tokenK4)).statusCode, 401, 'a real new key cannot be learnt meanwhile either (fail closed)')
  t.equal((await me(app, tokenK3)).statusCode, 200, 'the keys known before the failed fetch are kept')

  // Down: nothing listens.
  await idp.down()
  await sleep(MIN_REFRESH_MS + 100)
  t.equal((await me(app, known)).statusCode, 200, 'down: a token with a known key')
  const unknown = await me(app, forgedTokens('down')[0]!)
  t.equal(unknown.statusCode, 401, 'down: an unknown kid is 401')
  t.match(unknown.json().detail, /keys of its issuer are unavailable/)

  await idp.up()
  await withK4()
  await sleep(MIN_REFRESH_MS + 100)
  t.equal((await me(app, tokenK4)).statusCode, 200, 'back up: the new key is fetched')
})

t.test('a provider unreachable from the start: 401, not 500, and the service starts', async (t) => {
  const gone = await startIdp([signingKey('gone-1')])
  const token = await gone.token()
  await gone.down()
  const lonely = await service([{ iss: gone.issuer, discovery: true }])
  const res = await me(lonely, token)
  t.equal(res.statusCode, 401)
  t.equal(res.json().code, 'TOKEN_INVALID')
  t.match(res.headers['content-type'], 'application/problem+json')
})

t.test('JWT_TRUSTED_ISSUERS: PEM keys, discovery or a JWKS URL, one source each; providers over https (http only on this machine)', async (t) => {
  const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString()
  t.same(parseTrustedIssuers(JSON.stringify([
    { iss: 'https://login.gemeente.example', discovery: true },
    { iss: 'urn:idp', jwksUri: 'https://idp.example/keys' },
    { iss: 'https://pem.example', publicKeyPem: pem }
  ])).length, 3)
  for (const [name, list] of [
    ['no source', [{ iss: 'https://a.example' }]],
    ['two sources', [{ iss: 'https://a.example', discovery: true, publicKeyPem: pem }]],
    ['discovery over http elsewhere', [{ iss: 'http://login.gemeente.example', discovery: true }]],
    ['a JWKS URL over http elsewhere', [{ iss: 'urn:idp', jwksUri: 'http://idp.example/keys' }]],
    ['a JWKS URL that is no URL', [{ iss: 'urn:idp', jwksUri: 'keys' }]]
  ] as const) {
    t.throws(() => parseTrustedIssuers(JSON.stringify(list)), name)
  }
  const config = gatewayConfig({ DATA_DIR: '.data' })
  t.same([config.JWKS_MIN_REFRESH_MS, config.JWKS_REFRESH_MS, config.JWKS_TIMEOUT_MS], [30000, 300000, 2000], 'the defaults of the platform configuration')
})

t.test('the dev issuer publishes its JWKS (demo partners, development only): `npx wams token` verifies against it', async (t) => {
  const partners = await startDemoPartners()
  t.teardown(() => partners.close())
  const discovery = await (await fetch(`${partners.baseUrl}/.well-known/openid-configuration`)).json() as { issuer: string, jwks_uri: string }
  t.same(discovery.issuer, DEV_ISSUER)
  t.equal(discovery.jwks_uri, `${partners.baseUrl}/.well-known/jwks.json`)
  const jwks = await (await fetch(discovery.jwks_uri)).json() as { keys: Array<Record<string, string>> }
  const dev = devIssuer(process.env.DATA_DIR ?? '.data')
  t.equal(jwks.keys.length, 1)
  t.equal(jwks.keys[0]!.kid, await calculateJwkThumbprint(jwks.keys[0] as never), 'kid: the RFC 7638 thumbprint')
  t.equal(jwks.keys[0]!.kid, dev.kid)

  const cli = spawnSync(process.execPath, ['packages/cli/bin/wams.js', 'token', '--org', ORG, '--roles', 'college'], { encoding: 'utf8', timeout: 30000 })
  t.equal(cli.status, 0, cli.stderr)
  const token = cli.stdout.trim()
  t.equal(headerOf(token).kid, dev.kid, 'the CLI names the key in the header')
  const viaJwks = await service([{ iss: DEV_ISSUER, jwksUri: discovery.jwks_uri }])
  const res = await me(viaJwks, token)
  t.equal(res.statusCode, 200, res.body)
  t.match(res.json(), { iss: DEV_ISSUER, org: ORG, roles: ['college'] })
})
