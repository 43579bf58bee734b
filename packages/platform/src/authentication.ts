// Bearer JWTs from trusted issuers, verified against their public keys: a PEM key given in the
// configuration, or the keys an identity provider publishes (OpenID Connect discovery or a JWKS
// URL; jwks.ts: cached, fetched again for an unknown kid at most once per JWKS_MIN_REFRESH_MS, so
// a key rotation needs no restart). Algorithms are pinned to asymmetric ones (never `none`, never
// HMAC), and iss, aud and exp are checked. Claims: sub, org (OIN), roles. Optional mutual TLS: the
// OIN in the client certificate must equal `org`.
import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { createPublicKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { problem, sendProblem } from './problem.ts'
import { isPolicyText } from './text-policy.ts'
import { RemoteIssuerKeys, checkProviderUrl, type RemoteKeysOptions } from './jwks.ts'
import commonSchema from '@wams/schemas/common.schema.json' with { type: 'json' }
import type { Role } from '@wams/schemas'

// The roles come from the contract (schemas/common.schema.json). 'gateway' is a system role: only
// the gateway's own key issues it (its calls to the consent ledger).
export const ROLES = commonSchema.$defs.role.enum as readonly Role[]
export type { Role }
export const ALGORITHMS = ['EdDSA', 'ES256'] as const

/**
 * A trusted issuer and where its keys come from: one PEM key (publicKeyPem or publicKeyFile), or
 * the identity provider's published keys, by discovery (`{iss}/.well-known/openid-configuration`
 * → jwks_uri) or by `jwksUri`.
 */
export interface TrustedIssuer { iss: string, publicKeyPem?: string, publicKeyFile?: string, discovery?: boolean, jwksUri?: string }

export interface Principal { iss: string, sub: string, org: string, roles: Role[] }

export type AuthFailureReason =
  | 'TOKEN_MISSING' | 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'ISSUER_UNTRUSTED' | 'AUDIENCE_INVALID'
  | 'CLAIMS_INVALID' | 'ORG_NOT_REGISTERED' | 'CERTIFICATE_MISMATCH'

export interface AuthFailure {
  reason: AuthFailureReason
  /**
   * Unverified claims, for the audit record of the attempt; never trusted for a decision. A claim
   * too long for the audit event or outside the text policy is left out (null) and named in `omitted`.
   */
  claimed: { org: string | null, sub: string | null, roles: string[], omitted?: string[] }
}

/** Bounds of the claims a token may carry (the audit event contract holds no more). */
export const CLAIM_LIMITS = { sub: 256, org: 64, role: 64, roles: 16 } as const

export interface AuthenticationOptions {
  issuers: TrustedIssuer[]
  audience: string
  /** When set, `org` must be an active party (403 otherwise). */
  isActiveParty?: (org: string) => boolean
  /** Mutual TLS: the OIN of the client certificate must equal `org`. */
  requireCertificateOin?: boolean
  onFailure?: (request: FastifyRequest, failure: AuthFailure) => Promise<void>
  /**
   * System roles (`gateway`) are accepted only from the issuers listed here: a person's token
   * from a trusted identity provider must not be able to claim to be the gateway.
   */
  systemRoleIssuers?: Partial<Record<SystemRole, string[]>>
  /** How the keys of issuers with discovery or jwksUri are fetched (defaults: JWKS_DEFAULTS). */
  jwks?: Partial<Omit<RemoteKeysOptions, 'log'>>
}

/** The defaults of JWKS_MIN_REFRESH_MS, JWKS_REFRESH_MS and JWKS_TIMEOUT_MS. */
export const JWKS_DEFAULTS = { minRefreshMs: 30_000, refreshMs: 300_000, timeoutMs: 2000 } as const

/** The JWKS options of a service's configuration (baseConfigSchema). */
export function jwksOptionsOf (config: { JWKS_MIN_REFRESH_MS?: number, JWKS_REFRESH_MS?: number, JWKS_TIMEOUT_MS?: number }): Omit<RemoteKeysOptions, 'log'> {
  return {
    minRefreshMs: config.JWKS_MIN_REFRESH_MS ?? JWKS_DEFAULTS.minRefreshMs,
    refreshMs: config.JWKS_REFRESH_MS ?? JWKS_DEFAULTS.refreshMs,
    timeoutMs: config.JWKS_TIMEOUT_MS ?? JWKS_DEFAULTS.timeoutMs
  }
}

export const SYSTEM_ROLES = ['gateway'] as const satisfies readonly Role[]
export type SystemRole = typeof SYSTEM_ROLES[number]

declare module 'fastify' {
  interface FastifyInstance { authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void> }
  interface FastifyRequest { principal: Principal }
}

export function parseTrustedIssuers (json: string): TrustedIssuer[] {
  const list = JSON.parse(json) as TrustedIssuer[]
  const sources = (i: TrustedIssuer) => [i.publicKeyPem !== undefined || i.publicKeyFile !== undefined, i.discovery === true, i.jwksUri !== undefined].filter(Boolean).length
  if (!Array.isArray(list) || list.some((i) => typeof i?.iss !== 'string' || sources(i) !== 1 || (i.jwksUri !== undefined && typeof i.jwksUri !== 'string'))) {
    throw new Error('JWT_TRUSTED_ISSUERS must be a JSON array of { iss, and one of: publicKeyPem | publicKeyFile | "discovery": true | jwksUri }')
  }
  // A provider's URLs are checked at start: https (http only on this machine).
  for (const i of list) {
    if (i.discovery === true) checkProviderUrl(i.iss, `iss ${i.iss} (discovery)`)
    if (i.jwksUri !== undefined) checkProviderUrl(i.jwksUri, `jwksUri of ${i.iss}`)
  }
  return list
}

/** The OIN of a PKIoverheid-style certificate: subject serialNumber (20 digits). */
export function certificateOin (subject: Record<string, unknown> | undefined): string | null {
  const serial = subject?.serialNumber
  const value = Array.isArray(serial) ? serial[0] : serial
  return typeof value === 'string' && /^[0-9]{20}$/.test(value) ? value : null
}

/** The WWW-Authenticate challenge of a 401 (RFC 6750 §3); with a description when a token was refused. */
export function bearerChallenge (refused?: string): string {
  if (refused === undefined) return 'Bearer realm="wams"'
  return `Bearer realm="wams", error="invalid_token", error_description="${refused.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, ' ')}"`
}

const claimText = (value: unknown, max: number): value is string => typeof value === 'string' && isPolicyText(value, max)

/**
 * The claims a failure may be recorded with: only what a trusted issuer's signature vouches for,
 * and nothing a caller could use to write text into the evidence. A token whose signature did
 * not verify credits nobody (`payload` null). Of a verified token: org only in the shape of an
 * OIN; roles only from the closed role list; sub only when every claim was in bounds (`inBounds`);
 * a claim left out is named in `omitted`.
 */
function vouchedClaims (payload: Record<string, unknown> | null, inBounds: boolean): AuthFailure['claimed'] {
  if (payload === null) return { org: null, sub: null, roles: [] }
  const omitted: string[] = []
  const org = typeof payload.org === 'string' && /^[0-9]{20}$/.test(payload.org) ? payload.org : null
  if (org === null && payload.org !== undefined) omitted.push('org')
  const sub = inBounds && claimText(payload.sub, CLAIM_LIMITS.sub) ? payload.sub : null
  if (sub === null && payload.sub !== undefined) omitted.push('sub')
  const rawRoles = Array.isArray(payload.roles) ? payload.roles : []
  const roles = [...new Set(rawRoles.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r)))]
  if (roles.length < rawRoles.length) omitted.push('roles')
  return { org, sub, roles, ...(omitted.length > 0 ? { omitted } : {}) }
}

/** Why the verified claims are out of bounds, or null: each is short and within the text policy. */
function claimsOutOfBounds (payload: Record<string, unknown>): string | null {
  const { sub, org, iss, roles } = payload
  if (typeof sub === 'string' && !claimText(sub, CLAIM_LIMITS.sub)) return `sub (at most ${CLAIM_LIMITS.sub} characters of text)`
  if (typeof org === 'string' && !claimText(org, CLAIM_LIMITS.org)) return `org (at most ${CLAIM_LIMITS.org} characters of text)`
  if (typeof iss === 'string' && !claimText(iss, 1024)) return 'iss'
  if (Array.isArray(roles) && (roles.length > CLAIM_LIMITS.roles || roles.some((r) => typeof r === 'string' && !claimText(r, CLAIM_LIMITS.role)))) {
    return `roles (at most ${CLAIM_LIMITS.roles}, each at most ${CLAIM_LIMITS.role} characters of text)`
  }
  return null
}

function reasonOf (err: { code?: string, message?: string }): AuthFailureReason {
  const code = err.code ?? ''
  if (code.includes('NO_AUTHORIZATION')) return 'TOKEN_MISSING'
  if (code.includes('EXPIRED')) return 'TOKEN_EXPIRED'
  if (/aud/i.test(err.message ?? '')) return 'AUDIENCE_INVALID'
  if (/iss/i.test(err.message ?? '')) return 'ISSUER_UNTRUSTED'
  return 'TOKEN_INVALID'
}

async function authenticationPlugin (app: FastifyInstance, options: AuthenticationOptions): Promise<void> {
  const keys = new Map<string, KeyObject>()
  const remote = new Map<string, RemoteIssuerKeys>()
  const jwksOptions = { ...JWKS_DEFAULTS, ...options.jwks, log: app.log }
  for (const issuer of options.issuers) {
    if (issuer.discovery === true || issuer.jwksUri !== undefined) {
      remote.set(issuer.iss, new RemoteIssuerKeys(issuer.iss, issuer.jwksUri !== undefined ? { jwksUri: issuer.jwksUri } : { discovery: true }, jwksOptions))
      continue
    }
    const pem = issuer.publicKeyPem ?? readFileSync(issuer.publicKeyFile!, 'utf8')
    keys.set(issuer.iss, createPublicKey(pem))
  }
  const pems = new Map([...keys].map(([iss, key]) => [iss, key.export({ type: 'spki', format: 'pem' }).toString()]))
  // The providers' keys are fetched at start (not waited for) and refreshed in the background.
  app.addHook('onReady', async () => { for (const r of remote.values()) r.start() })
  app.addHook('onClose', async () => { for (const r of remote.values()) r.stop() })

  await app.register(jwt, {
    // The key is chosen by the (unverified) iss, and for an identity provider by the (unverified)
    // kid; an unknown issuer or key gets no key and fails. Only a pinned algorithm may make a
    // provider's key set be fetched.
    secret: {
      public: async (_request: FastifyRequest, token: { header?: { alg?: unknown, kid?: unknown }, payload?: { iss?: string } }) => {
        const iss = token.payload?.iss ?? ''
        const pem = pems.get(iss)
        if (pem !== undefined) return pem
        const provider = remote.get(iss)
        if (provider === undefined) throw Object.assign(new Error('issuer is not trusted'), { code: 'WAMS_ISSUER_UNTRUSTED' })
        if (!(ALGORITHMS as readonly unknown[]).includes(token.header?.alg)) throw Object.assign(new Error('algorithm not allowed'), { code: 'WAMS_ALGORITHM_REFUSED' })
        if (token.header?.kid !== undefined && (typeof token.header.kid !== 'string' || token.header.kid.length > 256)) {
          throw Object.assign(new Error('kid out of bounds'), { code: 'WAMS_KEY_UNKNOWN' })
        }
        return provider.key(token.header ?? {})
      },
      private: 'unused-verification-only'
    } as never,
    // The secret callback above picks the key by header-and-payload form ({ payload: { iss } }).
    decode: { complete: true },
    // The cache keeps verified tokens (until they expire): a professional's token is verified once, not per request.
    verify: { algorithms: [...ALGORITHMS], allowedAud: options.audience, allowedIss: [...keys.keys(), ...remote.keys()], requiredClaims: ['exp', 'iss', 'sub', 'aud'], cache: 1000 } as never
  })

  app.decorateRequest('principal', null as unknown as Principal)
  app.decorate('authenticate', async function (request: FastifyRequest, reply: FastifyReply) {
    let payload: Record<string, unknown> | null = null
    let inBounds = false
    const fail = async (status: 401 | 403, reason: AuthFailureReason, detail: string) => {
      await options.onFailure?.(request, { reason, claimed: vouchedClaims(payload, inBounds) })
      // RFC 6750 §3: the challenge, and when a token was sent, why it was not accepted.
      if (status === 401) reply.header('www-authenticate', bearerChallenge(reason === 'TOKEN_MISSING' ? undefined : detail))
      return sendProblem(reply, problem(status, detail, { code: reason }))
    }
    let verified: Record<string, unknown>
    try {
      verified = await request.jwtVerify<Record<string, unknown>>()
    } catch (err) {
      const code = (err as { code?: string }).code ?? ''
      // The identity provider could not be asked and no key it published before fits: refused, not a 500.
      if (code === 'WAMS_JWKS_UNAVAILABLE') return fail(401, 'TOKEN_INVALID', 'The bearer token could not be checked: the keys of its issuer are unavailable')
      const reason = code === 'WAMS_ISSUER_UNTRUSTED' ? 'ISSUER_UNTRUSTED' : code.startsWith('WAMS_') ? 'TOKEN_INVALID' : reasonOf(err as Error)
      return fail(401, reason, reason === 'TOKEN_MISSING' ? 'A bearer token is required' : 'The bearer token is not valid')
    }
    payload = verified
    const { org, sub, roles, iss } = verified
    // Bounded before anything else: an oversized or malformed claim never reaches a decision or
    // an audit event (which could not hold it).
    const outOfBounds = claimsOutOfBounds(verified)
    if (outOfBounds !== null) return fail(401, 'CLAIMS_INVALID', `A claim of the token is out of bounds: ${outOfBounds}`)
    inBounds = true
    if (typeof org !== 'string' || !/^[0-9]{20}$/.test(org) || typeof sub !== 'string' || sub.length === 0 ||
        !Array.isArray(roles) || roles.length === 0 || !roles.every((r) => (ROLES as readonly unknown[]).includes(r))) {
      return fail(401, 'CLAIMS_INVALID', `The token needs org (20-digit OIN), sub and roles (any of ${ROLES.join(', ')})`)
    }
    const forged = (roles as Role[]).filter((r) => (SYSTEM_ROLES as readonly Role[]).includes(r) &&
      !(options.systemRoleIssuers?.[r as SystemRole] ?? []).includes(String(iss)))
    if (forged.length > 0) return fail(401, 'CLAIMS_INVALID', `The role ${forged.join(', ')} is not accepted from this issuer`)
    if (options.isActiveParty && !options.isActiveParty(org)) {
      return fail(403, 'ORG_NOT_REGISTERED', 'The organisation of the token is not an active party in the register')
    }
    if (options.requireCertificateOin) {
      const socket = request.raw.socket as { getPeerCertificate?: () => { subject?: Record<string, unknown> } }
      const oin = certificateOin(socket.getPeerCertificate?.()?.subject)
      if (oin !== org) return fail(401, 'CERTIFICATE_MISMATCH', 'The OIN of the client certificate does not match the token\'s org')
    }
    request.principal = { iss: String(iss), sub, org, roles: roles as Role[] }
  })
}

export default fp(authenticationPlugin, { name: 'wams-authentication' })
