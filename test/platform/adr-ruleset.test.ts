// The project's Spectral ruleset for the NLGov API Design Rules (lint/nlgov-adr.spectral.yaml) finds
// what it is meant to find: a document that breaks each of its rules gets a finding of each, and the
// three services' documents (built offline, as `npm run lint` builds them) get none.
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parse } from 'yaml'
import { openapiDocuments, SERVICES } from '../../scripts/openapi-docs.ts'

const RULESET = 'lint/nlgov-adr.spectral.yaml'
const dir = mkdtempSync(join(tmpdir(), 'wams-adr-lint-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))

interface Finding { code: string, severity: number, path: string[], source: string }

/** The findings per file, of one Spectral run over all of them (it starts slowly; once is enough). */
async function lint (files: string[]): Promise<Map<string, Finding[]>> {
  // Spectral exits 1 when it finds something; its JSON report is on stdout either way.
  const { stdout } = await promisify(execFile)('npx', ['--no-install', 'spectral', 'lint', '-q', '-f', 'json', '-r', RULESET, ...files], { env: { ...process.env, SCARF_ANALYTICS: 'false', DO_NOT_TRACK: '1' }, maxBuffer: 16 << 20 })
    .catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '[]' }))
  const findings = JSON.parse(stdout || '[]') as Finding[]
  return new Map(files.map((file) => [file, findings.filter((f) => f.source === file)]))
}

const problem = { type: 'object', required: ['title', 'status'], properties: { title: { type: 'string' }, status: { type: 'integer' } } }
const broken = {
  openapi: '3.0.3',
  info: { title: 'Broken', description: 'Breaks every rule', version: '1.0' },
  servers: [{ url: 'http://api.example.org' }],
  tags: [{ name: 'things', description: 'Things' }],
  paths: {
    '/v1/Things_list/': {
      get: {
        operationId: 'listThings',
        description: 'x',
        tags: ['things'],
        parameters: [{ in: 'query', name: 'sort_order', schema: { type: 'string' } }],
        responses: {
          200: { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/def-0' } } } },
          404: { description: 'Not found', content: { 'application/json': { schema: problem } } }
        }
      },
      post: {
        operationId: 'addThing',
        description: 'x',
        tags: ['things'],
        requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
        responses: {
          201: { description: 'Created', headers: { 'API-Version': { schema: { type: 'string' } } } },
          500: { description: 'Error', content: { 'application/problem+json': { schema: problem } } }
        }
      },
      trace: { operationId: 'traceThings', description: 'x', tags: ['things'], responses: { 200: { description: 'OK', headers: { 'API-Version': { schema: { type: 'string' } } } } } }
    }
  },
  components: {
    schemas: {
      'def-0': { type: 'object', properties: { birthDate: { type: 'string', format: 'date-time' }, opensAt: { type: 'string', format: 'time' } } }
    }
  }
}

const file = (name: string) => join(dir, `${name}.json`)
writeFileSync(file('broken'), JSON.stringify(broken))
writeFileSync(file('version'), JSON.stringify({ ...broken, openapi: '3.0' }))
const docs = await openapiDocuments()
for (const name of SERVICES) writeFileSync(file(name), JSON.stringify(docs[name]))
const results = await lint(['broken', 'version', ...SERVICES].map(file))

t.test('a document that breaks each rule gets a finding of each', async (t) => {
  const found = new Set(results.get(file('broken'))!.map((f) => f.code))
  const own = Object.keys((parse(readFileSync(RULESET, 'utf8')) as { rules: Record<string, unknown> }).rules).filter((r) => r.startsWith('adr-'))
  // The version rule needs a document Spectral still reads as OpenAPI 3; it has a case of its own below.
  for (const rule of own.filter((r) => r !== 'adr-openapi-version-3')) t.ok(found.has(rule), rule)
  t.ok(found.has('info-contact'), 'and the recommended rules of spectral:oas run too')
})

t.test('an OpenAPI version without its patch number', async (t) => {
  t.ok(results.get(file('version'))!.some((f) => f.code === 'adr-openapi-version-3'))
})

t.test('the three services\' documents have no finding at all', async (t) => {
  for (const name of SERVICES) t.same(results.get(file(name))!.map((f) => `${f.code} at ${f.path.join('.')}`), [], name)
})
