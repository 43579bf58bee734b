// The errors the gateway throws, in one place, made with @fastify/error: each has its code and its
// status, and its message becomes the problem's `detail` (the platform's problem plugin renders
// it). Extension members a caller needs are attached where the error is thrown, with
// withProblemMembers from '@wams/platform'; headers such as Retry-After are set on the reply.
//
// Not here: the outcomes of a decision (deny, not-known, refused, the partner's errors,
// PARTNER_BUSY, AUDIT_UNAVAILABLE, …). Those are answers, built in outcomes.ts and audited, not
// errors. Nor the errors of authentication (TOKEN_MISSING, …), which the platform's plugin answers.
import createError from '@fastify/error'

/**
 * 503 before anything is decided: the audit log has not yet proven that it holds earlier evidence
 * (SPEC §7, plugins/app/evidence-gate.ts). Thrown with the members requestId and outcome 'error'
 * and with Retry-After. No stack: it is a state of the exchange, not a fault of the code.
 */
export const EvidenceBehindError = createError(
  'EVIDENCE_BEHIND',
  'The audit log has not yet proven that it holds earlier evidence; nothing is released until it has. Try again later.',
  503, Error, false
)

/**
 * 429: the organisation (or, on a public route, the client address) made more requests in a
 * minute than RATE_LIMIT_PER_MINUTE (plugins/external/rate-limit.ts). Arguments: the limit, and
 * when to retry in words; Retry-After is set by the rate limiter.
 */
export const RateLimitedError = createError<[number, string]>(
  'RATE_LIMITED',
  'Rate limit of %s requests per minute for your organisation exceeded; retry in %s',
  429, Error, false
)
