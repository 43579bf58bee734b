// What must hold for every answer, whatever was asked (issue 8, "Tests that show it"):
//  - no 5xx but the documented 503s (AUDIT_UNAVAILABLE, EVIDENCE_BEHIND, PARTNER_BUSY,
//    CASE_STATE_UNAVAILABLE, each with Retry-After where the API promises it); any 500 fails;
//  - every 4xx/5xx is application/problem+json with a numeric `status` equal to the HTTP status
//    and a `title`; every 2xx JSON answer matches the response schema its document gives;
//  - no BSN of the request in the answer's body or headers — except where the API by design gives
//    the subject's own data to an entitled caller (see BSN_EXEMPTIONS below);
//  - no BSN at all in what the audit service answers (it holds pseudonyms only);
//  - a request that breaks its schema or the text policy, or carries a broken token, is never
//    answered 2xx and never decided on (no permit, no deny);
//  - every gateway decision answered (permit, deny, and the partner outcomes) names its audit
//    event; those ids are collected for the evidence check at the end.
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { FuzzRequest, World } from './generate.ts'
import type { Operation } from './openapi.ts'
import { BSN_POOL, NINE_DIGITS, bsnPattern } from './values.ts'
import type { Schema } from './schema-arbitrary.ts'

export interface Answer {
  status: number
  headers: Record<string, string | string[] | number | undefined>
  body: string
  ms: number
  /** No answer: a timeout or a transport error. */
  error?: string
}

export interface Violation { rule: string, detail: string }

/** The 503s the documents name, answered when something the request needs is unavailable. */
export const DOCUMENTED_503 = new Set(['AUDIT_UNAVAILABLE', 'EVIDENCE_BEHIND', 'PARTNER_BUSY', 'CASE_STATE_UNAVAILABLE'])
const NEEDS_RETRY_AFTER = new Set(['EVIDENCE_BEHIND', 'PARTNER_BUSY'])
/**
 * What a secured route may answer a broken token instead of 401: routing and URL checks come
 * first, and so does content negotiation (406: it tells only what the public OpenAPI document
 * says; test/platform/adr-behaviour.test.ts holds that order).
 */
const BEFORE_AUTHENTICATION = new Set([401, 404, 405, 406, 414, 431])

/**
 * Where a BSN of the request may come back, by design:
 *  - the gateway's 200 permit: `data` is what the provider holds about the subject, released to a
 *    caller the rules entitle to it (the rest of the answer — requestId, legalBasis, headers — not);
 *  - the consent ledger's 2xx answers about a case to its owner (the college of the case's
 *    municipality) or its named coordinator: the full view and the ledger carry the subjects' BSNs
 *    and the texts the owner wrote (SPEC §6; access.ts VIEWS). Headers never.
 * Nowhere else: not in any error, not in any other caller's view, not in the audit service.
 */
export const BSN_EXEMPTIONS = [
  'gateway POST /v1/cases/{caseId}/data-requests 200: the `data` member',
  'consent ledger 2xx about a case, to its college (role college, org = municipality) or its named coordinator (org and sub)'
]

const DATA_REQUEST = 'POST /v1/cases/{caseId}/data-requests'
const SLOW_MS = 12_000
const INVOLVEMENT = 'POST /v1/cases/{caseId}/involvement-check'

export interface EvidenceClaim { eventId: string, outcome: string, op: string, kind: string, status: number, requestId: string }

const header = (a: Answer, name: string): string => {
  const v = a.headers[name]
  return Array.isArray(v) ? v.join(', ') : v === undefined ? '' : String(v)
}

/** Nine-digit runs anywhere in the request: URL (raw and decoded), headers, the token's claims, the body. */
export function bsnsOf (req: FuzzRequest): Set<string> {
  const texts: string[] = [req.url, safeDecode(req.url), ...Object.values(req.headers)]
  const auth = req.headers.authorization
  if (auth) {
    const payload = auth.replace(/^Bearer\s+/i, '').split('.')[1]
    if (payload) texts.push(Buffer.from(payload, 'base64url').toString('utf8'))
  }
  if (req.payload !== undefined) texts.push(req.payload.toString())
  if (req.wire !== undefined) texts.push(req.wire.toString('latin1'))
  const out = new Set<string>()
  for (const t of texts) for (const m of t.matchAll(NINE_DIGITS)) out.add(m[0])
  return out
}

function safeDecode (s: string): string {
  try { return decodeURIComponent(s) } catch { return s }
}

const hasBsn = (text: string, bsn: string) => bsnPattern(bsn).test(text)

export class Oracle {
  private readonly ajv = new Ajv({ strict: false, allErrors: false, logger: false, validateFormats: false })
  private readonly validators = new Map<string, ValidateFunction | null>()
  readonly evidence: EvidenceClaim[] = []
  readonly undocumented = new Map<string, number>()
  readonly documented503 = new Map<string, number>()
  /** A few of the documented 503s, to see why they happened. */
  readonly samples503: string[] = []

  constructor (private readonly ops: Map<string, Operation>, private readonly world: World) {
    addFormats.default(this.ajv)
  }

  private responseValidator (op: Operation, status: number): ValidateFunction | null {
    const key = `${op.service} ${op.id} ${status}`
    if (!this.validators.has(key)) {
      const schema = op.responses.get(status)
      this.validators.set(key, schema ? this.ajv.compile(schema as object) : null)
    }
    return this.validators.get(key)!
  }

  check (req: FuzzRequest, a: Answer): Violation[] {
    const v: Violation[] = []
    const add = (rule: string, detail: string) => v.push({ rule, detail })
    if (a.error !== undefined) { add('no-answer', a.error); return v }
    // Bounded answer time (issue 8 item 6): PARTNER_TIMEOUT_MS (5 s) and the ledger's 2 s, with a wide margin for a loaded machine.
    if ((req.op === DATA_REQUEST || req.op === INVOLVEMENT) && a.ms > SLOW_MS) add('slow', `answered after ${(a.ms / 1000).toFixed(1)} s`)
    const op = this.ops.get(`${req.service} ${req.method} ${pathTemplateOf(req, this.ops)}`) ?? null
    const contentType = header(a, 'content-type')
    const head = req.method === 'HEAD'
    let json: Record<string, unknown> | null = null
    const ndjson = contentType.startsWith('application/x-ndjson')
    if (ndjson && !head) {
      const bad = a.body.split('\n').filter((l) => l.trim() !== '').find((l) => { try { JSON.parse(l); return false } catch { return true } })
      if (bad !== undefined) add('json', `${a.status} NDJSON with a line that is not JSON: ${bad.slice(0, 120)}`)
    } else if (!head && /json/.test(contentType)) {
      try { json = JSON.parse(a.body) as Record<string, unknown> } catch { add('json', `${a.status} with a body that is not JSON: ${a.body.slice(0, 120)}`) }
    }
    const code = typeof json?.code === 'string' ? json.code : ''

    // No 5xx but the documented 503s.
    if (a.status >= 500) {
      if (a.status === 503 && DOCUMENTED_503.has(code)) {
        this.documented503.set(code, (this.documented503.get(code) ?? 0) + 1)
        if (this.samples503.length < 5) this.samples503.push(`${req.service} ${req.method} ${req.url.slice(0, 120)} [${req.kind}] → ${a.body.slice(0, 300)}`)
        if (NEEDS_RETRY_AFTER.has(code) && header(a, 'retry-after') === '') add('retry-after', `503 ${code} without Retry-After`)
      } else {
        add(a.status === 500 ? '500' : '5xx', `${a.status} ${code || '(no code)'}: ${a.body.slice(0, 200)}`)
      }
    }

    // Errors are problem+json with status and title.
    if (a.status >= 400) {
      if (!contentType.startsWith('application/problem+json')) {
        add('problem+json', `${a.status} answered as "${contentType}": ${a.body.slice(0, 120)}`)
      } else if (!head) {
        if (json === null || typeof json !== 'object') add('problem+json', `${a.status}: the problem is not a JSON object`)
        else {
          if (typeof json.status !== 'number' || json.status !== a.status) add('problem-status', `${a.status} with status member ${JSON.stringify(json.status)}`)
          if (typeof json.title !== 'string' || json.title.length === 0) add('problem-title', `${a.status} without a title`)
        }
      }
    } else if (a.status >= 200 && a.status < 300 && !head && !req.http && a.status !== 204) {
      const documented = op?.mediaTypes.get(a.status) ?? []
      const expected = documented.length > 0 ? documented : ['application/json']
      if (!expected.some((m) => contentType.startsWith(m))) add('content-type', `${a.status} answered as "${contentType}", documented ${expected.join(' or ')}`)
      else if (op && json !== null && contentType.startsWith('application/json')) {
        const validate = this.responseValidator(op, a.status)
        if (validate && !validate(json)) add('response-schema', `${a.status} does not match its documented schema: ${this.ajv.errorsText(validate.errors).slice(0, 200)}`)
      }
    }
    if (op && !op.responses.has(a.status)) {
      const key = `${req.service} ${op.id} → ${a.status}`
      this.undocumented.set(key, (this.undocumented.get(key) ?? 0) + 1)
    }

    // No BSN of the request in the answer (but where the API gives the subject's data by design).
    const bsns = bsnsOf(req)
    if (bsns.size > 0) {
      const headerText = Object.entries(a.headers).map(([k, x]) => `${k}: ${Array.isArray(x) ? x.join(', ') : String(x)}`).join('\n')
      let bodyText = a.body
      if (req.service === 'gateway' && req.op === DATA_REQUEST && a.status === 200 && json) bodyText = JSON.stringify({ ...json, data: '(exempt)' })
      if (req.service === 'ledger' && a.status >= 200 && a.status < 300 && this.ownerOrCoordinator(req)) bodyText = ''
      for (const bsn of bsns) {
        if (hasBsn(headerText, bsn)) add('bsn-echo', `${bsn.slice(0, 3)}… of the request in a header of the ${a.status}`)
        if (hasBsn(bodyText, bsn)) add('bsn-echo', `${bsn.slice(0, 3)}… of the request in the body of the ${a.status}: ${excerpt(bodyText, bsn)}`)
      }
    }
    if (req.service === 'audit' && a.status < 300) {
      for (const bsn of BSN_POOL) if (hasBsn(a.body, bsn)) add('bsn-in-audit', `the audit service answered ${bsn.slice(0, 3)}… in a ${a.status}: ${excerpt(a.body, bsn)}`)
    }

    // Invalid input, hostile text and broken tokens are never served nor decided on. (OPTIONS says
    // what a URL accepts, 204 with Allow, whatever the rest of the request holds.)
    const outcome = typeof json?.outcome === 'string' ? json.outcome : null
    const decided = outcome === 'permit' || outcome === 'deny' || (req.op === INVOLVEMENT && a.status === 200)
    if (req.hostileText && req.method !== 'OPTIONS' && (a.status < 300 || decided)) add('text-policy', `hostile text answered ${a.status}${outcome ? ` (${outcome})` : ''}`)
    else if (req.mustRefuse && req.method !== 'OPTIONS' && (a.status < 300 || decided)) add('invalid-accepted', `a request outside its schema answered ${a.status}${outcome ? ` (${outcome})` : ''}`)
    if (!req.caller.valid && op?.secured) {
      if (a.status < 300 || decided) add('broken-token-accepted', `token ${req.caller.name} answered ${a.status}`)
      // Authentication runs first (onRequest): only what comes before it may answer otherwise.
      else if (!BEFORE_AUTHENTICATION.has(a.status) && !(a.status === 400 && code === 'WAMS_BAD_URL')) add('broken-token-not-401', `token ${req.caller.name} answered ${a.status} ${code}`)
    }

    // The gateway's decisions name their audit events; collected for the evidence check.
    if (req.service === 'gateway' && json) this.collectEvidence(req, a, json, add)
    return v
  }

  private ownerOrCoordinator (req: FuzzRequest): boolean {
    const c = req.caller
    if (!c.valid) return false
    if (req.method === 'POST' && /^\/v1\/cases\/?(\?|$)/.test(req.url)) return c.roles?.includes('college') ?? false
    const id = /^\/v1\/cases\/([^/?]+)/.exec(req.url)?.[1]
    const known = id ? this.world.cases.get(safeDecode(id).toLowerCase()) : undefined
    if (!known) return false
    return (c.roles?.includes('college') === true && c.org === known.municipality) || (c.org === known.coordinator.org && c.sub === known.coordinator.sub)
  }

  private collectEvidence (req: FuzzRequest, a: Answer, json: Record<string, unknown>, add: (rule: string, detail: string) => void): void {
    if (req.op === DATA_REQUEST && req.method === 'POST') {
      const outcome = json.outcome
      if (a.status === 200) {
        if (outcome !== 'permit') add('permit-shape', `200 with outcome ${JSON.stringify(outcome)}`)
        const asked = new Set<string>(safeJson(req.payload)?.fields ?? [])
        const released = Object.keys((json.data ?? {}) as object)
        const extra = released.filter((f) => !asked.has(f))
        if (extra.length > 0) add('minimisation', `released fields not asked for: ${extra.join(', ')}`)
      }
      if (a.status === 403 && outcome === 'deny' && (!Array.isArray(json.reasons) || json.reasons.length === 0)) add('deny-shape', '403 deny without reasons')
      const mustName = outcome === 'permit' || outcome === 'deny' || outcome === 'refused' || outcome === 'not-known' || (outcome === 'error' && a.status !== 503)
      if (typeof json.auditEventId === 'string') this.evidence.push({ eventId: json.auditEventId, outcome: String(outcome), op: 'data-request', kind: req.kind, status: a.status, requestId: String(json.requestId) })
      else if (mustName) add('no-audit-event', `${a.status} ${String(outcome)} names no auditEventId`)
      if (outcome !== undefined && typeof json.requestId !== 'string') add('no-request-id', `${a.status} ${String(outcome)} without requestId`)
    }
    if (req.op === INVOLVEMENT && req.method === 'POST' && a.status === 200) {
      const results = Array.isArray(json.results) ? json.results as Array<Record<string, unknown>> : []
      for (const r of results) {
        if (typeof r.auditEventId !== 'string') add('no-audit-event', `involvement result ${String(r.provider)} ${String(r.outcome)} names no auditEventId`)
        else this.evidence.push({ eventId: r.auditEventId, outcome: String(r.outcome), op: 'involvement-check', kind: req.kind, status: a.status, requestId: `${String(json.requestId)}/${String(r.requestId)}` })
      }
    }
  }
}

function safeJson (payload: string | Buffer | undefined): { fields?: string[] } | null {
  try { return payload === undefined ? null : JSON.parse(payload.toString()) as { fields?: string[] } } catch { return null }
}

function excerpt (text: string, bsn: string): string {
  const i = text.search(bsnPattern(bsn))
  return JSON.stringify(text.slice(Math.max(0, i - 60), i + 70).replaceAll(bsn, `${bsn.slice(0, 3)}XXXXXX`))
}

/** The documented path template a request's URL belongs to (for its schemas), or the URL path. */
function pathTemplateOf (req: FuzzRequest, ops: Map<string, Operation>): string {
  if (req.op !== 'junk route') {
    const op = [...ops.values()].find((o) => o.service === req.service && o.id === req.op)
    if (op) return op.path
  }
  return req.url.split('?')[0]!
}

export type { Schema }
