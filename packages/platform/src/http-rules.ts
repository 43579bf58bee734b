// HTTP semantics the API Design Rules expect of every service, beyond routing: which methods a
// path allows (405 with Allow for another one, OPTIONS answered with Allow), and content
// negotiation (406 when the route cannot answer in any media type the Accept header allows).

/**
 * The paths the service serves, with their methods, as patterns of Fastify's route syntax
 * (`/v1/cases/:caseId`, `/v1/docs/*`), to tell "no such path" (404) from "not with this method" (405).
 */
export class RouteTable {
  private readonly routes = new Map<string, { pattern: RegExp, methods: Set<string> }>()

  add (url: string, methods: string | string[]): void {
    let entry = this.routes.get(url)
    if (!entry) {
      const source = url.split('/').map((segment) => {
        if (segment === '*') return '.*'
        if (segment.startsWith(':')) return '[^/]+'
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      }).join('/')
      entry = { pattern: new RegExp(`^${source}$`), methods: new Set() }
      this.routes.set(url, entry)
    }
    for (const method of Array.isArray(methods) ? methods : [methods]) entry.methods.add(method.toUpperCase())
  }

  /** The methods a request path (query string ignored) allows, with HEAD beside GET and OPTIONS; empty for an unknown path. */
  allowed (url: string): string[] {
    const path = url.split('?')[0] ?? ''
    const methods = new Set<string>()
    for (const { pattern, methods: m } of this.routes.values()) {
      if (pattern.test(path)) for (const method of m) methods.add(method)
    }
    if (methods.size === 0) return []
    if (methods.has('GET')) methods.add('HEAD')
    methods.add('OPTIONS')
    const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
    return [...methods].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99))
  }
}

type Json = Record<string, unknown>

/**
 * The media types a route answers in when it succeeds, from its response schema: the keys of
 * `content` where a status declares them, application/json otherwise. null: a route without
 * response schema (health, the docs UI), which is not negotiated.
 */
export function producedTypes (schema: unknown): string[] | null {
  const response = (schema as Json | undefined)?.response as Record<string, Json> | undefined
  if (!response) return null
  const types = new Set<string>()
  for (const [status, declared] of Object.entries(response)) {
    if (!/^[23]/.test(status)) continue
    const content = declared?.content as Json | undefined
    if (content && typeof content === 'object') for (const type of Object.keys(content)) types.add(type.toLowerCase())
    else types.add('application/json')
  }
  return types.size === 0 ? null : [...types]
}

/**
 * Whether one of `produced` satisfies the Accept header (RFC 9110 §12.5.1): a media range with q
 * above 0 that is `*\/*`, `type/*` or the type itself. No Accept, or one that says nothing that
 * can be read, accepts anything.
 */
export function acceptable (accept: string | undefined, produced: string[]): boolean {
  if (accept === undefined || accept.trim() === '') return true
  const ranges = accept.split(',').map((part) => {
    const [range = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase())
    const q = params.find((p) => p.startsWith('q='))
    return { range, q: q === undefined ? 1 : Number(q.slice(2)) }
  }).filter((r) => /^[a-z0-9!#$%&'*+.^_`|~-]+\/[a-z0-9!#$%&'*+.^_`|~-]+$/.test(r.range) && Number.isFinite(r.q))
  if (ranges.length === 0) return true
  return produced.some((type) => {
    const [main] = type.split('/')
    // The most specific range that matches decides (a q=0 on the type itself refuses it).
    const match = ranges.find((r) => r.range === type) ?? ranges.find((r) => r.range === `${main}/*`) ?? ranges.find((r) => r.range === '*/*')
    return match !== undefined && match.q > 0
  })
}
