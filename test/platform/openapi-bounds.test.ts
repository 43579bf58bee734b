// Every string a client can send in a request body is bounded by its schema: a maxLength, or a
// closed list, a format or an anchored pattern that bounds it. Read from each service's published
// OpenAPI document (/v1/openapi.json), so a new route or field without a bound fails here. On top
// of this, the text policy of the service shell caps any string at TEXT_MAX_LENGTH.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp as buildPartners, readConfig as partnersConfig } from '@wams/demo-partners'
import { startLedger } from '../consent-ledger/helpers.ts'
import { startGateway } from '../gateway/helpers.ts'
import { freshInfra, startAudit } from '../audit/support.ts'

type Schema = Record<string, unknown>

// Formats whose values have a bounded length by construction.
const BOUNDED_FORMATS = new Set(['uuid', 'bsn', 'date-time'])

/** An anchored pattern without an unbounded quantifier (*, +, {n,}) matches bounded strings only. */
export function boundedPattern (pattern: string): boolean {
  const plain = pattern.replace(/\\./g, 'x')
  return plain.startsWith('^') && plain.endsWith('$') && !/[*+]|\{\d+,\}/.test(plain)
}

function isBounded (schema: Schema): boolean {
  if (Array.isArray(schema.enum) || 'const' in schema) return true
  if (typeof schema.maxLength === 'number') return true
  if (typeof schema.format === 'string' && BOUNDED_FORMATS.has(schema.format)) return true
  return typeof schema.pattern === 'string' && boundedPattern(schema.pattern)
}

const allowsString = (schema: Schema): boolean =>
  schema.type === 'string' || (Array.isArray(schema.type) && schema.type.includes('string')) ||
  // No type but a string-only keyword: still a string to bound.
  (schema.type === undefined && ('pattern' in schema || 'format' in schema || 'minLength' in schema))

/** Every string schema reachable from `schema` that has no bound: their JSON pointers. */
function unboundedStrings (schema: unknown, doc: Schema, at: string, seen = new Set<unknown>()): string[] {
  if (schema === null || typeof schema !== 'object' || seen.has(schema)) return []
  seen.add(schema)
  const s = schema as Schema
  if (typeof s.$ref === 'string') {
    const target = s.$ref.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Schema | undefined)?.[key], doc)
    return unboundedStrings(target, doc, at, seen)
  }
  const out: string[] = []
  if (allowsString(s) && !isBounded(s)) out.push(at || '/')
  for (const [key, sub] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) out.push(...unboundedStrings(sub, doc, `${at}/${key}`, seen))
  if (s.items !== undefined) out.push(...unboundedStrings(s.items, doc, `${at}/items`, seen))
  if (typeof s.additionalProperties === 'object') out.push(...unboundedStrings(s.additionalProperties, doc, `${at}/*`, seen))
  for (const combo of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const [i, sub] of ((s[combo] ?? []) as unknown[]).entries()) out.push(...unboundedStrings(sub, doc, `${at}/${combo}/${i}`, seen))
  }
  return out
}

async function bodiesOf (app: FastifyInstance): Promise<{ count: number, unbounded: string[] }> {
  const res = await app.inject({ method: 'GET', url: '/v1/openapi.json' })
  const doc = res.json() as Schema
  let count = 0
  const unbounded: string[] = []
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
    for (const [method, op] of Object.entries(item)) {
      const content = (op.requestBody as Schema | undefined)?.content as Record<string, { schema?: unknown }> | undefined
      for (const [type, media] of Object.entries(content ?? {})) {
        count++
        unbounded.push(...unboundedStrings(media.schema, doc, '').map((p) => `${method.toUpperCase()} ${path} (${type}) ${p}`))
      }
    }
  }
  return { count, unbounded }
}

t.test('the bound check itself', async (t) => {
  t.ok(boundedPattern('^[0-9]{20}$'))
  t.ok(boundedPattern('^[A-Za-z][A-Za-z0-9]{0,63}$'))
  t.notOk(boundedPattern('^[a-z]+$'))
  t.notOk(boundedPattern('^wams\\.[a-z0-9.-]+$'))
  t.notOk(boundedPattern('[0-9]{9}'), 'not anchored')
  t.notOk(boundedPattern('^x{2,}$'))
  t.same(unboundedStrings({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string', maxLength: 3 }, c: { type: 'array', items: { type: ['string', 'null'] } } } }, {}, ''), ['/a', '/c/items'])
})

t.test('every string in every request body of every service is bounded', async (t) => {
  const ledger = await startLedger(t, 'openapi_bounds')
  const audit = await startAudit(t, await freshInfra(t, 'openapi_bounds'))
  const { gateway } = await startGateway(t, 'openapi_bounds', { LOG_LEVEL: 'silent' })
  const partners = await buildPartners(partnersConfig({ LOG_LEVEL: 'silent', DATA_DIR: process.env.DATA_DIR ?? '.data', PORT: '0' }))
  t.teardown(() => partners.close())
  for (const [name, app, minBodies] of [['consent-ledger', ledger.app, 8], ['audit', audit, 2], ['gateway', gateway, 2], ['demo-partners', partners, 1]] as const) {
    const { count, unbounded } = await bodiesOf(app)
    t.ok(count >= minBodies, `${name}: ${count} request bodies documented`)
    t.same(unbounded, [], `${name}: no unbounded string in a request body`)
  }
})
