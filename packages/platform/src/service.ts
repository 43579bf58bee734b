// The Fastify app every service is built on: logging with redaction, problem+json, API-Version,
// W3C trace context, NLGov security headers, OpenAPI 3 at /v1/openapi.json with a docs UI, and
// health endpoints. Services add their routes to the instance this returns.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import securityHeaders from './security-headers.ts'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { Ajv, type AnySchema } from 'ajv'
import addFormats from 'ajv-formats'
import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { loggerOptions } from './logger.ts'
import problemPlugin, { problemSchema, problem, sendProblem, PROBLEM_TYPE, type Problem } from './problem.ts'
import { swaggerOptions, type AdrDeviation, type ApiContact } from './openapi.ts'
import { acceptable, producedTypes, RouteTable } from './http-rules.ts'
import { parseTraceparent, type TraceContext } from './trace-context.ts'
import { isValidBsn } from './bsn.ts'
import { checkTextPolicy, isStorableDateTime } from './text-policy.ts'

declare module 'fastify' {
  interface FastifyRequest { trace: TraceContext }
}

/**
 * A readiness check: true (up), false (down: not ready, 503), or a report with details. A
 * `degraded` report keeps the service ready (200) but says what needs an operator's attention.
 */
export type HealthReport = { status: 'up' | 'degraded' | 'down', detail?: Record<string, unknown> }
export type HealthCheck = () => Promise<boolean | HealthReport>

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
  /**
   * The server URL of the OpenAPI document, which its paths are relative to; default /v<major of
   * apiVersion>. A service whose routes lie elsewhere (the demo partners) passes '/'.
   */
  basePath?: string
  /** info.contact of the OpenAPI document; default DEFAULT_CONTACT. */
  contact?: ApiContact
  /** Descriptions of the OpenAPI tags the routes use. */
  tags?: Record<string, string>
  /** The service's deliberate deviations from the API Design Rules, published in its document. */
  deviations?: AdrDeviation[]
}

/**
 * The formats of request validation on top of the standard ones: `bsn` (the eleven-test), and
 * `date-time` narrowed to what PostgreSQL and JavaScript can both hold (no year 0000, no leap
 * second, offsets within ±15:59), so a valid date never becomes a database error.
 */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export function ajvPlugins () {
  return [(ajv: { addFormat: (name: string, f: object) => void }) => {
    ajv.addFormat('bsn', { type: 'string', validate: isValidBsn })
    ajv.addFormat('date-time', { type: 'string', validate: isStorableDateTime })
    // Identifiers in their one canonical form: a UUID in lower case, without the urn:uuid: prefix
    // that the standard format allows (a case id is then recorded and found as one string).
    ajv.addFormat('uuid', { type: 'string', validate: (v: string) => CANONICAL_UUID.test(v) })
  }]
}

/** The longest URL (path and query) served; a longer one is a 414 problem. */
export const MAX_URL_LENGTH = 8192

/**
 * Request validation with two ajv instances. Bodies are JSON and are taken as they are: a number
 * where a string is expected (or "true" where a boolean is) is a 400, never silently converted.
 * Path parameters and query strings are text by nature: declared integers and booleans there are
 * coerced (and a single value becomes a one-item array). Both know the shared schemas.
 */
function buildValidator (externalSchemas: Record<string, unknown>) {
  const make = (coerceTypes: false | 'array') => {
    const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: true, addUsedSchema: false })
    addFormats.default(ajv)
    for (const plugin of ajvPlugins()) plugin(ajv as never)
    for (const schema of Object.values(externalSchemas)) ajv.addSchema(schema as AnySchema)
    return ajv
  }
  const strict = make(false)
  const coercing = make('array')
  return ({ schema, httpPart }: { schema: AnySchema & { $id?: string }, httpPart?: string }) => {
    const ajv = httpPart === 'body' ? strict : coercing
    if (typeof schema === 'object' && schema.$id) {
      const stored = ajv.getSchema(schema.$id)
      if (stored) return stored
    }
    return ajv.compile(schema)
  }
}

/**
 * The NLGov security headers on an answer that did not pass through helmet (framework and client
 * errors, and answers the shell gives before helmet's hook ran): the same names, the strictest values.
 */
const RAW_SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'"
}

/** The OpenAPI document: readable from any origin (CORS), as the API Design Rules require. */
const OPENAPI_PATH = '/v1/openapi.json'

/** Headers of a problem answered outside the routed request life (framework and client errors). */
function frameworkHeaders (reply: FastifyReply, apiVersion: string): void {
  reply.header('API-Version', apiVersion)
  for (const [name, value] of Object.entries(RAW_SECURITY_HEADERS)) reply.header(name, value)
}

/** Errors of the framework before a route runs: a malformed URL (400), a too long path parameter (414). */
function frameworkError (apiVersion: string) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    frameworkHeaders(reply, apiVersion)
    if (error.code === 'FST_ERR_BAD_URL') {
      return sendProblem(reply, problem(400, 'The URL is malformed (an invalid percent-encoding)', { code: 'WAMS_BAD_URL' }))
    }
    if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
      return sendProblem(reply, problem(414, 'A path segment of the URL is too long', { code: 'WAMS_URI_TOO_LONG' }))
    }
    request.log.error({ err: { code: error.code, message: error.message } }, 'framework error')
    return sendProblem(reply, problem(500, 'An internal error occurred; it has been logged with the request id.', { code: 'WAMS_INTERNAL', requestId: request.id }))
  }
}

/**
 * Errors Node's HTTP parser finds before Fastify sees a request (a URL or headers beyond the
 * parser's limit, a malformed request line): answered with a problem+json written to the socket,
 * then the connection is closed. A request line that does not fit is a 414, headers a 431.
 */
function clientErrorHandler (apiVersion: string) {
  return function (this: FastifyInstance, err: Error & { code?: string, rawPacket?: Buffer }, socket: Socket): void {
    if (err.code === 'ECONNRESET' || socket.destroyed) return
    let p: Problem
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      const raw = err.rawPacket?.subarray(0, MAX_URL_LENGTH + 64).toString('latin1') ?? ''
      const lineEnd = raw.indexOf('\r\n')
      const requestLine = /^[A-Z]+ /.test(raw) && (lineEnd === -1 || lineEnd > MAX_URL_LENGTH)
      p = requestLine
        ? problem(414, `The URL is longer than ${MAX_URL_LENGTH} bytes`, { code: 'WAMS_URI_TOO_LONG' })
        : problem(431, 'The request headers are too large', { code: 'WAMS_HEADERS_TOO_LARGE' })
    } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      p = problem(408, 'The request was not received in time', { code: 'WAMS_REQUEST_TIMEOUT' })
    } else {
      p = problem(400, 'The request is not valid HTTP', { code: 'WAMS_BAD_REQUEST' })
    }
    this.log.debug({ clientError: err.code ?? 'unknown', status: p.status }, 'client error')
    if (socket.writable) {
      const body = JSON.stringify(p)
      const headers = {
        'Content-Type': PROBLEM_TYPE,
        'Content-Length': String(Buffer.byteLength(body)),
        'API-Version': apiVersion,
        ...RAW_SECURITY_HEADERS,
        Connection: 'close'
      }
      socket.write(`HTTP/1.1 ${p.status} ${STATUS_CODES[p.status] ?? 'Error'}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`)
    }
    socket.destroy()
  }
}

export async function createService (options: ServiceOptions): Promise<FastifyInstance> {
  const routes = new RouteTable()
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: loggerOptions(options.name, options.logLevel) }),
    bodyLimit: options.bodyLimit,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // While shutting down, the onRequest hook below answers 503 as problem+json (Fastify's own is not).
    return503OnClosing: false,
    frameworkErrors: frameworkError(options.apiVersion),
    clientErrorHandler: clientErrorHandler(options.apiVersion),
    ...(options.https ? { https: options.https } : {}),
    schemaController: { compilersFactory: { buildValidator } }
  } as unknown as FastifyServerOptions) as unknown as FastifyInstance

  // Every route, to answer 405 with Allow (a known path, another method) and OPTIONS.
  app.addHook('onRoute', (route) => { routes.add(route.url, route.method) })

  let closing = false
  app.addHook('preClose', async () => { closing = true })

  // A route's schema is fixed once it is registered: what it produces is read off it once.
  const producedBySchema = new WeakMap<object, string[] | null>()
  const producedTypesOf = (schema: object | undefined): string[] | null => {
    if (schema === undefined) return null
    let types = producedBySchema.get(schema)
    if (types === undefined) producedBySchema.set(schema, types = producedTypes(schema))
    return types
  }

  app.decorateRequest('trace', null as unknown as TraceContext)
  app.addHook('onRequest', async (request, reply) => {
    request.trace = parseTraceparent(request.headers.traceparent)
    reply.header('API-Version', options.apiVersion)
    reply.header('traceparent', `00-${request.trace.traceId}-${request.trace.spanId}-${request.trace.flags}`)
    reply.header('Cache-Control', 'no-store')
    if (closing) {
      reply.header('Connection', 'close')
      reply.header('Retry-After', '1')
      return sendProblem(reply, problem(503, 'The service is shutting down; try again', { code: 'WAMS_SHUTTING_DOWN' }))
    }
    if (request.url.length > MAX_URL_LENGTH) {
      return sendProblem(reply, problem(414, `The URL is longer than ${MAX_URL_LENGTH} bytes`, { code: 'WAMS_URI_TOO_LONG' }))
    }
    // Content negotiation: a route answers in the media types its response schema declares.
    const produced = producedTypesOf(request.routeOptions.schema)
    if (produced !== null && !acceptable(request.headers.accept, produced)) {
      return sendProblem(reply, problem(406, `This URL answers in ${produced.join(', ')} (errors in ${PROBLEM_TYPE}); the Accept header allows none of them`, { code: 'WAMS_NOT_ACCEPTABLE' }))
    }
  })

  // Whatever answered (a route, the shell's own early answers, the error and not-found handlers):
  // API-Version and the security headers are on it, and a 401 carries its bearer challenge.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!reply.hasHeader('api-version')) reply.header('API-Version', options.apiVersion)
    for (const [name, value] of Object.entries(RAW_SECURITY_HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value)
    if (reply.statusCode === 401 && !reply.hasHeader('www-authenticate')) reply.header('WWW-Authenticate', 'Bearer realm="wams"')
    if (request.url.split('?')[0] === OPENAPI_PATH) {
      reply.header('Access-Control-Allow-Origin', '*')
      reply.header('Access-Control-Expose-Headers', 'API-Version')
      reply.header('Cross-Origin-Resource-Policy', 'cross-origin')
      if (request.method === 'OPTIONS') {
        reply.header('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS')
        const asked = request.headers['access-control-request-headers']
        if (typeof asked === 'string' && /^[A-Za-z0-9!#$%&'*+.^_`|~, -]{1,512}$/.test(asked)) reply.header('Access-Control-Allow-Headers', asked)
        reply.header('Access-Control-Max-Age', '600')
      }
    }
    return payload
  })

  // The text policy at the edge: after the body is parsed and before it is validated, let alone
  // decided on or stored. A violation names the field by JSON pointer, never its value.
  app.addHook('preValidation', async (request, reply) => {
    const errors = (['params', 'querystring', 'body'] as const).flatMap((part) => {
      const value = part === 'params' ? request.params : part === 'querystring' ? request.query : request.body
      return checkTextPolicy(value).map((v) => ({ code: 'TEXT_POLICY', in: part, pointer: v.pointer, detail: v.detail }))
    })
    if (errors.length > 0) {
      return sendProblem(reply, problem(400, 'The request holds text that is not accepted: control characters (other than tab and newline), unpaired surrogates, Unicode noncharacters or too long a string', { code: 'WAMS_TEXT_POLICY', errors }))
    }
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

  await app.register(problemPlugin, { methodsOf: (url: string) => routes.allowed(url) })
  await app.register(securityHeaders)
  app.addSchema(problemSchema)

  await app.register(swagger, swaggerOptions(app, {
    title: options.title,
    description: options.description,
    apiVersion: options.apiVersion,
    basePath: options.basePath ?? `/v${options.apiVersion.split('.')[0]}`,
    ...(options.contact ? { contact: options.contact } : {}),
    ...(options.tags ? { tags: options.tags } : {}),
    ...(options.deviations ? { deviations: options.deviations } : {})
  }))
  await app.register(swaggerUi, { routePrefix: '/v1/docs', uiConfig: { docExpansion: 'list' } })
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger())

  app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'up' }))
  app.get('/health/ready', { schema: { hide: true } }, async (request, reply) => {
    const results = await Promise.all(Object.entries(options.readiness).map(async ([name, check]): Promise<[string, HealthReport]> => {
      try {
        const r = await check()
        return [name, typeof r === 'boolean' ? { status: r ? 'up' : 'down' } : r]
      } catch { return [name, { status: 'down' }] }
    }))
    const checks = Object.fromEntries(results.map(([n, r]) => [n, r.status]))
    const details = Object.fromEntries(results.filter(([, r]) => r.detail).map(([n, r]) => [n, r.detail]))
    const extra = Object.keys(details).length > 0 ? { details } : {}
    const down = results.filter(([, r]) => r.status === 'down').map(([n]) => n)
    if (down.length > 0) return sendProblem(reply, problem(503, 'Not ready: ' + down.join(', '), { checks, ...extra }))
    return { status: results.some(([, r]) => r.status === 'degraded') ? 'degraded' : 'up', checks, ...extra }
  })

  return app
}
