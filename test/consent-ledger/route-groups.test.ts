// Authentication is declared once, for a group of routes (services/consent-ledger/src/routes/index.ts):
// every route of the built ledger that is not on the short public list below answers 401
// problem+json with a bearer challenge when no token is sent — so a route added later outside the
// authenticated group fails here (the last assertion shows that such a route is caught). And every
// guarded route is documented as needing a bearer token.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { PROBLEM_TYPE } from '@wams/platform'
import { startLedger } from './helpers.ts'
import { routesOf, type Route } from '../support/routes.ts'

/** Routes anyone may call: the service shell's (health, the OpenAPI document and its docs UI). The ledger has no public route of its own. */
const PUBLIC: ReadonlyArray<string | RegExp> = ['/health/live', '/health/ready', '/v1/openapi.json', /^\/v1\/docs(\/.*)?$/]
const isPublic = (path: string) => PUBLIC.some((p) => typeof p === 'string' ? p === path : p.test(path))

// Any parameter will do: authentication comes before validation.
const ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7'
const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, ID).replace(/\*/g, 'x')

/** Asks a route without a token; the problems with its answer, none when it is a 401 problem+json with a bearer challenge. */
async function withoutToken (app: FastifyInstance, { method, path }: Route): Promise<string[]> {
  const res = await app.inject({ method: method as 'GET', url: concrete(path), ...(['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) ? { payload: {} } : {}) })
  const wrong: string[] = []
  if (res.statusCode !== 401) wrong.push(`status ${res.statusCode}, not 401 (${res.body.slice(0, 200)})`)
  if (!String(res.headers['content-type']).startsWith(PROBLEM_TYPE)) wrong.push(`content-type ${String(res.headers['content-type'])}`)
  if (!/^Bearer\b/.test(String(res.headers['www-authenticate'] ?? ''))) wrong.push('no WWW-Authenticate: Bearer')
  if (method !== 'HEAD' && res.statusCode === 401 && res.json().code !== 'TOKEN_MISSING') wrong.push(`code ${String(res.json().code)}`)
  return wrong
}

const STRAY: Route = { method: 'GET', path: '/v1/cases/:caseId/added-outside-the-group' }

t.test('every route outside the public list asks for a bearer token', async (t) => {
  const { app } = await startLedger(t, 'ledger_route_groups')
  // A route registered beside the group, as a later change might: the check below must catch it.
  app.get(STRAY.path, async () => ({ leaked: true }))

  const routes = routesOf(app.printRoutes({ commonPrefix: false }))
  const guarded = routes.filter((r) => !isPublic(r.path) && r.path !== STRAY.path)

  // The reading of the tree is checked on what is known to be there.
  for (const [method, path] of [
    ['POST', '/v1/cases'], ['GET', '/v1/cases/:caseId'], ['GET', '/v1/cases/:caseId/decision-state'],
    ['GET', '/v1/cases/:caseId/ledger'], ['GET', '/v1/cases/:caseId/verification'], ['PUT', '/v1/cases/:caseId/scope'],
    ['POST', '/v1/cases/:caseId/participants'], ['DELETE', '/v1/cases/:caseId/participants/:org'],
    ['POST', '/v1/cases/:caseId/phase'], ['POST', '/v1/cases/:caseId/close'],
    ['POST', '/v1/cases/:caseId/objections'], ['POST', '/v1/cases/:caseId/objections/:objectionId/decision']
  ] as const) {
    t.ok(guarded.some((r) => r.method === method && r.path === path), `${method} ${path} is found`)
  }
  for (const p of PUBLIC.filter((p): p is string => typeof p === 'string')) {
    t.ok(routes.some((r) => r.path === p), `the public list names only routes that exist: ${p}`)
  }

  for (const route of guarded) {
    t.same(await withoutToken(app, route), [], `${route.method} ${route.path}: 401 problem+json with a bearer challenge, TOKEN_MISSING`)
  }

  for (const { method, path } of routes.filter((r) => isPublic(r.path) && r.method === 'GET')) {
    const res = await app.inject({ method: 'GET', url: concrete(path) })
    t.not(res.statusCode, 401, `${method} ${path}: public, no token needed`)
  }

  // What the routes do is what the document says: each guarded operation needs a bearer token.
  const doc = (await app.inject({ url: '/v1/openapi.json' })).json() as {
    paths: Record<string, Record<string, { security?: unknown[], responses?: Record<string, unknown> }>>
  }
  const documented = (path: string) => doc.paths[path.replace(/^\/v1/, '').replace(/:([A-Za-z]+)/g, '{$1}')]
  for (const { method, path } of guarded.filter((r) => r.method !== 'HEAD')) {
    const op = documented(path)?.[method.toLowerCase()]
    t.ok(op, `${method} ${path} is in the OpenAPI document`)
    t.same(op?.security, [{ bearer: [] }], `${method} ${path}: documented as needing a bearer token`)
    t.ok(op?.responses?.['401'], `${method} ${path}: its 401 is documented`)
  }

  // The check catches a route outside the group: it is found, and it answers without a token.
  t.ok(routes.some((r) => r.method === STRAY.method && r.path === STRAY.path), 'the stray route is found')
  t.not((await withoutToken(app, STRAY)).length, 0, 'a route added outside the authenticated group does not pass the check')
})
