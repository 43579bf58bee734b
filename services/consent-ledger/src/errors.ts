// Errors the ledger's rules raise. The platform's error handler turns each into problem+json with
// this status and code; `problem` adds members such as `errors` (every violation at once).
export class LedgerError extends Error {
  constructor (
    readonly statusCode: 400 | 403 | 404 | 409 | 428 | 503,
    readonly code: string,
    message: string,
    readonly problem: Record<string, unknown> = {}
  ) {
    super(message)
  }
}

export const badRequest = (code: string, detail: string, extra: Record<string, unknown> = {}) => new LedgerError(400, code, detail, extra)
export const forbidden = (detail = 'You may not do this with this case') => new LedgerError(403, 'FORBIDDEN', detail)
export const notFound = (detail = 'No such case') => new LedgerError(404, 'CASE_NOT_FOUND', detail)
export const conflict = (code: string, detail: string, extra: Record<string, unknown> = {}) => new LedgerError(409, code, detail, extra)
