// Rate limiting per organisation: the key is the verified token's org, so one party cannot exhaust
// the gateway for the others. It runs as a preHandler, after authentication (onRequest) has set
// the principal; unauthenticated routes (the public register) are limited per client address.
// The counters are per instance: with N instances a party gets up to N × the limit.
import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { RateLimitedError } from '../../errors.ts'

export interface RateLimitPluginOptions {
  perMinute: number
}

async function rateLimitPlugin (app: FastifyInstance, { perMinute }: RateLimitPluginOptions): Promise<void> {
  await app.register(rateLimit, {
    // Global for the routes registered after this plugin; the shell's health and OpenAPI routes
    // came before and stay unlimited.
    global: true,
    hook: 'preHandler',
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: (request: FastifyRequest) => request.principal ? `org:${request.principal.org}` : `ip:${request.ip}`,
    // Thrown by the rate limiter (after it set Retry-After); 429 problem+json with code RATE_LIMITED.
    errorResponseBuilder: (_request, context) => new RateLimitedError(context.max, context.after)
  })
}

export default fp(rateLimitPlugin, { name: 'gateway-rate-limit' })
