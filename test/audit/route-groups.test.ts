// Authentication is declared once, for a group of routes (services/audit/src/routes/index.ts).
// Every route of the built audit service that is not on the short public list below answers 401
// problem+json with a bearer challenge when no token is sent, so a route added later outside the
// authenticated group fails here; each is also documented as needing a bearer token. The public
// list itself names only routes that exist, and those answer without a token.
import t from 'tap'
import { PROBLEM_TYPE } from '@wams/platform'
import { freshInfra, startAudit } from './support.ts'
import { routesOf, type Route } from '../support/routes.ts'

/**
 * What anyone may call, as `METHOD path` (a GET's automatic HEAD goes with it): the service
 * shell (health, the OpenAPI document, its docs UI) and the audit log's public group, public like
 * a transparency log's.
 */
const PUBLIC: ReadonlyArray<string | RegExp> = [
  'GET /health/live', 'GET /health/ready', 'GET /v1/openapi.json', /^GET \/v1\/docs(\/.*)?$/,
  'GET /v1/audit/checkpoint', 'GET /v1/audit/keys', 'POST /v1/audit/receipts',
  /^GET \/console([/*].*)?$/ // the console's static files; its API calls carry the caller's token
]

const keyOf = ({ method, path }: Route) => `${method === 'HEAD' ? 'GET' : method} ${path}`
const isPublic = (route: Route) => PUBLIC.some((p) => typeof p === 'string' ? p === keyOf(route) : p.test(keyOf(route)))

const EVENT_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7'
const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, EVENT_ID).replace(/\*/g, 'x')
const withBody = (method: string) => ['POST', 'PUT', 'PATCH'].includes(method) ? { payload: {} } : {}

t.test('every audit route outside the public list asks for a bearer token', async (t) => {
  const infra = await freshInfra(t, 'audit_route_groups')
  const app = await startAudit(t, infra)
  const routes = routesOf(app.printRoutes({ commonPrefix: false }))
  const guarded = routes.filter((r) => !isPublic(r))

  // The reading of the tree is checked against routes known to be there.
  for (const known of ['GET /v1/audit/events', 'POST /v1/audit/events/search', 'GET /v1/audit/events/:eventId', 'POST /v1/audit/checkpoints',
    'GET /v1/audit/consistency', 'GET /v1/audit/rejected', 'GET /v1/audit/stream', 'POST /v1/audit/subject-report', 'GET /v1/audit/export']) {
    t.ok(guarded.some((r) => keyOf(r) === known), `${known} is found, and guarded`)
  }
  for (const p of PUBLIC.filter((p): p is string => typeof p === 'string')) {
    t.ok(routes.some((r) => keyOf(r) === p), `the public list names only routes that exist: ${p}`)
  }

  for (const { method, path } of guarded) {
    const res = await app.inject({ method: method as 'GET', url: concrete(path), ...withBody(method) })
    t.equal(res.statusCode, 401, `${method} ${path}: 401 without a token`)
    t.match(res.headers['content-type'], PROBLEM_TYPE, `${method} ${path}: problem+json`)
    t.equal(res.headers['www-authenticate'], 'Bearer realm="wams"', `${method} ${path}: the bearer challenge`)
    if (method !== 'HEAD') t.match(res.json(), { status: 401, code: 'TOKEN_MISSING' }, `${method} ${path}: TOKEN_MISSING`)
  }

  for (const route of routes.filter(isPublic)) {
    const res = await app.inject({ method: route.method as 'GET', url: concrete(route.path), ...withBody(route.method) })
    t.not(res.statusCode, 401, `${route.method} ${route.path}: public, no token needed (${res.statusCode})`)
    t.notOk(res.headers['www-authenticate'], `${route.method} ${route.path}: no challenge`)
  }

  // What the routes do is what the document says: each guarded operation needs a bearer token,
  // each public one none.
  const doc = (await app.inject({ url: '/v1/openapi.json' })).json() as {
    paths: Record<string, Record<string, { security?: unknown[], responses?: Record<string, unknown> }>>
  }
  const operation = ({ method, path }: Route) => doc.paths[path.replace(/^\/v1/, '').replace(/:([A-Za-z]+)/g, '{$1}')]?.[method.toLowerCase()]
  for (const route of guarded.filter((r) => r.method !== 'HEAD')) {
    const op = operation(route)
    t.ok(op, `${route.method} ${route.path} is in the OpenAPI document`)
    t.same(op?.security, [{ bearer: [] }], `${route.method} ${route.path}: documented as needing a bearer token`)
    t.ok(op?.responses?.['401'], `${route.method} ${route.path}: its 401 is documented`)
  }
  for (const route of routes.filter((r) => isPublic(r) && r.path.startsWith('/v1/audit/') && r.method !== 'HEAD')) {
    t.same(operation(route)?.security, [], `${route.method} ${route.path}: documented as public`)
  }
})
