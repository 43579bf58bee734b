// Rate limiting per organisation: the key is the verified token's org, so one party cannot exhaust
// the gateway for the others. It runs as a preHandler, after authentication (onRequest) has set
// the principal; unauthenticated routes (the public register) are limited per client address.
// The counters are per instance: with N instances a party gets up to N × the limit.
import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'

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
    errorResponseBuilder: (_request, context) => Object.assign(
      new Error(`Rate limit of ${context.max} requests per minute for your organisation exceeded; retry in ${context.after}`),
      { statusCode: context.statusCode, code: 'RATE_LIMITED' }
    )
  })
}

export default fp(rateLimitPlugin, { name: 'gateway-rate-limit' })
