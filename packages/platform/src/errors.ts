// The errors of the platform, one place, built with @fastify/error so each has a code and a status.
import createError from '@fastify/error'

export const ConfigError = createError<[string]>('WAMS_CONFIG_INVALID', 'Invalid configuration: %s', 500)
export const AuditUnavailableError = createError('WAMS_AUDIT_UNAVAILABLE', 'The audit record could not be written; nothing was released', 503)
export const UnauthorizedError = createError<[string]>('WAMS_UNAUTHORIZED', '%s', 401)
export const ForbiddenError = createError<[string]>('WAMS_FORBIDDEN', '%s', 403)
export const NotFoundError = createError<[string]>('WAMS_NOT_FOUND', '%s', 404)
export const ConflictError = createError<[string]>('WAMS_CONFLICT', '%s', 409)
export const BadRequestError = createError<[string]>('WAMS_BAD_REQUEST', '%s', 400)
