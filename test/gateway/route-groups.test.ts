// Authentication is declared once, for a group of routes (src/routes/index.ts): every route of the
// built gateway that is not on the short public list below answers 401 problem+json with a bearer
// challenge when no token is sent — so a route added later outside the authenticated group fails
// here. And every such route is documented as needing a bearer token.
import t from 'tap'
import { PROBLEM_TYPE } from '@wams/platform'
import { startGateway } from './helpers.ts'
import { routesOf } from '../support/routes.ts'

/** Routes anyone may call: the service shell (health, the OpenAPI document and its docs UI) and the public group. */
const PUBLIC: ReadonlyArray<string | RegExp> = [
  '/health/live', '/health/ready', '/v1/openapi.json', /^\/v1\/docs(\/.*)?$/,
  '/v1/parties', '/v1/policy'
]
const isPublic = (path: string) => PUBLIC.some((p) => typeof p === 'string' ? p === path : p.test(path))

const CASE_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7'
const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, CASE_ID).replace(/\*/g, 'x')

t.test('every route outside the public list asks for a bearer token', async (t) => {
  const { gateway } = await startGateway(t, 'route_groups', {})
  const routes = routesOf(gateway.printRoutes({ commonPrefix: false }))
  const guarded = routes.filter((r) => !isPublic(r.path))

  // The reading of the tree is checked on what is known to be there.
  t.ok(routes.some((r) => r.method === 'GET' && r.path === '/v1/parties'), 'the public register is found')
  t.ok(guarded.some((r) => r.method === 'POST' && r.path === '/v1/cases/:caseId/data-requests'), 'the data requests are found')
  t.ok(guarded.some((r) => r.method === 'POST' && r.path === '/v1/cases/:caseId/involvement-check'), 'the involvement check is found')
  for (const p of PUBLIC.filter((p): p is string => typeof p === 'string')) {
    t.ok(routes.some((r) => r.path === p), `the public list names only routes that exist: ${p}`)
  }

  for (const { method, path } of guarded) {
    const res = await gateway.inject({ method: method as 'GET', url: concrete(path), ...(['POST', 'PUT', 'PATCH'].includes(method) ? { payload: {} } : {}) })
    t.equal(res.statusCode, 401, `${method} ${path}: 401 without a token (${res.body.slice(0, 200)})`)
    t.match(res.headers['content-type'], PROBLEM_TYPE, `${method} ${path}: problem+json`)
    t.match(res.headers['www-authenticate'], /^Bearer\b/, `${method} ${path}: WWW-Authenticate: Bearer`)
    if (method !== 'HEAD') t.match(res.json(), { status: 401, code: 'TOKEN_MISSING' }, `${method} ${path}: TOKEN_MISSING`)
  }

  for (const { method, path } of routes.filter((r) => isPublic(r.path) && r.method === 'GET')) {
    const res = await gateway.inject({ method: 'GET', url: concrete(path) })
    t.not(res.statusCode, 401, `${method} ${path}: public, no token needed`)
  }

  // What the routes do is what the document says: each guarded operation needs a bearer token.
  const doc = (await gateway.inject({ url: '/v1/openapi.json' })).json() as {
    paths: Record<string, Record<string, { security?: unknown[], responses?: Record<string, unknown> }>>
  }
  const documented = (path: string) => doc.paths[path.replace(/^\/v1/, '').replace(/:([A-Za-z]+)/g, '{$1}')]
  for (const { method, path } of guarded.filter((r) => r.method !== 'HEAD')) {
    const op = documented(path)?.[method.toLowerCase()]
    t.ok(op, `${method} ${path} is in the OpenAPI document`)
    t.same(op?.security, [{ bearer: [] }], `${method} ${path}: documented as needing a bearer token`)
    t.ok(op?.responses?.['401'], `${method} ${path}: its 401 is documented`)
  }
})
