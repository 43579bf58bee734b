// Talking to the audit service: same origin, the bearer token from sessionStorage in the
// Authorization header (never in a URL), no caching, problem+json errors as ApiError.
const TOKEN_KEY = 'wams.console.token'

export class ApiError extends Error {
  override name = 'ApiError'
  constructor (readonly status: number, readonly code: string | undefined, message: string, readonly retryAfter: number | null = null) {
    super(message)
  }
}

export function getToken (): string | null {
  try { return sessionStorage.getItem(TOKEN_KEY) } catch { return null }
}

export function setToken (token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token)
}

export function clearToken (): void {
  try { sessionStorage.removeItem(TOKEN_KEY) } catch {}
}

export interface Claims { org?: string, sub?: string, roles?: string[], exp?: number, iss?: string }

/** The token's claims, for display only (the service verifies the token on every call). */
export function claimsOf (token: string | null): Claims | null {
  const part = token?.split('.')[1]
  if (part === undefined) return null
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='))
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as unknown
    return claims !== null && typeof claims === 'object' ? claims as Claims : null
  } catch {
    return null
  }
}

/** Called when the service answers 401: the token is gone or no longer valid. */
let onUnauthorized: () => void = () => {}
export function whenUnauthorized (fn: () => void): void { onUnauthorized = fn }

export interface RequestOptions { method?: 'GET' | 'POST', body?: unknown, signal?: AbortSignal, headers?: Record<string, string>, auth?: boolean }

export async function request (path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  const token = getToken()
  if (options.auth !== false && token !== null) headers.authorization = `Bearer ${token}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const init: RequestInit = { method: options.method ?? 'GET', headers, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' }
  if (options.body !== undefined) init.body = JSON.stringify(options.body)
  if (options.signal !== undefined) init.signal = options.signal
  const res = await fetch(path, init)
  if (!res.ok) {
    let code: string | undefined
    let message = `${res.status} ${res.statusText}`
    try {
      const problem = await res.json() as { code?: string, title?: string, detail?: string }
      code = problem.code
      message = problem.detail ?? problem.title ?? message
    } catch {}
    const retry = Number(res.headers.get('retry-after'))
    if (res.status === 401 && options.auth !== false) onUnauthorized()
    throw new ApiError(res.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : null)
  }
  return res
}

export async function getJson<T> (path: string, options: RequestOptions = {}): Promise<T> {
  return await (await request(path, options)).json() as T
}

/** A query string from the set values only. */
export function query (params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s === '' ? '' : `?${s}`
}

// ------------------------------------------------------------ the API's shapes

export interface AuditEvent {
  eventId: string
  time: string
  type: string
  actor: { org: string | null, sub?: string | null, roles?: string[], partyType: string | null }
  caseId?: string | null
  caseRef?: string | null
  subjectRef?: string | null
  provider: string | null
  category: string | null
  purpose: string | null
  fieldsRequested?: string[]
  fieldsReleased?: string[]
  outcome: string
  reasons?: string[]
  necessity?: string | null
  legalBasis?: string | null
  detail?: Record<string, unknown> & { flags?: string[], providerReason?: string }
  [key: string]: unknown
}

export type EventItem =
  | { view: 'full', event: AuditEvent | null, leafIndex: number, leafHash: string }
  | { view: 'provider', event: AuditEvent, leafIndex: number }

export type EventWithProof =
  | { view: 'full', event: AuditEvent | null, leafIndex: number, leafHash: string, treeSize: number, rootHash: string, inclusionProof: string[], signedNote: string }
  | { view: 'provider', event: AuditEvent, leafIndex: number }

export interface EventPage { events: EventItem[], nextCursor: string | null }

/** GET /v1/audit/statistics: the figures the service computed over the caller's decisions in a period. */
export interface Statistics {
  from: string
  to: string
  total: number
  days: Array<{ day: string, byOutcome: Record<string, number>, byCategory: Record<string, number>, byPartyType: Record<string, number> }>
  reasons: Array<{ code: string, count: number }>
  refusals: Array<{ reason: string, count: number }>
  durations: Array<{ day: string, p50: number, p95: number, count: number }>
  durationBuckets: Array<{ fromMs: number, toMs: number | null, count: number }>
}

export interface CheckpointAnswer { origin: string, treeSize: number, rootHash: string, signedNote: string, signedAt: string }

export interface KeysAnswer { keys: Array<{ name: string, algorithm: string, verifierKey: string }> }
