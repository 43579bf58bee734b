// The Fastify app every service is built on: logging with redaction, problem+json, API-Version,
// W3C trace context, NLGov security headers, OpenAPI 3 at /v1/openapi.json with a docs UI, and
// health endpoints. Services add their routes to the instance this returns.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import helmet from '@fastify/helmet'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { randomUUID } from 'node:crypto'
import { loggerOptions } from './logger.ts'
import problemPlugin, { problemSchema, problem, sendProblem } from './problem.ts'
import { parseTraceparent, type TraceContext } from './trace-context.ts'
import { isValidBsn } from './bsn.ts'

declare module 'fastify' {
  interface FastifyRequest { trace: TraceContext }
}

export type HealthCheck = () => Promise<boolean>

export interface ServiceOptions {
  name: string
  title: string
  description: string
  apiVersion: string
  logLevel: string
  bodyLimit: number
  /** Named readiness checks, e.g. { postgres, kafka }. */
  readiness: Record<string, HealthCheck>
  /** A pino instance to log with (shared with the service's runtime); default: a new one. */
  loggerInstance?: unknown
  https?: Record<string, unknown>
}

/** Fastify's ajv already has the standard formats; services add `bsn` (the eleven-test). */
export function ajvPlugins () {
  return [(ajv: { addFormat: (name: string, f: object) => void }) => ajv.addFormat('bsn', { type: 'string', validate: isValidBsn })]
}

export async function createService (options: ServiceOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: loggerOptions(options.name, options.logLevel) }),
    bodyLimit: options.bodyLimit,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    return503OnClosing: true,
    ...(options.https ? { https: options.https } : {}),
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false }, plugins: ajvPlugins() }
  } as unknown as FastifyServerOptions) as unknown as FastifyInstance

  app.decorateRequest('trace', null as unknown as TraceContext)
  app.addHook('onRequest', async (request, reply) => {
    request.trace = parseTraceparent(request.headers.traceparent)
    reply.header('API-Version', options.apiVersion)
    reply.header('traceparent', `00-${request.trace.traceId}-${request.trace.spanId}-${request.trace.flags}`)
    reply.header('Cache-Control', 'no-store')
  })

  // Only JSON is accepted; anything else is a 415 problem rather than a parser crash.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(['application/json', 'application/problem+json'], { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || body === undefined) return done(null, undefined)
    try {
      done(null, JSON.parse(body as string))
    } catch {
      const err = Object.assign(new Error('The body is not valid JSON'), { statusCode: 400, code: 'WAMS_INVALID_JSON' })
      done(err, undefined)
    }
  })
  app.addContentTypeParser('*', (request, payload, done) => {
    const err = Object.assign(new Error(`Unsupported media type ${request.headers['content-type'] ?? ''}; send application/json`), { statusCode: 415, code: 'WAMS_UNSUPPORTED_MEDIA_TYPE' })
    done(err, undefined)
  })

  await app.register(problemPlugin)
  await app.register(helmet, {
    // NLGov API design rules: no framing, no sniffing, HSTS, no referrer; the docs UI needs inline assets.
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"], scriptSrc: ["'self'", "'unsafe-inline'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'] } },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false
  })
  app.addSchema(problemSchema)

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: options.title, description: options.description, version: options.apiVersion },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } }
    }
  })
  await app.register(swaggerUi, { routePrefix: '/v1/docs', uiConfig: { docExpansion: 'list' } })
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'up' }))
  app.get('/health/ready', { schema: { hide: true } }, async (request, reply) => {
    const results = await Promise.all(Object.entries(options.readiness).map(async ([name, check]) => {
      try { return [name, await check()] as const } catch { return [name, false] as const }
    }))
    const checks = Object.fromEntries(results.map(([n, ok]) => [n, ok ? 'up' : 'down']))
    if (results.every(([, ok]) => ok)) return { status: 'up', checks }
    return sendProblem(reply, problem(503, 'Not ready: ' + results.filter(([, ok]) => !ok).map(([n]) => n).join(', '), { checks }))
  })

  return app
}
