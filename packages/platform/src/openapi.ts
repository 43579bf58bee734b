// The OpenAPI document every service publishes at /v1/openapi.json, shaped to the NLGov REST API
// Design Rules (lint/nlgov-adr.spectral.yaml checks them in `npm run lint`): servers with the major
// version, info.contact, named component schemas, error answers as application/problem+json,
// response headers (API-Version on every answer; ETag, Location, Retry-After, WWW-Authenticate,
// RateLimit-* where they are sent), a 400 on every operation that takes input, security as the route enforces it,
// and the deliberate deviations written into the document itself.
import { STATUS_CODES } from 'node:http'
import type { FastifyInstance, RouteOptions } from 'fastify'

export interface ApiContact { name: string, url: string, email: string }

/** Where integrators ask about the Wams APIs (the project's example domain until a real one is registered). */
export const DEFAULT_CONTACT: ApiContact = { name: 'Wams exchange', url: 'https://wams.example/api', email: 'api@wams.example' }

/** A deliberate deviation from a rule of the API Design Rules, published in the document (`x-adr-deviations`). */
export interface AdrDeviation { rule: string, deviation: string, reason: string }

/** Deviations every service shares (the problem shape and the not-found rule of the platform). */
export const PLATFORM_DEVIATIONS: AdrDeviation[] = [{
  rule: '/core/error-handling/problem-details',
  deviation: 'Problems carry extension members besides type, title, status, detail and instance: code, errors[] and, where an answer needs them, requestId, outcome, reasons, checks.',
  reason: 'A caller needs a stable code and every invalid input at once; RFC 9457 §3.2 allows extension members, and the Problem schema lists them.'
}]

/** The response headers a route may send, documented once under components.headers. */
export const RESPONSE_HEADERS = {
  'API-Version': { description: 'The full version (semver) of the API that answered; on every response', schema: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$', example: '1.0.0' } },
  ETag: { description: 'The version of the resource, for If-Match on a later change', schema: { type: 'string', example: '"3"' } },
  Location: { description: 'The URL of the resource that was created', schema: { type: 'string', example: '/v1/cases/0196a0f5-8c1e-7d55-a8e1-3f2b4c5d6e7f' } },
  'Retry-After': { description: 'Seconds after which the request may succeed (sent when that is known)', schema: { type: 'integer', minimum: 0 } },
  'WWW-Authenticate': { description: 'The bearer challenge (RFC 6750 §3); with error="invalid_token" when a token was sent but not accepted', schema: { type: 'string', example: 'Bearer realm="wams", error="invalid_token"' } },
  'Content-Disposition': { description: 'The file name the answer is meant to be saved as', schema: { type: 'string' } },
  'RateLimit-Limit': { description: 'Requests allowed per window for the caller (its organisation; on a public route its address), counted across all instances (draft-ietf-httpapi-ratelimit-headers)', schema: { type: 'integer', minimum: 0, example: 6000 } },
  'RateLimit-Remaining': { description: 'Requests left in the current window, this one counted', schema: { type: 'integer', minimum: 0 } },
  'RateLimit-Reset': { description: 'Seconds until the current window ends and the count starts again', schema: { type: 'integer', minimum: 0 } }
} as const

/** The headers of a rate-limited answer (draft-ietf-httpapi-ratelimit-headers); a 429 has Retry-After besides. */
export const RATE_LIMIT_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] as const satisfies readonly (keyof typeof RESPONSE_HEADERS)[]

export type ResponseHeaderName = keyof typeof RESPONSE_HEADERS

/**
 * What a route schema may add for its document (besides Fastify's own keys): the headers it sends
 * per status, e.g. `responseHeaders: { 201: ['Location', 'ETag'] }`. API-Version is added to every
 * response, WWW-Authenticate to every 401 and Retry-After to every 429 and 503 without asking.
 */
export interface DocumentedRouteSchema {
  responseHeaders?: Record<number, ResponseHeaderName[]>
  /**
   * The route is rate limited after authentication and validation: RATE_LIMIT_HEADERS on every
   * answer it declares but 400, 401 and 406, and a 429 (with Retry-After) when it declares none.
   */
  rateLimited?: boolean
}

export interface DocumentOptions {
  title: string
  description: string
  apiVersion: string
  /** The server URL the paths are relative to: /v<major>. */
  basePath: string
  contact?: ApiContact
  /** Descriptions of the tags the operations use. */
  tags?: Record<string, string>
  /** The service's own deviations, after the platform's. */
  deviations?: AdrDeviation[]
}

type Json = Record<string, unknown>
type Hook = ((...args: never[]) => unknown) | Array<(...args: never[]) => unknown> | undefined

const PROBLEM_REF = { $ref: 'Problem#' }
const HEADERS_KEY = 'x-wams-response-headers'
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

const hooksOf = (route: RouteOptions): unknown[] =>
  (['onRequest', 'preParsing', 'preValidation', 'preHandler'] as const).flatMap((name) => {
    const hook = route[name] as Hook
    return hook === undefined ? [] : Array.isArray(hook) ? hook : [hook]
  })

/**
 * The options of @fastify/swagger for this shape. `app` is asked, when the document is built, for
 * its `authenticate` decorator: a route that runs it is documented as needing a bearer token, any
 * other as public (security: []).
 */
export function swaggerOptions (app: FastifyInstance, options: DocumentOptions): Record<string, unknown> {
  const tags = options.tags ?? {}
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: options.title,
        description: options.description,
        version: options.apiVersion,
        contact: options.contact ?? DEFAULT_CONTACT
      },
      servers: [{ url: options.basePath, description: 'Relative to the host that serves this document' }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT of a trusted issuer (EdDSA or ES256) with iss, sub, aud, exp, org (OIN) and roles' } } },
      'x-adr-deviations': [...PLATFORM_DEVIATIONS, ...(options.deviations ?? [])]
    },
    // Paths relative to the server URL /v<major> (the route /v1/cases is the path /cases).
    stripBasePath: true,
    // Schemas added with an $id (Problem, …) keep that name under components.schemas.
    refResolver: {
      buildLocalReference (json: Json, _baseUri: unknown, _fragment: unknown, i: number) {
        return typeof json.$id === 'string' ? json.$id : `Schema${i}`
      }
    },
    transform: ({ schema, url, route }: { schema: Json | undefined, url: string, route: RouteOptions }) => {
      if (!schema || schema.hide) return { schema, url }
      const authenticate = (app as unknown as { authenticate?: unknown }).authenticate
      const secured = authenticate !== undefined && hooksOf(route).includes(authenticate)
      const response: Json = { ...(schema.response as Json | undefined) }
      // Any POST, PUT or PATCH may carry a body that is not valid JSON; other methods take input in their parameters.
      const sendsBody = ['POST', 'PUT', 'PATCH'].some((m) => ([] as string[]).concat(route.method).includes(m))
      const takesInput = sendsBody || ['body', 'querystring', 'params', 'headers'].some((part) => schema[part] !== undefined)
      if (takesInput && !response[400]) response[400] = { ...PROBLEM_REF, description: 'The request is invalid (every error at once, in errors[])' }
      if (secured && !response[401]) response[401] = { ...PROBLEM_REF, description: 'No valid bearer token' }
      if (!response[406]) response[406] = { ...PROBLEM_REF, description: 'The Accept header allows none of the media types this operation answers in' }
      response.default = { ...PROBLEM_REF, description: 'Any other error, as problem+json: e.g. 413 (body too large), 414 (URL too long), 415 (media type), 431 (headers too large), 500, 503 (shutting down, with Retry-After)' }
      // A response without words of its own is described by its status (not by its schema's description).
      for (const [status, declared] of Object.entries(response)) {
        const r = declared as Json
        if (typeof r.description === 'string' || typeof r['x-response-description'] === 'string') continue
        const words = STATUS_CODES[Number(status)] ?? 'Response'
        response[status] = typeof r.$ref === 'string' ? { ...r, description: words } : { ...r, 'x-response-description': words }
      }
      const { responseHeaders, rateLimited, ...rest } = schema as Json & DocumentedRouteSchema
      const headers: Record<string, ResponseHeaderName[]> = { ...responseHeaders }
      if (rateLimited === true) {
        if (!response[429]) response[429] = { ...PROBLEM_REF, description: 'Too many requests in the window (RATE_LIMITED); Retry-After says when to try again' }
        for (const status of Object.keys(response)) {
          if (!['400', '401', '406', 'default'].includes(status)) headers[status] = [...(headers[status] ?? []), ...RATE_LIMIT_HEADERS]
        }
      }
      return {
        url,
        schema: {
          ...rest,
          security: rest.security ?? (secured ? [{ bearer: [] }] : []),
          response,
          [HEADERS_KEY]: headers
        }
      }
    },
    transformObject: ({ openapiObject }: { openapiObject: Json }) => finishDocument(openapiObject, tags)
  }
}

/** Response headers, problem media types, tags and header components over the whole document. */
function finishDocument (doc: Json, tagDescriptions: Record<string, string>): Json {
  const usedHeaders = new Set<ResponseHeaderName>(['API-Version'])
  const usedTags = new Set<string>()
  for (const item of Object.values((doc.paths ?? {}) as Record<string, Json>)) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined
      if (!op) continue
      for (const tag of (op.tags ?? []) as string[]) usedTags.add(tag)
      const declared = (op[HEADERS_KEY] ?? {}) as Record<string, ResponseHeaderName[]>
      delete op[HEADERS_KEY]
      for (const [status, res] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
        const code = Number(status)
        const names: ResponseHeaderName[] = ['API-Version', ...(declared[status] ?? [])]
        if (code === 401) names.push('WWW-Authenticate')
        if (code === 429 || code === 503) names.push('Retry-After')
        res.headers = Object.fromEntries([...new Set(names)].map((name) => {
          usedHeaders.add(name)
          return [name, { $ref: `#/components/headers/${name}` }]
        }))
        // Errors are served as problem+json; the document says so.
        const content = res.content as Record<string, unknown> | undefined
        if ((status === 'default' || code >= 400) && content?.['application/json'] !== undefined) {
          res.content = { 'application/problem+json': content['application/json'] }
        }
      }
    }
  }
  const components = (doc.components ?? {}) as Json
  components.headers = Object.fromEntries([...usedHeaders].sort().map((name) => [name, RESPONSE_HEADERS[name]]))
  doc.components = components
  doc.tags = [...usedTags].sort().map((name) => ({ name, ...(tagDescriptions[name] ? { description: tagDescriptions[name] } : {}) }))
  return doc
}
