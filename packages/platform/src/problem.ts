// RFC 9457 problem details for every 4xx/5xx, including 404 and validation errors
// (400 with all errors at once). A 5xx never shows internals.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

export const PROBLEM_TYPE = 'application/problem+json'

export interface Problem {
  type?: string
  title: string
  status: number
  detail?: string
  instance?: string
  [member: string]: unknown
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout'
}

/** One item of `errors[]`: where in the request (part and JSON pointer), what, and its code. */
export interface ProblemErrorItem { code: string, in: 'body' | 'querystring' | 'params' | 'headers', pointer: string, detail: string }

const PARTS = new Set(['body', 'querystring', 'params', 'headers'])

/**
 * Every `errors[]` of every service in the one shape of ProblemErrorItem: a missing part is the
 * body, a missing code the problem's own, and nothing else is carried along.
 */
export function normaliseErrors (errors: unknown, code: string): ProblemErrorItem[] {
  if (!Array.isArray(errors)) return []
  return errors.map((e: Record<string, unknown>) => ({
    code: typeof e?.code === 'string' ? e.code : code,
    in: typeof e?.in === 'string' && PARTS.has(e.in) ? e.in as ProblemErrorItem['in'] : 'body',
    pointer: typeof e?.pointer === 'string' ? e.pointer : '/',
    detail: typeof e?.detail === 'string' ? e.detail : 'is invalid'
  }))
}

/** A problem; `detail` is always there (the title's words when the caller gives none). */
export function problem (status: number, detail?: string, extra: Record<string, unknown> = {}): Problem {
  const title = TITLES[status] ?? 'Error'
  const p: Problem = { type: 'about:blank', title, status, detail: detail || title, ...extra }
  if ('errors' in extra) p.errors = normaliseErrors(extra.errors, typeof extra.code === 'string' ? extra.code : 'INVALID')
  return p
}

/** Where an error carries the extension members of its problem (see withProblemMembers). */
const MEMBERS = Symbol.for('wams.problem-members')

/**
 * The one error idiom of every service: an error made with @fastify/error (code, status, message
 * as `detail`), plus, where the caller needs them, extension members such as `errors` (every
 * violation at once). The problem plugin renders both.
 */
export function withProblemMembers<E extends Error> (error: E, members: Record<string, unknown>): E {
  Object.defineProperty(error, MEMBERS, { value: members, enumerable: false })
  return error
}

function problemMembers (error: Error): Record<string, unknown> {
  const members = error as Error & { [MEMBERS]?: Record<string, unknown>, problem?: Record<string, unknown> }
  return members[MEMBERS] ?? members.problem ?? {}
}

export function sendProblem (reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type(PROBLEM_TYPE).send(p)
}

/**
 * JSON Schema of a problem response: the serialiser of every 4xx/5xx and the OpenAPI component
 * `Problem`. status, title and detail are always there; code, errors and the other members are
 * extension members (RFC 9457 §3.2), a documented deviation of the API Design Rules.
 */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json). Deviation from the NLGov API Design Rules, deliberately kept: besides type, title, status, detail and instance a problem carries extension members (RFC 9457 §3.2): `code` (a stable machine-readable code), `errors` (every invalid input at once, one item shape) and, where an answer needs them, members such as `requestId`, `outcome`, `reasons` or `checks`.',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', description: 'A URI reference that identifies the problem type; about:blank: the status says it all' },
    title: { type: 'string', description: 'The status code\'s reason phrase' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string', description: 'What went wrong, in words for the caller; never echoes personal data' },
    instance: { type: 'string' },
    code: { type: 'string', description: 'Extension member: a stable code of the problem, e.g. WAMS_VALIDATION, CASE_NOT_FOUND' },
    errors: {
      type: 'array',
      description: 'Extension member: every invalid input at once',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'in', 'pointer', 'detail'],
        properties: {
          code: { type: 'string', description: 'What kind of error (e.g. SCHEMA_VIOLATION, TEXT_POLICY, a rule\'s code)' },
          in: { type: 'string', enum: ['body', 'querystring', 'params', 'headers'], description: 'The part of the request' },
          pointer: { type: 'string', description: 'JSON pointer (RFC 6901) into that part' },
          detail: { type: 'string' }
        }
      }
    }
  },
  additionalProperties: true
} as const

const maskNineDigitRuns = (text: string): string => text.replace(/(?<![0-9])[0-9]{9}(?![0-9])/g, '[bsn]')

function validationErrors (error: FastifyError): Array<Record<string, unknown>> {
  const context = error.validationContext ?? 'body'
  return (error.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>
    const pointer = v.instancePath + (params.missingProperty ? `/${String(params.missingProperty)}` : '') +
      (params.additionalProperty ? `/${String(params.additionalProperty)}` : '')
    // A property name is caller text: a BSN typed as a key must not come back in the answer.
    return { code: 'SCHEMA_VIOLATION', in: context, pointer: maskNineDigitRuns(pointer || '/'), detail: maskNineDigitRuns(v.message ?? 'is invalid') }
  })
}

/** Fastify's own 4xx codes, as the platform's: a caller sees one vocabulary of codes. */
const FRAMEWORK_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'WAMS_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'WAMS_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_TYPE: 'WAMS_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'WAMS_INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'WAMS_INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'WAMS_BAD_REQUEST'
}

export function platformCode (code: string | undefined): string | undefined {
  if (code === undefined || !code.startsWith('FST_')) return code
  return FRAMEWORK_CODES[code] ?? 'WAMS_BAD_REQUEST'
}

export interface ProblemPluginOptions {
  /** The methods a path allows (empty: no such path); then another method is a 405 and OPTIONS a 204, both with Allow. */
  methodsOf?: (url: string) => string[]
}

async function problemPlugin (app: FastifyInstance, options: ProblemPluginOptions = {}): Promise<void> {
  // The path is not echoed: whatever someone typed into a URL (a BSN, say) does not come back.
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const allowed = options.methodsOf?.(request.url) ?? []
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '))
      if (request.method === 'OPTIONS') return reply.code(204).send()
      return sendProblem(reply, problem(405, `This URL does not allow ${request.method}; it allows ${allowed.join(', ')}`, { code: 'WAMS_METHOD_NOT_ALLOWED' }))
    }
    return sendProblem(reply, problem(404, `No resource for ${request.method} at this URL`, { code: 'WAMS_NOT_FOUND' }))
  })

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error.validation) {
      const errors = validationErrors(error)
      return sendProblem(reply, problem(400, `The request is invalid: ${errors.length} error(s)`, { code: 'WAMS_VALIDATION', errors }))
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
    if (status >= 500) {
      request.log.error({ err: { message: error.message, code: error.code, stack: error.stack } }, 'request failed')
      const detail = status === 500 ? 'An internal error occurred; it has been logged with the request id.' : error.message
      // A 5xx keeps the members its service gave it (withProblemMembers), e.g. the gateway's outcome.
      return sendProblem(reply, problem(status, detail, { code: error.code ?? 'WAMS_INTERNAL', requestId: request.id, ...problemMembers(error) }))
    }
    const extra = problemMembers(error)
    return sendProblem(reply, problem(status, error.message, { code: platformCode(error.code) ?? 'WAMS_ERROR', ...extra }))
  })
}

export default fp(problemPlugin, { name: 'wams-problem' })
