// The errors the demo partner systems throw, in one place, made with @fastify/error: each has its
// code and its status, and its message becomes the problem's `detail` (the platform's problem
// plugin renders it). Extension members are attached where the error is thrown, with
// withProblemMembers from '@wams/platform'; WWW-Authenticate is set on the reply.
//
// Not here: a partner's answers that are part of its contract with the gateway (SPEC §6) — the
// subject not known (404 SUBJECT_NOT_KNOWN), a refusal for weighty reasons (451 REFUSED) — and the
// answers of a configured fault (500 SOURCE_FAILED, 503 SOURCE_UNAVAILABLE), which play a failing
// source system. Those are answered as they are, in routes/data-requests.
import createError from '@fastify/error'
import type { TokenFailure } from './gateway-token.ts'

/** 404: no party of the register is served at /partners/{oin}. */
export const PartnerNotFoundError = createError('PARTNER_NOT_FOUND', 'No partner system is served at this path', 404)

const NOT_A_GATEWAY_TOKEN = 'The bearer token is not a valid gateway token for this partner'

/** 401: no bearer token. */
export const TokenMissingError = createError('TOKEN_MISSING', 'A bearer token signed by the gateway is required', 401)
/** 401: not a token of the gateway's key (malformed, another key or algorithm, no exp, …). */
export const TokenInvalidError = createError('TOKEN_INVALID', NOT_A_GATEWAY_TOKEN, 401)
/** 401: the gateway's token, expired. */
export const TokenExpiredError = createError('TOKEN_EXPIRED', NOT_A_GATEWAY_TOKEN, 401)
/** 401: signed with the gateway's key, but another iss. */
export const IssuerUntrustedError = createError('ISSUER_UNTRUSTED', NOT_A_GATEWAY_TOKEN, 401)
/** 401: a token for another partner (its aud is not this partner's OIN). */
export const AudienceInvalidError = createError('AUDIENCE_INVALID', NOT_A_GATEWAY_TOKEN, 401)
/** 401: a valid token, but bound by the gateway to another request than the body's requestId. */
export const TokenForAnotherRequestError = createError('TOKEN_INVALID', 'The bearer token was issued for another request', 401)

/** The error of each way a gateway token can fail (gateway-token.ts). */
export const TOKEN_ERRORS = {
  TOKEN_MISSING: TokenMissingError,
  TOKEN_INVALID: TokenInvalidError,
  TOKEN_EXPIRED: TokenExpiredError,
  ISSUER_UNTRUSTED: IssuerUntrustedError,
  AUDIENCE_INVALID: AudienceInvalidError
} as const satisfies Record<TokenFailure, unknown>

/** 400: the party does not supply the category asked for. Arguments: the party's name, the category; member requestId. */
export const CategoryNotSuppliedError = createError<[string, string]>('CATEGORY_NOT_SUPPLIED', '%s does not supply category %s', 400)
