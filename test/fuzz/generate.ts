// Requests from the OpenAPI documents: a valid draft per operation (schema + hints + the world's
// real ids), then none, one or two mutations (wrong types, numbers and booleans for strings,
// missing and extra properties, hostile characters, very long strings, BSNs in every string
// including path parameters, malformed and upper-case UUIDs, raw bodies that are not JSON objects,
// odd headers), with a valid or a broken token. Every random choice goes through fast-check's
// `gen`, so a run is reproduced by its seed.
import fc from 'fast-check'
import { categoryTable, CATEGORY_NAMES } from '@wams/schemas'
import type { Operation, ServiceName } from './openapi.ts'
import { allowedTypes, arbitraryOf, getAt, placesOf, setAt, type Hints, type Place, type Schema } from './schema-arbitrary.ts'
import { BSN_POOL, HOSTILE_CHARS, bsnArb, hostileTextArb, malformedUuids, textArb } from './values.ts'
import { brokenCallers, validCallers, type Caller } from './principals.ts'
import { COORDINATOR, DEMO_BSN, OIN } from '../support/parties.ts'
import { wireCases } from './wire.ts'

export type Gen = fc.GeneratorValue

export interface PermitTemplate { caseId: string, caller: string, provider: string, category: string, purpose: string, fields: string[] }

/** What the fuzzer knows of the world it fuzzes: real ids to aim at, grown while it runs. */
export interface World {
  oins: string[]
  /** Cases the gateway's permits depend on: read, never written by the ledger fuzzer. */
  fixture: { onderzoek: string, aanpak: string, closed: string, hulpvraag: string, objection: string }
  /** Cases the ledger fuzzer may change (opened at set-up, and by fuzzed POST /v1/cases). */
  ledgerCases: string[]
  /** Owner and coordinator of every case known, for the BSN exemption of the owner's views. */
  cases: Map<string, { municipality: string, coordinator: { org: string, sub: string } }>
  objections: Array<{ caseId: string, objectionId: string }>
  auditEventIds: string[]
  treeSize: number
  permitTemplates: PermitTemplate[]
  /** "METHOD /path/{template}" of every documented operation (and the automatic HEAD of each GET). */
  routes: Set<string>
}

export interface FuzzRequest {
  service: ServiceName
  op: string
  /** How it was made: 'valid', 'permit', or the mutations applied, e.g. 'wrong-type+hostile-text'. */
  kind: string
  method: string
  url: string
  headers: Record<string, string>
  payload?: string | Buffer
  caller: Caller
  /** The request breaks its schema or the text policy: it must not be answered 2xx or decided on. */
  mustRefuse: boolean
  /** Some string of it breaks the text policy. */
  hostileText: boolean
  /** Real HTTP instead of inject (the SSE stream). */
  http: boolean
  /** Raw bytes for a socket instead (wire.ts). */
  wire?: Buffer
}

interface Draft {
  op: Operation
  caller: Caller
  params: Record<string, string>
  /** Path segments sent exactly as given (already percent-encoded), instead of params. */
  rawParams: Record<string, string>
  query: Record<string, unknown>
  headers: Record<string, string>
  body: unknown
  raw?: string | Buffer
  contentType?: string
  method?: string
  kinds: string[]
  mustRefuse: boolean
  hostile: boolean
}

export const ALL_FIELDS: string[] = [...new Set(CATEGORY_NAMES.flatMap((c) => [...categoryTable[c].signal, ...categoryTable[c].detail]))]
const TEXT_PROPS = ['necessity', 'relatedness', 'reason', 'statement', 'description', 'notInformedReason']

// Choices are unbiased (fast-check's bias towards small values is for the values themselves, not for
// which operation, mutation or caller comes next).
const uniform = (n: number) => fc.noBias(fc.integer({ min: 0, max: n }))
const pick = <T>(g: Gen, list: readonly T[]): T => list[g(uniform, list.length - 1)]!
const chance = (g: Gen, p: number): boolean => g(uniform, 9999) < p * 10000

/** Percent-encodes a path segment or query value; unpaired surrogates as their (invalid) WTF-8 bytes. */
export function encodeComponent (s: string): string {
  let out = ''
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    if (cp >= 0xd800 && cp <= 0xdfff) {
      out += [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('')
    } else {
      out += encodeURIComponent(ch)
    }
  }
  return out
}

// ---- valid drafts ----------------------------------------------------------------------------------

function hintsFor (g: Gen, w: World, op: Operation): Hints {
  const isGatewayCase = op.service === 'gateway'
  const writesCase = op.service === 'ledger' && op.method !== 'GET'
  const caseIdArb = (): fc.Arbitrary<unknown> => {
    const fixture = Object.values(w.fixture)
    if (isGatewayCase) return fc.oneof({ weight: 7, arbitrary: fc.constantFrom(w.fixture.onderzoek, w.fixture.aanpak, w.fixture.onderzoek) }, { weight: 2, arbitrary: fc.constantFrom(...fixture) }, { weight: 1, arbitrary: fc.uuid() })
    if (writesCase) return fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...w.ledgerCases) }, { weight: 1, arbitrary: fc.uuid() })
    return fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...fixture, ...w.ledgerCases.slice(-20)) }, { weight: 1, arbitrary: fc.uuid() })
  }
  const oin = () => fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...w.oins) }, { weight: 1, arbitrary: fc.stringMatching(/^[0-9]{20}$/) })
  return {
    caseId: caseIdArb,
    objectionId: () => w.objections.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...w.objections.map((o) => o.objectionId)) }, { weight: 1, arbitrary: fc.uuid() }) : fc.uuid(),
    eventId: () => w.auditEventIds.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...w.auditEventIds.slice(-500)) }, { weight: 1, arbitrary: fc.uuid() }) : fc.uuid(),
    'eventIds[]': () => w.auditEventIds.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...w.auditEventIds.slice(-500)) }, { weight: 1, arbitrary: fc.uuid() }) : fc.uuid(),
    provider: (s) => s.pattern ? oin() : null,
    org: (s) => s.pattern ? oin() : null,
    'parties[]': (s) => s.pattern ? oin() : null,
    subject: () => fc.oneof({ weight: 6, arbitrary: fc.constant(DEMO_BSN.client) }, { weight: 3, arbitrary: bsnArb }),
    bsn: () => fc.oneof({ weight: 6, arbitrary: fc.constantFrom(DEMO_BSN.client, DEMO_BSN.member) }, { weight: 3, arbitrary: bsnArb }),
    fields: () => fc.uniqueArray(fc.constantFrom(...ALL_FIELDS), { minLength: 1, maxLength: 3 }),
    category: (s) => s.enum ? null : fc.constantFrom(...CATEGORY_NAMES),
    coordinator: () => fc.oneof({ weight: 3, arbitrary: fc.constant({ ...COORDINATOR }) }, { weight: 1, arbitrary: fc.record({ org: oin(), sub: textArb(1, 60) }) }),
    cursor: () => fc.oneof(fc.constant('0'), fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''))),
    // consistency and export take tree sizes: mostly within the log's size.
    from: (s) => s.type === 'integer' ? fc.nat(Math.max(1, w.treeSize)) : null,
    to: (s) => s.type === 'integer' ? fc.nat(Math.max(1, w.treeSize + 3)) : null,
    ...Object.fromEntries(TEXT_PROPS.map((p) => [p, (s: Schema) => textArb(Math.max(s.minLength ?? 0, 20), Math.min(s.maxLength ?? 400, 300))]))
  }
}

/** A body for POST /v1/cases that the case rules accept, most of the time. */
function openCaseBody (g: Gen): Record<string, unknown> {
  const ernstig = chance(g, 0.6)
  const client = chance(g, 0.8) ? DEMO_BSN.client : g(() => bsnArb)
  const body: Record<string, unknown> = {
    route: ernstig ? 'ernstig' : 'hulpvraag',
    subjects: [{ bsn: client, role: 'client' }, ...(chance(g, 0.6) ? [{ bsn: DEMO_BSN.member, role: 'household-member' }] : [])],
    problems: [
      { domain: 'schulden', description: g(() => textArb(5, 120)) },
      { domain: pick(g, ['oov', 'zorg', 'wonen', 'jeugd']), description: g(() => textArb(5, 120)) }
    ],
    relatedness: g(() => textArb(20, 200)),
    seriousGrounds: ernstig ? [pick(g, ['overlast', 'veiligheid', 'zorgmijding', 'teloorgang'])] : [],
    clientInformed: true,
    coordinator: { ...COORDINATOR }
  }
  if (chance(g, 0.15)) { body.clientInformed = false; body.notInformedReason = g(() => textArb(20, 200)) }
  return body
}

function callerFor (g: Gen, op: Operation): Caller {
  if (chance(g, 0.12)) return pick(g, brokenCallers())
  const preferred: Record<ServiceName, string[]> = {
    gateway: ['college-0101', 'coordinator-anna', 'pro-ggd', 'college-0101', 'college+coordinator'],
    ledger: ['college-0101', 'coordinator-anna', 'college-0101', 'supervisor-ap'],
    audit: ['supervisor-ap', 'college-0101', 'pro-ggd', 'supervisor-ap']
  }
  const name = chance(g, 0.6) ? pick(g, preferred[op.service]) : null
  return name ? validCallers.find((c) => c.name === name)! : pick(g, validCallers)
}

export function validDraft (g: Gen, w: World, op: Operation): Draft {
  const hints = hintsFor(g, w, op)
  const params: Record<string, string> = {}
  const query: Record<string, unknown> = {}
  const headers: Record<string, string> = {}
  for (const p of op.params) {
    if (p.in === 'path') {
      params[p.name] = String(g(() => arbitraryOf(p.schema, hints, p.name)))
    } else if (p.in === 'query' && (p.required || chance(g, 0.3))) {
      query[p.name] = g(() => arbitraryOf(p.schema, hints, p.name))
    } else if (p.in === 'header' && chance(g, 0.2)) {
      headers[p.name] = p.name === 'if-match' ? pick(g, ['*', '"1"', '"2"', '"3"', 'W/"1"']) : String(g(() => arbitraryOf(p.schema, hints, p.name)))
    }
  }
  // The decision on an objection: mostly an objection that exists, in its own case.
  if (op.path.includes('{objectionId}') && w.objections.length > 0 && chance(g, 0.8)) {
    const o = pick(g, w.objections)
    params.caseId = o.caseId
    params.objectionId = o.objectionId
  }
  let body: unknown
  if (op.body) {
    body = op.id === 'POST /v1/cases' && chance(g, 0.7) ? openCaseBody(g) : g(() => arbitraryOf(op.body!, hints))
  }
  return { op, caller: callerFor(g, op), params, rawParams: {}, query, headers, body, kinds: [], mustRefuse: false, hostile: false }
}

/** A data request that the policy permits (from the templates found at set-up), necessity varied. */
export function permitDraft (g: Gen, w: World, op: Operation): Draft {
  const t = pick(g, w.permitTemplates)
  const subject = chance(g, 0.85) ? DEMO_BSN.client : pick(g, [DEMO_BSN.member, DEMO_BSN.refused, DEMO_BSN.unknown])
  const necessity = g(() => textArb(20, 600))
  const caller = validCallers.find((c) => c.name === t.caller)!
  const d: Draft = {
    op,
    caller,
    params: { caseId: t.caseId },
    rawParams: {},
    query: {},
    headers: {},
    body: { provider: t.provider, subject, category: t.category, purpose: t.purpose, fields: g(() => fc.shuffledSubarray(t.fields, { minLength: 1 })), necessity },
    kinds: ['permit'],
    mustRefuse: false,
    hostile: false
  }
  if (chance(g, 0.25)) {
    // Hostile characters in an otherwise permitted request: the edge must refuse it (400) before deciding.
    d.body = { ...(d.body as object), necessity: g(() => hostileTextArb(fc.constant(necessity))) }
    d.kinds.push('hostile-necessity')
    d.mustRefuse = true
    d.hostile = true
  } else if (chance(g, 0.1)) {
    d.body = { ...(d.body as object), necessity: `${necessity} (betreft BSN ${pick(g, BSN_POOL)})` }
    d.kinds.push('bsn-in-necessity')
  }
  return d
}

// ---- mutations -------------------------------------------------------------------------------------

type Mutation = (g: Gen, d: Draft, w: World) => Draft | null

function stringPlaces (d: Draft): Place[] {
  return placesOf(d.body, d.op.body).filter((p) => typeof getAt(d.body, p.path) === 'string')
}

function wrongValueFor (g: Gen, schema: Schema | null): unknown {
  const allowed = allowedTypes(schema)
  const candidates: Array<[string, unknown]> = [
    ['integer', Number(DEMO_BSN.client)], ['integer', 0], ['integer', -1], ['number', 1.5], ['number', 1e308],
    ['boolean', true], ['boolean', false], ['null', null], ['array', []], ['array', ['x']], ['array', [Number(DEMO_BSN.client)]],
    ['object', {}], ['object', { value: DEMO_BSN.client }], ['string', 'true'], ['string', '12'], ['string', DEMO_BSN.client], ['string', '']
  ]
  const wrong = candidates.filter(([type]) => !allowed.has(type) && !(type === 'integer' && allowed.has('number')))
  return wrong.length > 0 ? pick(g, wrong)[1] : null
}

const mutations: Record<string, Mutation> = {
  'hostile-text': (g, d) => {
    const places = stringPlaces(d)
    if (places.length === 0) return null
    const p = pick(g, places)
    const value = String(getAt(d.body, p.path))
    return { ...d, body: setAt(d.body, p.path, () => g(() => hostileTextArb(fc.constant(value)))), mustRefuse: true, hostile: true }
  },
  'hostile-key': (g, d) => {
    if (d.body === null || typeof d.body !== 'object' || Array.isArray(d.body)) return null
    const key = pick(g, ['\u0000', 'a\ud800', '\uffff', 'x\u001b[0m'])
    return { ...d, body: { ...(d.body as object), [key]: 'x' }, mustRefuse: true, hostile: true }
  },
  'bsn-in-string': (g, d) => {
    const places = stringPlaces(d)
    if (places.length === 0) return null
    const p = pick(g, places)
    const bsn = g(() => bsnArb)
    // A draft that must be refused keeps what makes it so (the BSN is appended): replacing the
    // value could remove the hostile text or the overlong string (seed 20261204), and the oracle
    // would then report a valid request as accepted.
    return { ...d, body: setAt(d.body, p.path, (old) => !d.hostile && !d.mustRefuse && chance(g, 0.5) ? bsn : `${String(old)} ${bsn}`) }
  },
  'number-for-string': (g, d) => {
    const places = stringPlaces(d)
    if (places.length === 0) return null
    const p = pick(g, places)
    const value = pick(g, [Number(DEMO_BSN.client), 999990019.0, 12345, true, false, 0])
    return { ...d, body: setAt(d.body, p.path, () => value), mustRefuse: true }
  },
  'wrong-type': (g, d) => {
    const places = placesOf(d.body, d.op.body).filter((p) => p.schema !== null && p.path.length > 0)
    if (places.length === 0) return null
    const p = pick(g, places)
    const value = wrongValueFor(g, p.schema)
    if (value === null && allowedTypes(p.schema).has('null')) return null
    return { ...d, body: setAt(d.body, p.path, () => value), mustRefuse: true }
  },
  'missing-required': (g, d) => {
    const places = placesOf(d.body, d.op.body).filter((p) => p.path.length > 0 && p.required && typeof p.path.at(-1) === 'string')
    if (places.length === 0) return null
    const p = pick(g, places)
    return { ...d, body: setAt(d.body, p.path, () => undefined), mustRefuse: true }
  },
  'extra-property': (g, d) => {
    const places = placesOf(d.body, d.op.body).filter((p) => {
      const v = getAt(d.body, p.path)
      return v !== null && typeof v === 'object' && !Array.isArray(v) && p.schema?.additionalProperties === false
    })
    if (places.length === 0) return null
    const p = pick(g, places)
    const name = pick(g, [DEMO_BSN.client, 'extra', '__proto__', 'constructor', 'protectsOthers', 'bsn', 'isAdmin'])
    if (p.schema?.properties && name in p.schema.properties) return null
    const value = pick(g, [DEMO_BSN.client, { reason: 'Ter bescherming van anderen in het gezin.' }, true, 1, null])
    return {
      ...d,
      body: setAt(d.body, p.path, (old) => {
        const copy = { ...(old as object) }
        Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true })
        return copy
      }),
      mustRefuse: true
    }
  },
  'too-long': (g, d) => {
    const places = stringPlaces(d)
    if (places.length === 0) return null
    const p = pick(g, places)
    const max = p.schema?.maxLength
    const length = pick(g, [...(max !== undefined ? [max + 1, max + 1] : []), 10_001, 70_000])
    const invalid = (max !== undefined && length > max) || length > 10_000 || (p.schema?.pattern !== undefined) || (p.schema?.enum !== undefined) || (p.schema?.format !== undefined)
    return { ...d, body: setAt(d.body, p.path, () => pick(g, ['a', 'é', '9', '🙂']).repeat(length).slice(0, length)), mustRefuse: invalid }
  },
  'raw-body': (g, d) => {
    if (!d.op.body) return null
    const raw = pick(g, [
      '{', '{"subject":', 'null', '[]', '"999990019"', '999990019', 'true', '{}', '[{"subject":"999990019"}]',
      `{"subject":"${DEMO_BSN.client}","subject":${DEMO_BSN.client}}`, '{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"x":1}}}',
      '['.repeat(5000) + ']'.repeat(5000), `{"a":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`, '\ufeff{}', '{"necessity":"\\ud800"}', '{"necessity":"\\u0000"}'
    ])
    return { ...d, raw, mustRefuse: true, hostile: raw.includes('\\ud800') || raw.includes('\\u0000') }
  },
  'content-type': (g, d) => {
    // Once: a second pick would replace the first, whose verdict (must refuse) would still count.
    if (d.body === undefined || d.contentType !== undefined) return null
    const contentType = pick(g, ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/xml', 'application/json-patch+json'])
    return { ...d, contentType, mustRefuse: contentType !== 'application/json; charset=utf-16' }
  },
  'invalid-utf8': (g, d) => {
    if (d.body === undefined) return null
    const json = JSON.stringify(d.body)
    const at = json.lastIndexOf('"')
    if (at <= 0) return null
    const raw = Buffer.concat([Buffer.from(json.slice(0, at)), Buffer.from([pick(g, [0xff, 0xc0, 0xed, 0x80])]), Buffer.from(json.slice(at))])
    return { ...d, raw }
  },
  'path-param': (g, d, w) => {
    const names = d.op.params.filter((p) => p.in === 'path').map((p) => p.name)
    if (names.length === 0) return null
    const name = pick(g, names)
    const real = d.params[name] ?? w.fixture.onderzoek
    const choice = g(uniform, 5)
    if (choice === 0) return { ...d, params: { ...d.params, [name]: g(() => bsnArb) }, mustRefuse: true }
    if (choice === 1) {
      const variant = pick(g, malformedUuids(real))
      // Upper case (and the urn: form) are valid UUID syntax for ajv-formats; the rest is not.
      const syntacticallyValid = /^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(variant)
      return { ...d, params: { ...d.params, [name]: variant }, mustRefuse: !syntacticallyValid && name !== 'org' }
    }
    if (choice === 2) return { ...d, params: { ...d.params, [name]: real + pick(g, HOSTILE_CHARS) }, mustRefuse: true, hostile: true }
    if (choice === 3) return { ...d, rawParams: { ...d.rawParams, [name]: pick(g, ['%00', '%ED%A0%80', '%FF', '%E0%80', '%', '%zz', '..%2F..%2Fetc', `${DEMO_BSN.client}%00`, '%2e%2e']) }, mustRefuse: true }
    if (choice === 4) return { ...d, params: { ...d.params, [name]: 'a'.repeat(pick(g, [101, 1000, 9000])) }, mustRefuse: true }
    return { ...d, params: { ...d.params, [name]: `${real}/${DEMO_BSN.client}` }, mustRefuse: true }
  },
  query: (g, d) => {
    const qs = d.op.params.filter((p) => p.in === 'query')
    if (qs.length === 0) return null
    const p = pick(g, qs)
    const value = pick(g, [
      DEMO_BSN.client, '', 'abc', '-1', '0', '501', '1e3', '1.5', '99999999999999999999', 'true', '[]',
      '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-02-30T00:00:00Z', '2026-12-02T24:00:00Z', '2016-12-31T23:59:60Z',
      '1970-01-01T00:00:00+99:99', '2026-12-02', '-000001-01-01T00:00:00Z', [DEMO_BSN.client, DEMO_BSN.member], 'x\u0000', 'x\ud800', 'x\uffff'
    ])
    // eslint-disable-next-line no-control-regex -- NUL is one of the hostile characters looked for
    const hostile = typeof value === 'string' && /[\u0000\ud800\uffff]/.test(value)
    return { ...d, query: { ...d.query, [p.name]: value }, hostile: d.hostile || hostile, mustRefuse: d.mustRefuse || hostile }
  },
  'extra-query': (g, d) => ({ ...d, query: { ...d.query, [pick(g, ['bsn', 'subject', 'q', DEMO_BSN.client])]: pick(g, [DEMO_BSN.client, 'x']) } }),
  headers: (g, d) => {
    const name = pick(g, ['if-match', 'traceparent', 'last-event-id', 'accept', 'api-version', 'x-forwarded-for', 'tracestate'])
    const value = pick(g, [
      `"${DEMO_BSN.client}"`, DEMO_BSN.client, 'W/"abc"', '"1", "2"', '*', '"-1"', '"99999999999999999999"',
      `00-${DEMO_BSN.client}000000000000000000000-b7ad6b7169203331-01`, '00-00000000000000000000000000000000-0000000000000000-01',
      'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'x'.repeat(8000), 'text/html', '999999999999999'
    ])
    return { ...d, headers: { ...d.headers, [name]: value } }
  },
  method: (g, d, w) => {
    if (d.method !== undefined) return null
    const method = pick(g, ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'POST', 'TRACE'].filter((m) => m !== d.op.method))
    const bodiless = method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || method === 'TRACE'
    // OPTIONS may be answered (204 with Allow): it asks what the URL accepts, nothing else.
    return { ...d, method, body: bodiless ? undefined : d.body, mustRefuse: method !== 'OPTIONS' && !w.routes.has(`${method} ${d.op.path}`) }
  }
}

export const MUTATION_NAMES = Object.keys(mutations)

function mutate (g: Gen, d: Draft, w: World, count: number): Draft {
  let out = d
  // A raw body (raw-body, invalid-utf8) is the last word: a later change of the parsed body would not be sent.
  for (let i = 0; i < count && out.raw === undefined; i++) {
    // A few tries: not every mutation applies to every operation (no body, no path parameter…).
    for (let attempt = 0; attempt < 4; attempt++) {
      const name = pick(g, MUTATION_NAMES)
      const next = mutations[name]!(g, out, w)
      if (next !== null) {
        out = { ...next, kinds: [...out.kinds, name], mustRefuse: out.mustRefuse || next.mustRefuse, hostile: out.hostile || next.hostile }
        break
      }
    }
  }
  return out
}

// ---- requests --------------------------------------------------------------------------------------

export function toRequest (d: Draft): FuzzRequest {
  const path = d.op.path.replace(/\{(\w+)\}/g, (_, name: string) => d.rawParams[name] ?? encodeComponent(d.params[name] ?? ''))
  const qs = Object.entries(d.query).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).filter((x) => x !== undefined)
    .map((x) => `${encodeComponent(k)}=${encodeComponent(typeof x === 'string' ? x : JSON.stringify(x))}`)).join('&')
  const headers: Record<string, string> = { ...d.headers }
  if (d.caller.authorization !== null) headers.authorization = d.caller.authorization
  let payload: string | Buffer | undefined = d.raw
  if (payload === undefined && d.body !== undefined) payload = JSON.stringify(d.body)
  if (payload !== undefined) headers['content-type'] = d.contentType ?? 'application/json'
  const method = d.method ?? d.op.method
  const kind = d.kinds.length === 0 ? 'valid' : d.kinds.join('+')
  return {
    service: d.op.service,
    op: d.op.id,
    kind,
    method,
    url: qs ? `${path}?${qs}` : path,
    headers,
    caller: d.caller,
    mustRefuse: d.mustRefuse,
    hostileText: d.hostile,
    http: d.op.path === '/v1/audit/stream',
    ...(payload !== undefined ? { payload } : {})
  }
}

/** Requests for routes no document lists, with BSNs and junk in the path: 404/405 problems, no echo. */
export function junkRequest (g: Gen, service: ServiceName, w: World): FuzzRequest {
  const bsn = g(() => bsnArb)
  const path = pick(g, [
    `/v1/cases/${bsn}`, `/v1/persons/${bsn}`, `/v1/cases/${w.fixture.onderzoek}/data-requests/${bsn}`, `/v1/audit/events/${bsn}/proof`,
    `/v1/subjects?bsn=${bsn}`, `/v1/${bsn}`, `/${bsn}`, '/v1/%00', '/v1/%ED%A0%80', '/v2/cases', '/v1/cases/', '//v1//cases',
    `/v1/cases/${w.fixture.onderzoek}/../../${bsn}`, `/v1/openapi.json/${bsn}`, `/v1/cases/${encodeComponent('\u0000')}`,
    `/v1/audit/subject-report/${bsn}`, `/health/${bsn}`, `/v1/docs/${bsn}`, '/' + 'x'.repeat(9000), `/v1/cases?caseId=${bsn}`
  ])
  const method = pick(g, ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'])
  const caller = chance(g, 0.5) ? pick(g, validCallers) : pick(g, brokenCallers())
  const headers: Record<string, string> = caller.authorization ? { authorization: caller.authorization } : {}
  const payload = method === 'POST' || method === 'PUT' || method === 'PATCH' ? JSON.stringify({ bsn, subject: bsn }) : undefined
  if (payload) headers['content-type'] = 'application/json'
  return { service, op: 'junk route', kind: 'junk', method, url: path, headers, caller, mustRefuse: method !== 'OPTIONS', hostileText: false, http: false, ...(payload ? { payload } : {}) }
}

/** Bytes only a socket can send: what the HTTP parser refuses, framing, raw bytes in the URL. */
export function wireRequest (g: Gen, service: ServiceName, w: World): FuzzRequest {
  const caller = pick(g, validCallers)
  const c = pick(g, wireCases(g(() => bsnArb), pick(g, Object.values(w.fixture)), `Authorization: ${caller.authorization!}`))
  return { service, op: 'wire', kind: `wire: ${c.name}`, method: c.method, url: c.url, headers: {}, caller, mustRefuse: true, hostileText: false, http: true, wire: c.raw }
}

export interface Mix { permitShare: number, mutateShare: number, junkShare: number, wireShare: number, ops: Operation[] }

/** One request of a worker's mix. */
export function generate (g: Gen, w: World, mix: Mix, service: ServiceName): FuzzRequest {
  if (chance(g, mix.junkShare)) return junkRequest(g, service, w)
  if (chance(g, mix.wireShare)) return wireRequest(g, service, w)
  const dataRequest = mix.ops.find((o) => o.id === 'POST /v1/cases/{caseId}/data-requests')
  if (dataRequest && w.permitTemplates.length > 0 && chance(g, mix.permitShare)) return toRequest(permitDraft(g, w, dataRequest))
  const op = pick(g, mix.ops)
  const draft = validDraft(g, w, op)
  const count = chance(g, mix.mutateShare) ? (chance(g, 0.75) ? 1 : 2) : 0
  return toRequest(mutate(g, draft, w, count))
}

export { OIN }
