// The callers the fuzzer speaks as: valid tokens of several parties and roles (signed by the dev
// issuer, as the other tests do) and broken ones (none, garbage, tampered, expired, wrong audience,
// untrusted issuer, alg none, HMAC with the public key, claims out of bounds). Every token is made
// once; the fuzzer picks among them.
import { createHmac, generateKeyPairSync } from 'node:crypto'
import { createSigner } from 'fast-jwt'
import { issuer, token } from '../support/tokens.ts'
import { COORDINATOR, OIN } from '../support/parties.ts'

export interface Caller {
  /** A short name for the report. */
  name: string
  /** The Authorization header, or none. */
  authorization: string | null
  /** Valid (verified by the services) or broken (must be 401). */
  valid: boolean
  org?: string
  sub?: string
  roles?: string[]
}

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)
const TTL = 4 * 3600

function valid (name: string, org: string, roles: string[], sub: string): Caller {
  return { name, authorization: `Bearer ${token({ org, roles, sub, ttlSeconds: TTL })}`, valid: true, org, sub, roles }
}

/** Tokens the services must accept (whatever the decision then is). */
export const validCallers: Caller[] = [
  valid('college-0101', OIN.gemeente, ['college'], 'college-desk'),
  valid('coordinator-anna', COORDINATOR.org, ['coordinator'], COORDINATOR.sub),
  valid('coordinator-bert', OIN.gemeente, ['coordinator'], 'coordinator-bert'),
  valid('college+coordinator', OIN.gemeente, ['college', 'coordinator'], COORDINATOR.sub),
  valid('college-0102', OIN.otherGemeente, ['college'], 'college-buurdorp'),
  valid('pro-ggd', OIN.ggd, ['professional'], 'pro-ggd'),
  valid('pro-huisarts', OIN.huisarts, ['professional'], 'pro-huisarts'),
  valid('pro-zorgaanbieder', OIN.zorgaanbieder, ['professional'], 'pro-zorg'),
  valid('pro-politie', OIN.politie, ['professional'], 'pro-politie'),
  valid('pro-woningcorporatie', OIN.woningcorporatie, ['professional'], 'pro-woon'),
  valid('pro-uwv', OIN.uwv, ['professional'], 'pro-uwv'),
  valid('pro-inactive-0702', OIN.inactiveWoningcorporatie, ['professional'], 'pro-oud'),
  valid('college-unregistered', OIN.unregistered, ['college'], 'college-nergens'),
  valid('supervisor-ap', OIN.toezichthouder, ['supervisor'], 'ap-inspecteur'),
  valid('supervisor-role-at-gemeente', OIN.gemeente, ['supervisor'], 'not-the-ap'),
  // Valid claims that are unusual but within bounds: unicode and a long sub.
  valid('college-unicode-sub', OIN.gemeente, ['college'], 'wéthoudér-Ünïcødé-🙂'),
  valid('college-256-sub', OIN.gemeente, ['college'], 's'.repeat(256)),
  // The system role of the gateway's own tokens. In development the dev issuer is also the
  // gateway's issuer (GATEWAY_ISSUER), so the consent ledger accepts it; the others refuse it.
  valid('system-role-gateway', '00000099000000009000', ['gateway'], 'gateway')
]

export const byName = (name: string): Caller => {
  const c = [...validCallers, ...brokenCallers()].find((x) => x.name === name)
  if (!c) throw new Error(`no caller ${name}`)
  return c
}

let broken: Caller[] | null = null

/** Tokens every service must refuse with 401 (problem+json). */
export function brokenCallers (): Caller[] {
  if (broken) return broken
  const claims = { iss: issuer.iss, sub: 'college-desk', org: OIN.gemeente, roles: ['college'], aud: 'wams' }
  const good = token({ org: OIN.gemeente, roles: ['college'], sub: 'college-desk', ttlSeconds: TTL })
  const [h, , s] = good.split('.')
  const signRaw = (payload: Record<string, unknown>) => createSigner({ key: issuer.privateKeyPem, algorithm: 'EdDSA' })(payload)
  const { privateKey: otherKey } = generateKeyPairSync('ed25519')
  const otherPem = otherKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const hmacHeader = b64url({ alg: 'HS256', typ: 'JWT' })
  const hmacPayload = b64url({ ...claims, exp: now() + TTL })
  const hmac = createHmac('sha256', issuer.publicKeyPem).update(`${hmacHeader}.${hmacPayload}`).digest('base64url')
  const bearer = (t: string) => `Bearer ${t}`
  const withClaims = (extra: Record<string, unknown>) => bearer(token({ org: OIN.gemeente, roles: ['college'], sub: 'college-desk', ttlSeconds: TTL, ...extra } as never))
  const list: Array<[string, string | null]> = [
    ['no-token', null],
    ['empty-bearer', 'Bearer '],
    ['garbage', 'Bearer not.a.jwt'],
    ['basic-auth', 'Basic dXNlcjpwYXNz'],
    ['bsn-as-token', 'Bearer 999990019'],
    ['tampered-payload', bearer(`${h}.${b64url({ ...claims, roles: ['supervisor'], org: OIN.toezichthouder, exp: now() + TTL })}.${s}`)],
    ['bad-signature', bearer(`${h}.${good.split('.')[1]}.${Buffer.alloc(64, 7).toString('base64url')}`)],
    ['expired', bearer(signRaw({ ...claims, exp: now() - 600 }))],
    ['no-exp', bearer(signRaw({ ...claims }))],
    ['wrong-audience', bearer(token({ org: OIN.gemeente, roles: ['college'], sub: 'college-desk', aud: 'not-wams', ttlSeconds: TTL }))],
    ['untrusted-issuer', bearer(createSigner({ key: otherPem, algorithm: 'EdDSA' })({ ...claims, iss: 'https://evil.example', exp: now() + TTL }))],
    ['alg-none', bearer(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ ...claims, exp: now() + TTL })}.`)],
    ['hs256-public-key', bearer(`${hmacHeader}.${hmacPayload}.${hmac}`)],
    ['org-not-oin', withClaims({ org: 'gemeente' })],
    ['org-bsn', withClaims({ org: '999990019' })],
    ['roles-empty', withClaims({ roles: [] })],
    ['roles-unknown', withClaims({ roles: ['admin'] })],
    ['roles-string', withClaims({ roles: 'college' })],
    ['roles-17', withClaims({ roles: Array(17).fill('college') })],
    ['sub-empty', withClaims({ sub: '' })],
    ['sub-257', withClaims({ sub: 'x'.repeat(257) })],
    ['sub-10k', withClaims({ sub: 'x'.repeat(10_000) })],
    ['sub-nul', withClaims({ sub: 'college\u0000desk' })],
    ['sub-lone-surrogate', withClaims({ sub: 'college\ud800' })],
    ['sub-noncharacter', withClaims({ sub: 'college\uffff' })],
    ['sub-escape', withClaims({ sub: 'college\u001b[2J' })],
    ['sub-number', withClaims({ sub: 999990019 })]
  ]
  broken = list.map(([name, authorization]) => ({ name, authorization, valid: false }))
  return broken
}
