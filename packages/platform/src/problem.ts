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
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 408: 'Request Timeout', 409: 'Conflict', 413: 'Payload Too Large', 414: 'URI Too Long',
  415: 'Unsupported Media Type', 431: 'Request Header Fields Too Large',
  422: 'Unprocessable Content', 429: 'Too Many Requests', 451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout'
}

export function problem (status: number, detail?: string, extra: Record<string, unknown> = {}): Problem {
  return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, ...(detail ? { detail } : {}), ...extra }
}

export function sendProblem (reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type(PROBLEM_TYPE).send(p)
}

/** JSON Schema of a problem response, for OpenAPI. */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  required: ['title', 'status'],
  properties: {
    type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' },
    detail: { type: 'string' }, instance: { type: 'string' }, code: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', additionalProperties: true } }
  },
  additionalProperties: true
} as const

function validationErrors (error: FastifyError): Array<Record<string, unknown>> {
  const context = error.validationContext ?? 'body'
  return (error.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>
    const pointer = v.instancePath + (params.missingProperty ? `/${String(params.missingProperty)}` : '') +
      (params.additionalProperty ? `/${String(params.additionalProperty)}` : '')
    return { in: context, pointer: pointer || '/', detail: v.message ?? 'is invalid' }
  })
}

async function problemPlugin (app: FastifyInstance): Promise<void> {
  // The path is not echoed: whatever someone typed into a URL (a BSN, say) does not come back.
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    sendProblem(reply, problem(404, `No resource for ${request.method} at this URL`, { code: 'WAMS_NOT_FOUND' }))
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
      return sendProblem(reply, problem(status, detail, { code: error.code ?? 'WAMS_INTERNAL', requestId: request.id }))
    }
    const extra = (error as FastifyError & { problem?: Record<string, unknown> }).problem ?? {}
    return sendProblem(reply, problem(status, error.message, { code: error.code, ...extra }))
  })
}

export default fp(problemPlugin, { name: 'wams-problem' })
