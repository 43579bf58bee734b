// Bearer tokens: only asymmetric signatures from trusted issuers, with iss, aud and exp checked and
// the claims the decision needs; system roles only from their own issuer; every failure audited.
import t from 'tap'
import { generateKeyPairSync, createHmac, type KeyObject } from 'node:crypto'
import { authenticationPlugin, createFailedAuthenticationLog, createPseudonymiser, createService, signToken, type AuthFailure } from '@wams/platform'

const keyA = generateKeyPairSync('ed25519')
const keyB = generateKeyPairSync('ed25519')
const pem = (k: KeyObject, type: 'spki' | 'pkcs8') => k.export({ type, format: 'pem' } as never).toString()
const A = { iss: 'https://idp-a.example', priv: pem(keyA.privateKey, 'pkcs8'), pub: pem(keyA.publicKey, 'spki') }
const B = { iss: 'https://gateway.example', priv: pem(keyB.privateKey, 'pkcs8'), pub: pem(keyB.publicKey, 'spki') }
const ORG = '00000099000000000101'

async function app (failures: AuthFailure[]) {
  const service = await createService({ name: 'auth-test', title: 't', description: 't', apiVersion: '1', logLevel: 'silent', bodyLimit: 4096, readiness: {} })
  await service.register(authenticationPlugin, {
    issuers: [{ iss: A.iss, publicKeyPem: A.pub }, { iss: B.iss, publicKeyPem: B.pub }],
    audience: 'wams',
    isActiveParty: (org: string) => org === ORG,
    systemRoleIssuers: { gateway: [B.iss] },
    onFailure: async (_request, failure) => { failures.push(failure) }
  })
  service.get('/v1/me', { onRequest: service.authenticate }, async (request) => request.principal)
  await service.ready()
  return service
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)
const claims = { iss: A.iss, sub: 'ambtenaar-1', org: ORG, roles: ['college'], aud: 'wams' }

t.test('a valid token gives the principal', async (t) => {
  const failures: AuthFailure[] = []
  const service = await app(failures)
  t.teardown(() => service.close())
  const res = await service.inject({ url: '/v1/me', headers: { authorization: `Bearer ${signToken(A.priv, claims)}` } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { iss: A.iss, sub: 'ambtenaar-1', org: ORG, roles: ['college'] })
  t.same(failures, [])
})

const attacks: Array<[string, () => string, number, string]> = [
  ['no token', () => '', 401, 'TOKEN_MISSING'],
  ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: now() + 60 })}.`, 401, 'TOKEN_INVALID'],
  ['HS256 signed with the public key', () => {
    const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, exp: now() + 60 })}`
    return `${head}.${createHmac('sha256', A.pub).update(head).digest('base64url')}`
  }, 401, 'TOKEN_INVALID'],
  ['a key the issuer does not have', () => signToken(B.priv, claims), 401, 'TOKEN_INVALID'],
  ['an untrusted issuer', () => signToken(A.priv, { ...claims, iss: 'https://evil.example' }), 401, 'ISSUER_UNTRUSTED'],
  ['expired', () => signToken(A.priv, { ...claims, ttlSeconds: -10 }), 401, 'TOKEN_EXPIRED'],
  ['wrong audience', () => signToken(A.priv, { ...claims, aud: 'other' }), 401, 'AUDIENCE_INVALID'],
  ['roles missing', () => signToken(A.priv, { ...claims, roles: [] }), 401, 'CLAIMS_INVALID'],
  ['an unknown role', () => signToken(A.priv, { ...claims, roles: ['admin'] }), 401, 'CLAIMS_INVALID'],
  ['org is not an OIN', () => signToken(A.priv, { ...claims, org: '123' }), 401, 'CLAIMS_INVALID'],
  ['the system role from a person\'s identity provider', () => signToken(A.priv, { ...claims, roles: ['gateway'] }), 401, 'CLAIMS_INVALID'],
  ['an org that is not an active party', () => signToken(A.priv, { ...claims, org: '00000099000000000702' }), 403, 'ORG_NOT_REGISTERED']
]

for (const [name, make, status, reason] of attacks) {
  t.test(`refused: ${name}`, async (t) => {
    const failures: AuthFailure[] = []
    const service = await app(failures)
    t.teardown(() => service.close())
    const token = make()
    const res = await service.inject({ url: '/v1/me', headers: token ? { authorization: `Bearer ${token}` } : {} })
    t.equal(res.statusCode, status)
    t.match(res.headers['content-type'], 'application/problem+json')
    t.equal(res.json().code, reason)
    t.equal(failures.length, 1, 'the attempt is reported for the audit log')
    t.equal(failures[0]!.reason, reason)
    // Evidence is not written by outsiders: without a verified signature nobody is credited.
    const signed = ['expired', 'wrong audience'].includes(name) ? false : !['TOKEN_MISSING', 'TOKEN_INVALID', 'ISSUER_UNTRUSTED'].includes(reason)
    if (!signed) t.same(failures[0]!.claimed, { org: null, sub: null, roles: [] }, 'an unverified token credits no organisation and records none of its text')
    if (name === 'org is not an OIN') t.equal(failures[0]!.claimed.org, null, 'an org that is not an OIN is not recorded as one')
  })
}

t.test('the system role from its own issuer is accepted', async (t) => {
  const service = await app([])
  t.teardown(() => service.close())
  const res = await service.inject({ url: '/v1/me', headers: { authorization: `Bearer ${signToken(B.priv, { ...claims, iss: B.iss, roles: ['gateway'] })}` } })
  t.equal(res.statusCode, 200)
  t.same(res.json().roles, ['gateway'])
})

t.test('claims are bounded: an oversized or malformed sub, org or role is a 401, and its failure event passes the audit contract', async (t) => {
  // What the audit log would record for each failure, built by the same code the services use.
  const written: unknown[] = []
  const fakePool = { query: async (_text: string, values: unknown[]) => { written.push(...values); return { rows: [], rowCount: 1 } } }
  const log = createFailedAuthenticationLog({ pool: fakePool as never, source: 'gateway', pseudonymise: createPseudonymiser('k'.repeat(32)), windowMs: 60000, burst: 100, log: { error: () => {} } as never })
  t.teardown(() => log.close())
  const record = log.record
  const service = await createService({ name: 'auth-bounds', title: 't', description: 't', apiVersion: '1', logLevel: 'silent', bodyLimit: 4096, readiness: {} })
  const failures: AuthFailure[] = []
  await service.register(authenticationPlugin, {
    issuers: [{ iss: A.iss, publicKeyPem: A.pub }],
    audience: 'wams',
    onFailure: async (request, failure) => { failures.push(failure); await record(request, failure) }
  })
  service.get('/v1/me', { onRequest: service.authenticate }, async (request) => request.principal)
  await service.ready()
  t.teardown(() => service.close())

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['a sub of 257 characters', { sub: 's'.repeat(257) }, 'sub'],
    ['a sub of 9 800 characters (still fits in a header)', { sub: 'BSN 999990019 '.repeat(700) }, 'sub'],
    ['a NUL in sub', { sub: 'ambtenaar\u0000-1' }, 'sub'],
    ['an unpaired surrogate in sub', { sub: 'ambtenaar-\ud800' }, 'sub'],
    ['a noncharacter in sub', { sub: 'ambtenaar-\uffff' }, 'sub'],
    ['a control character in org', { org: `${ORG}\u0007` }, 'org'],
    ['seventeen roles', { roles: Array.from({ length: 17 }, () => 'college') }, 'roles']
  ]
  for (const [name, extra, claim] of cases) {
    failures.length = 0
    written.length = 0
    const res = await service.inject({ url: '/v1/me', headers: { authorization: `Bearer ${signToken(A.priv, { ...claims, ...extra })}` } })
    t.equal(res.statusCode, 401, `${name}: 401`)
    t.match(res.headers['content-type'], 'application/problem+json')
    t.equal(res.json().code, 'CLAIMS_INVALID', `${name}: CLAIMS_INVALID`)
    t.notOk(res.body.includes('999990019') || res.body.includes('sssssssss'), `${name}: the claim is not echoed`)
    t.equal(failures.length, 1)
    const claimed = failures[0]!.claimed
    // Out of bounds: no sub at all (caller-controlled text), roles only from the closed list.
    t.equal(claimed.sub, null, `${name}: no sub is recorded from a token with a claim out of bounds`)
    t.ok(claimed.omitted?.includes(claim), `${name}: the bad claim is named as left out`)
    if (claim === 'roles') t.same(claimed.roles, ['college'], 'roles only from the role list, each once')
    else if (claim === 'org') t.equal(claimed.org, null, `${name}: the bad org is left out of the record`)
    const event = written.map((v) => (typeof v === 'string' && v.startsWith('{"eventId"') ? JSON.parse(v) : null)).find(Boolean)
    t.match(event, { type: 'authentication.failed', outcome: 'rejected', reasons: ['CLAIMS_INVALID'] }, `${name}: the failure is written for the audit log`)
    t.notOk(JSON.stringify(event).includes('999990019'), `${name}: the record holds none of the bad claim`)
  }
  const fine = await service.inject({ url: '/v1/me', headers: { authorization: `Bearer ${signToken(A.priv, { ...claims, sub: 's'.repeat(256) })}` } })
  t.equal(fine.statusCode, 200, 'a sub of 256 characters is fine')
})
