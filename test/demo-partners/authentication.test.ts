// Only the gateway may call a partner system: an EdDSA token from the configured gateway key, with
// the gateway as iss, the called partner's OIN as aud, not expired. Everything else is 401.
import t from 'tap'
import { createHmac, generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSigner } from 'fast-jwt'
import { PROBLEM_TYPE } from '@wams/platform'
import { ask, CLIENT, demoPartners, GATEWAY_OIN, gatewayToken, issuer, partyOfType } from './helpers.ts'

const ggd = partyOfType('ggd').oin
const school = partyOfType('school').oin
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)
const claims = (extra: Record<string, unknown> = {}) => ({ iss: issuer.iss, sub: 'gateway', org: GATEWAY_OIN, aud: ggd, iat: now(), exp: now() + 60, ...extra })

t.test('a token from the gateway for this partner is accepted', async (t) => {
  const app = await demoPartners()
  t.teardown(() => app.close())
  t.equal((await ask(app, ggd, CLIENT, 'health')).statusCode, 200)
  const bound = await ask(app, ggd, CLIENT, 'health', { token: gatewayToken(ggd, { requestId: 'c0ffee00-0000-4000-8000-000000000001' }) })
  t.equal(bound.statusCode, 200, 'bound to this very request')
})

t.test('every other token is a 401 problem, before the body is even looked at', async (t) => {
  const app = await demoPartners()
  t.teardown(() => app.close())
  const otherKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const hmacWithPublicKey = (() => {
    const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims())}`
    return `${input}.${createHmac('sha256', issuer.publicKeyPem).update(input).digest('base64url')}`
  })()
  const cases: Array<[string, string | null, string]> = [
    ['no token', null, 'TOKEN_MISSING'],
    ['garbage', 'not.a.token', 'TOKEN_INVALID'],
    ['alg none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, 'TOKEN_INVALID'],
    ['HS256 signed with the public key', hmacWithPublicKey, 'TOKEN_INVALID'],
    ['another Ed25519 key', gatewayToken(ggd, { key: otherKey }), 'TOKEN_INVALID'],
    ['ES256 from another key', createSigner({ key: ecKey, algorithm: 'ES256' })(claims()), 'TOKEN_INVALID'],
    ['another issuer, right key', gatewayToken(ggd, { iss: 'https://login.example.nl' }), 'ISSUER_UNTRUSTED'],
    ['aud is another partner', gatewayToken(school), 'AUDIENCE_INVALID'],
    ['aud is the exchange, not the partner', gatewayToken('wams'), 'AUDIENCE_INVALID'],
    ['no aud', createSigner({ key: issuer.privateKeyPem, algorithm: 'EdDSA' })(claims({ aud: undefined })), 'AUDIENCE_INVALID'],
    ['no exp', createSigner({ key: issuer.privateKeyPem, algorithm: 'EdDSA', noTimestamp: true })(claims({ iat: undefined, exp: undefined })), 'TOKEN_INVALID'],
    ['expired', createSigner({ key: issuer.privateKeyPem, algorithm: 'EdDSA', expiresIn: 60_000, clockTimestamp: Date.now() - 120_000 })(claims({ iat: undefined, exp: undefined })), 'TOKEN_EXPIRED']
  ]
  for (const [name, token, code] of cases) {
    // An invalid body as well: the token is checked first, so the answer is 401, not 400.
    const res = await ask(app, ggd, CLIENT, 'health', { token, body: { subject: 'x' } })
    t.equal(res.statusCode, 401, `${name}: 401`)
    t.match(res.headers['content-type'], PROBLEM_TYPE)
    t.match(res.json(), { status: 401, code }, `${name}: ${code}`)
    t.match(res.headers['www-authenticate'], /^Bearer/)
  }
  const basic = await app.inject({
    method: 'POST', url: `/partners/${ggd}/wams/v1/data-requests`, headers: { authorization: 'Basic Z2F0ZXdheTpnYXRld2F5' }, payload: {}
  })
  t.equal(basic.statusCode, 401, 'another scheme')
})

t.test('a token bound to another request is not accepted', async (t) => {
  const app = await demoPartners()
  t.teardown(() => app.close())
  const res = await ask(app, ggd, CLIENT, 'health', { token: gatewayToken(ggd, { requestId: 'another-request' }) })
  t.equal(res.statusCode, 401)
  t.match(res.json(), { code: 'TOKEN_INVALID', detail: /another request/ })
})

t.test('GATEWAY_PUBLIC_KEY_FILE and GATEWAY_ISSUER: trust the configured gateway key, and only that', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wams-partner-key-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const publicFile = join(dir, 'gateway.pub.pem')
  writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }))
  const iss = 'urn:wams:gateway:00000099000000009000'
  const app = await demoPartners({}, { GATEWAY_PUBLIC_KEY_FILE: publicFile, GATEWAY_ISSUER: iss })
  t.teardown(() => app.close())
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  t.equal((await ask(app, ggd, CLIENT, 'health', { token: gatewayToken(ggd, { iss, key }) })).statusCode, 200, 'the configured gateway')
  t.equal((await ask(app, ggd, CLIENT, 'health')).statusCode, 401, 'the dev issuer is no longer trusted')
  t.equal((await ask(app, ggd, CLIENT, 'health', { token: gatewayToken(ggd, { key }) })).statusCode, 401, 'the right key with the dev iss')

  const ecFile = join(dir, 'ec.pub.pem')
  writeFileSync(ecFile, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }))
  await t.rejects(demoPartners({}, { GATEWAY_PUBLIC_KEY_FILE: ecFile }), /Ed25519/, 'only an Ed25519 key is accepted')
})
