// Rate limiting per organisation: the key is the verified token's org, so one party cannot exhaust
// the gateway for the others. It runs as a preHandler, after authentication (onRequest) has set
// the principal; unauthenticated routes (the public register) are limited per client address.
// With RATE_LIMIT_REDIS_URL the count is shared by every gateway instance (shared-rate-limit.ts:
// Redis, failing open to the instance's own count when Redis does not answer); without it each
// instance counts alone, in memory (N instances: up to N × the limit).
// Callers see the limit: RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset
// (draft-ietf-httpapi-ratelimit-headers) on every answer of a limited route, and Retry-After with
// the 429.
import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { RateLimitedError } from '../../errors.ts'
import { SharedCounter, sharedStore } from '../../shared-rate-limit.ts'

export interface RateLimitPluginOptions {
  perMinute: number
  /** Redis shared by the instances; empty or absent: in memory, per instance. */
  redisUrl?: string
  redisPrefix?: string
  redisTimeoutMs?: number
}

async function rateLimitPlugin (app: FastifyInstance, options: RateLimitPluginOptions): Promise<void> {
  let store
  if (options.redisUrl) {
    const counter = new SharedCounter({
      url: options.redisUrl,
      prefix: options.redisPrefix ?? 'wams:rate-limit:',
      timeoutMs: options.redisTimeoutMs ?? 100,
      log: app.log
    })
    // Startup waits for Redis at most a second: without it the gateway starts, counting alone.
    await counter.connect(1000)
    app.addHook('onClose', () => counter.close())
    store = sharedStore(counter)
  }
  await app.register(rateLimit, {
    // Global for the routes registered after this plugin; the shell's health and OpenAPI routes
    // came before and stay unlimited.
    global: true,
    hook: 'preHandler',
    max: options.perMinute,
    timeWindow: 60_000,
    ...(store ? { store } : {}),
    // RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset (seconds) and, on a 429, Retry-After.
    enableDraftSpec: true,
    keyGenerator: (request: FastifyRequest) => request.principal ? `org:${request.principal.org}` : `ip:${request.ip}`,
    // Thrown by the rate limiter (after it set Retry-After); 429 problem+json with code RATE_LIMITED.
    errorResponseBuilder: (_request, context) => new RateLimitedError(context.max, context.after)
  })
}

export default fp(rateLimitPlugin, { name: 'gateway-rate-limit' })
