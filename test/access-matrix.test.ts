// The access matrix as a test (issue 11 item 6). One stack in this process — the consent ledger,
// the gateway, the audit service and the demo partner systems, on real PostgreSQL and Kafka with
// one topic prefix — and every cell of test/access-matrix/table.ts asked of it: every endpoint of
// the three services × ten callers × (own case, other case, no case). Each answer is held to its
// status and to what it may reveal (the words of the table's legend), and the refusals of an
// endpoint to being one answer. Before anything is asked, every route of the three built apps must
// have a row of the table, so an endpoint added later cannot slip past; and docs/access-matrix.md
// must be the table's rendering (scripts/access-matrix-doc.ts).
import t, { type Test } from 'tap'
import http from 'node:http'
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { PROBLEM_TYPE } from '@wams/platform'
import { cosignerVerifierKey, signCosignature } from '@wams/transparency-log'
import { buildApp as buildLedger, readConfig as ledgerConfig } from '../services/consent-ledger/src/index.ts'
import { buildApp as buildGateway, readConfig as gatewayConfig } from '../services/gateway/src/index.ts'
import { buildApp as buildAudit, readConfig as auditConfig } from '../services/audit/src/index.ts'
import { REASON_CODES } from '../services/gateway/src/decision/reason-codes.ts'
import { ACCESS_MATRIX_DOC, renderAccessMatrixDoc, counts } from '../scripts/access-matrix-doc.ts'
import { freshDatabase, freshTopicPrefix } from './support/infra.ts'
import { startDemoPartners, writeTestRegister } from './support/partners.ts'
import { bearer } from './support/tokens.ts'
import { COORDINATOR, DEMO_BSN, OIN } from './support/parties.ts'
import { pseudonymise } from './audit/support.ts'
import { routesOf, type Route } from './support/routes.ts'
import {
  CALLERS, CASES, OTHER_COORDINATOR, ROLES, TABLE, cellsOf, isCaseRow, parseCell, rowKey,
  type CaseName, type Cell, type Reveal, type Role, type Row, type Service
} from './access-matrix/table.ts'

const started = Date.now()

// ---- the stack -----------------------------------------------------------------------------------

/** A witness the audit service trusts, for the cosignature row. */
const WITNESS = { name: 'access-matrix-witness', ...generateKeyPairSync('ed25519') }

const prefix = freshTopicPrefix('access_matrix')
const common = { KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: process.env.AM_LOG_LEVEL ?? 'silent', PORT: '0', KAFKA_PARTITIONS: '1' }
const [ledgerDb, gatewayDb, auditDb] = await Promise.all([freshDatabase('am_ledger'), freshDatabase('am_gw'), freshDatabase('am_audit')])
t.teardown(async () => { await ledgerDb.drop(); await gatewayDb.drop(); await auditDb.drop() })
const partners = await startDemoPartners()
t.teardown(() => partners.close())
const ledger = await buildLedger(ledgerConfig({ ...common, DATABASE_URL: ledgerDb.url, BRP_URL: partners.brpUrl }))
await ledger.listen({ host: '127.0.0.1', port: 0 })
t.teardown(() => ledger.close())
const ledgerUrl = `http://127.0.0.1:${(ledger.server.address() as AddressInfo).port}`
const [gateway, audit] = await Promise.all([
  buildGateway(gatewayConfig({
    ...common,
    DATABASE_URL: gatewayDb.url,
    REGISTER_FILE: writeTestRegister(partners.baseUrl),
    CONSENT_LEDGER_URL: ledgerUrl
  })),
  buildAudit(auditConfig({
    ...common,
    DATABASE_URL: auditDb.url,
    CHECKPOINT_INTERVAL_MS: '200',
    CONSENT_LEDGER_URL: ledgerUrl,
    WITNESS_KEYS: cosignerVerifierKey(WITNESS.name, WITNESS.publicKey)
  }))
])
t.teardown(() => gateway.close())
t.teardown(() => audit.close())
await audit.listen({ host: '127.0.0.1', port: 0 })
const auditOrigin = `http://127.0.0.1:${(audit.server.address() as AddressInfo).port}`
const outboxes = [ledgerDb.url, gatewayDb.url, auditDb.url].map((url) => {
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  pool.on('error', () => {})
  return pool
})
t.teardown(() => Promise.all(outboxes.map((p) => p.end())))

/** Where the time went, for the summary. */
const phases: string[] = []
const phase = (what: string, since: number) => phases.push(`${what} ${((Date.now() - since) / 1000).toFixed(1)} s`)
phase('stack', started)

const APPS: Readonly<Record<Service, FastifyInstance>> = { gateway, 'consent-ledger': ledger, audit }

// ---- every route has a row -----------------------------------------------------------------------

const rowFor = (service: Service, { method, path }: Route): Row | undefined =>
  TABLE.find((row) => row.service === service && row.method === method && (row.path === path || row.covers?.test(path) === true))

// ---- callers, cases, fixtures ---------------------------------------------------------------------

const tokens = Object.fromEntries(ROLES.map((r) => [r, bearer({ org: CALLERS[r].org, roles: CALLERS[r].roles, sub: CALLERS[r].sub })])) as Record<Role, { authorization: string }>
const college = tokens.owner
const otherCollege = tokens.otherMunicipality
const supervisor = tokens.supervisor

const NECESSITY = 'Nodig om vast te stellen welke hulp het gezin al krijgt en wat ontbreekt.'
/** A valid BSN (eleven-test) of nobody: not a demo resident, unknown to the BRP, in no case. */
const NOBODY = '999990068'
const BSNS = [...Object.values(DEMO_BSN), NOBODY]
const ACTIVE_ORGS = new Set(ROLES.filter((r) => r !== 'unregistered' && r !== 'inactive').map((r) => CALLERS[r].org))

const CLIENT: Record<CaseName, string> = { own: DEMO_BSN.client, other: DEMO_BSN.elsewhere, none: DEMO_BSN.client }

function caseBody (kase: 'own' | 'other', route: 'ernstig' | 'hulpvraag' = 'ernstig', client = CLIENT[kase]): Record<string, unknown> {
  return {
    route,
    subjects: kase === 'own' ? [{ bsn: client, role: 'client' }, { bsn: DEMO_BSN.member, role: 'household-member' }] : [{ bsn: client, role: 'client' }],
    problems: [
      { domain: 'schulden', description: 'Huurachterstand van vier maanden en een incassotraject' },
      { domain: 'oov', description: 'Herhaalde meldingen van geluidsoverlast en ruzies' }
    ],
    relatedness: 'De schulden en de spanningen thuis versterken elkaar en leiden tot overlast.',
    seriousGrounds: route === 'ernstig' ? ['overlast'] : [],
    clientInformed: true,
    coordinator: kase === 'own' ? { ...COORDINATOR } : { ...OTHER_COORDINATOR }
  }
}

/** Which organisation owns each case the test opened (the audit view of the owning municipality). */
const caseOwner = new Map<string, string>()

async function ledgerCall (method: 'POST' | 'PUT', url: string, payload: Record<string, unknown>, headers: Record<string, string>) {
  const res = await ledger.inject({ method, url, headers, payload })
  if (res.statusCode >= 300) throw new Error(`ledger ${method} ${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

interface CaseSetup { route?: 'ernstig' | 'hulpvraag', participants?: string[], objection?: boolean }

/** Opens a case of the owner (own) or of the other municipality (other) through the ledger's API. */
async function openCase (kase: 'own' | 'other', setup: CaseSetup = {}): Promise<{ caseId: string, objectionId: string | null }> {
  const headers = kase === 'own' ? college : otherCollege
  const { caseId } = await ledgerCall('POST', '/v1/cases', caseBody(kase, setup.route), headers) as { caseId: string }
  caseOwner.set(caseId, CALLERS[kase === 'own' ? 'owner' : 'otherMunicipality'].org)
  if (setup.route === 'hulpvraag' && (setup.participants ?? []).length > 0) {
    await ledgerCall('PUT', `/v1/cases/${caseId}/scope`, { domains: ['schulden', 'oov'], parties: setup.participants ?? [], statement: 'Dit is wat ik wil dat meedoet.' }, headers)
  }
  for (const org of setup.participants ?? []) await ledgerCall('POST', `/v1/cases/${caseId}/participants`, { org, necessity: NECESSITY }, headers)
  let objectionId: string | null = null
  if (setup.objection) {
    objectionId = (await ledgerCall('POST', `/v1/cases/${caseId}/objections`, { subject: CLIENT[kase], reason: 'Ik wil niet dat mijn gegevens gedeeld worden.' }, headers) as { objectionId: string }).objectionId
  }
  return { caseId, objectionId }
}

const dataRequest = (provider: string, category: string, fields: string[], subject: string) =>
  ({ provider, category, fields, subject, purpose: 'onderzoek', necessity: NECESSITY })

async function ask (caseId: string, body: Record<string, unknown>, headers: Record<string, string>, status: number) {
  const res = await gateway.inject({ method: 'POST', url: `/v1/cases/${caseId}/data-requests`, headers, payload: body })
  if (res.statusCode !== status) throw new Error(`set-up request: ${res.statusCode}, not ${status}: ${res.body}`)
  return res.json() as { auditEventId: string }
}

// The three cases of the matrix, and the events the audit rows ask about.
const fixturesStarted = Date.now()
const own = (await openCase('own', { participants: [OIN.politie] })).caseId
const other = (await openCase('other')).caseId
const none = randomUUID()
const CASE_ID: Record<CaseName, string> = { own, other, none }
// The owner's request the police received (the own event), one it was named in but never got (a
// deny), and one naming the other municipality's resident on the own case (which must not open
// that person's inzage report to the owner: the gate asks the ledger, issue 11 item 4).
const ownEvent = (await ask(own, dataRequest(OIN.politie, 'criminal', ['policeContacts'], DEMO_BSN.client), college, 200)).auditEventId
await ask(own, dataRequest(OIN.politie, 'criminal', ['convictions'], DEMO_BSN.client), college, 403)
await ask(own, dataRequest(OIN.ggd, 'health', ['careInvolved'], DEMO_BSN.elsewhere), college, 403)
const otherEvent = (await ask(other, dataRequest(OIN.ggd, 'health', ['careInvolved'], DEMO_BSN.elsewhere), otherCollege, 200)).auditEventId
const EVENT_ID: Record<CaseName, string> = { own: ownEvent, other: otherEvent, none: randomUUID() }
phase('cases and events', fixturesStarted)

// ---- asking a cell -------------------------------------------------------------------------------

interface Answer { status: number, headers: Record<string, unknown>, body: string, json: () => any }

const answerOf = (res: { statusCode: number, headers: Record<string, unknown>, body: string }): Answer =>
  ({ status: res.statusCode, headers: res.headers, body: res.body, json: () => JSON.parse(res.body) })

async function inject (service: Service, role: Role, options: InjectOptions): Promise<Answer> {
  return answerOf(await APPS[service].inject({ ...options, headers: { ...tokens[role], ...(options.headers ?? {}) } }))
}

/** Where a write goes: a fresh case when the table allows it (each allowed write starts from the same state), the shared case otherwise. */
async function writeTarget (kase: CaseName, cell: Cell, setup: CaseSetup = {}): Promise<{ caseId: string, objectionId: string }> {
  if (parseCell(cell).reveals !== 'written' || kase === 'none') return { caseId: CASE_ID[kase], objectionId: randomUUID() }
  const fresh = await openCase(kase, setup)
  return { caseId: fresh.caseId, objectionId: fresh.objectionId ?? randomUUID() }
}

/** Reports asked by callers that passed authentication (each must be an audit event). */
let reportsAsked = 0

/** The checkpoint the audit rows use (set once the log holds everything). */
let treeSize = 0

type Probe = (role: Role, kase: CaseName, cell: Cell) => Promise<Answer & { target?: string }>

const get = (service: Service, url: string): Probe => (role) => inject(service, role, { method: 'GET', url })
const writeProbe = (method: 'POST' | 'PUT' | 'DELETE', suffix: (ids: { caseId: string, objectionId: string }) => string, payload: (kase: CaseName) => Record<string, unknown> | undefined, setup: CaseSetup = {}): Probe =>
  async (role, kase, cell) => {
    const ids = await writeTarget(kase, cell, setup)
    const body = payload(kase)
    return { ...await inject('consent-ledger', role, { method, url: `/v1/cases/${ids.caseId}${suffix(ids)}`, ...(body ? { payload: body } : {}) }), target: ids.caseId }
  }

const PROBES: Readonly<Record<string, Probe>> = {
  ...Object.fromEntries((['gateway', 'consent-ledger', 'audit'] as const).flatMap((s) => [
    [`${s} GET /health/live`, get(s, '/health/live')],
    [`${s} GET /health/ready`, get(s, '/health/ready')],
    [`${s} GET /v1/openapi.json`, get(s, '/v1/openapi.json')],
    [`${s} GET /v1/docs/json`, get(s, '/v1/docs/json')]
  ])),
  'gateway GET /v1/parties': get('gateway', '/v1/parties'),
  'gateway GET /v1/policy': get('gateway', '/v1/policy'),
  'gateway POST /v1/cases/:caseId/data-requests': (role, kase) => inject('gateway', role, {
    method: 'POST', url: `/v1/cases/${CASE_ID[kase]}/data-requests`, payload: dataRequest(OIN.ggd, 'health', ['careInvolved'], CLIENT[kase])
  }),
  'gateway POST /v1/cases/:caseId/involvement-check': (role, kase) => inject('gateway', role, {
    method: 'POST', url: `/v1/cases/${CASE_ID[kase]}/involvement-check`, payload: { subject: CLIENT[kase], necessity: NECESSITY, parties: [OIN.ggd] }
  }),

  'consent-ledger POST /v1/cases': async (role, kase) => {
    const body = kase === 'none' ? caseBody('own', 'ernstig', NOBODY) : caseBody(kase)
    const answer = await inject('consent-ledger', role, { method: 'POST', url: '/v1/cases', payload: body })
    if (answer.status === 201) caseOwner.set(answer.json().caseId, CALLERS[role].org)
    return answer
  },
  'consent-ledger GET /v1/cases/:caseId': (role, kase) => get('consent-ledger', `/v1/cases/${CASE_ID[kase]}`)(role, kase, '200 public'),
  'consent-ledger GET /v1/cases/:caseId/decision-state': (role, kase) => get('consent-ledger', `/v1/cases/${CASE_ID[kase]}/decision-state`)(role, kase, '200 public'),
  'consent-ledger GET /v1/cases/:caseId/ledger': (role, kase) => get('consent-ledger', `/v1/cases/${CASE_ID[kase]}/ledger`)(role, kase, '200 public'),
  'consent-ledger GET /v1/cases/:caseId/verification': (role, kase) => get('consent-ledger', `/v1/cases/${CASE_ID[kase]}/verification`)(role, kase, '200 public'),
  'consent-ledger POST /v1/subjects/cases': (role, kase) => inject('consent-ledger', role, {
    method: 'POST', url: '/v1/subjects/cases', payload: { bsn: kase === 'none' ? NOBODY : CLIENT[kase] }
  }),
  'consent-ledger POST /v1/case-state-leases': (role) => inject('consent-ledger', role, {
    method: 'POST', url: '/v1/case-state-leases', payload: { instanceId: '0b6f1c2e-8d4a-4f7b-9e3c-5a2d1f0e9c87', ackedSeq: null }
  }),
  'consent-ledger PUT /v1/cases/:caseId/scope': writeProbe('PUT', () => '/scope',
    () => ({ domains: ['schulden'], parties: [OIN.ggd], statement: 'Alleen de schulden, met de GGD erbij.' }), { route: 'hulpvraag' }),
  'consent-ledger POST /v1/cases/:caseId/participants': writeProbe('POST', () => '/participants', () => ({ org: OIN.ggd, necessity: NECESSITY })),
  'consent-ledger DELETE /v1/cases/:caseId/participants/:org': writeProbe('DELETE', () => `/participants/${OIN.politie}`, () => undefined, { participants: [OIN.politie] }),
  'consent-ledger POST /v1/cases/:caseId/phase': writeProbe('POST', () => '/phase', () => ({ phase: 'aanpak' })),
  'consent-ledger POST /v1/cases/:caseId/close': writeProbe('POST', () => '/close', () => ({ reason: 'De aanpak is afgerond.' })),
  'consent-ledger POST /v1/cases/:caseId/objections': writeProbe('POST', () => '/objections',
    (kase) => ({ subject: CLIENT[kase], reason: 'Ik wil niet dat mijn gegevens gedeeld worden.' })),
  'consent-ledger POST /v1/cases/:caseId/objections/:objectionId/decision': writeProbe('POST', (ids) => `/objections/${ids.objectionId}/decision`,
    () => ({ upheld: false, reason: 'Het belang van de hulp weegt nu zwaarder.' }), { objection: true }),

  'audit GET /v1/audit/checkpoint': get('audit', '/v1/audit/checkpoint'),
  'audit GET /v1/audit/keys': get('audit', '/v1/audit/keys'),
  'audit POST /v1/audit/receipts': (role, kase) => inject('audit', role, { method: 'POST', url: '/v1/audit/receipts', payload: { eventIds: [EVENT_ID[kase]] } }),
  'audit GET /v1/audit/consistency': (role) => inject('audit', role, { method: 'GET', url: `/v1/audit/consistency?from=1&to=${treeSize}` }),
  'audit POST /v1/audit/checkpoints': (role) => inject('audit', role, { method: 'POST', url: '/v1/audit/checkpoints' }),
  'audit GET /v1/audit/rejected': get('audit', '/v1/audit/rejected'),
  'audit GET /console': get('audit', '/console/'),
  'audit POST /v1/audit/checkpoints/:treeSize/cosignatures': async (role) => {
    const checkpoint = (await audit.inject({ url: '/v1/audit/checkpoint' })).json() as { treeSize: number, signedNote: string }
    const body = checkpoint.signedNote.slice(0, checkpoint.signedNote.indexOf('\n\n') + 1)
    const cosignature = signCosignature(body, WITNESS, Math.floor(Date.now() / 1000))
    return inject('audit', role, { method: 'POST', url: `/v1/audit/checkpoints/${checkpoint.treeSize}/cosignatures`, payload: { cosignature } })
  },
  'audit GET /v1/audit/statistics': get('audit', `/v1/audit/statistics?from=${new Date(Date.now() - 86400000).toISOString()}&to=${new Date(Date.now() + 86400000).toISOString()}`),
  'audit GET /v1/audit/export': get('audit', '/v1/audit/export?from=0'),
  'audit GET /v1/audit/events': (role, kase) => pages(role, (cursor) => ({ method: 'GET', url: `/v1/audit/events?caseId=${CASE_ID[kase]}&limit=500${cursor ? `&cursor=${cursor}` : ''}` })),
  'audit POST /v1/audit/events/search': (role, kase) => pages(role, (cursor) => ({
    method: 'POST', url: '/v1/audit/events/search', payload: { bsn: kase === 'none' ? NOBODY : CLIENT[kase], limit: 500, ...(cursor ? { cursor } : {}) }
  })),
  'audit GET /v1/audit/stream': (role, kase) => stream(role, CASE_ID[kase], expectedStream(role, kase)),
  'audit GET /v1/audit/events/:eventId': (role, kase) => inject('audit', role, { method: 'GET', url: `/v1/audit/events/${EVENT_ID[kase]}` }),
  'audit POST /v1/audit/subject-report': async (role, kase) => {
    const answer = await inject('audit', role, { method: 'POST', url: '/v1/audit/subject-report', payload: { bsn: kase === 'none' ? NOBODY : CLIENT[kase] } })
    if (answer.status === 200 || answer.json().code !== 'ORG_NOT_REGISTERED') reportsAsked++
    return answer
  }
}

/** Every page of a list: one answer whose body is `{ events }` of all pages (the first failing page as it came). */
async function pages (role: Role, page: (cursor: string | null) => InjectOptions): Promise<Answer> {
  const events: unknown[] = []
  let cursor: string | null = null
  for (;;) {
    const res = await inject('audit', role, page(cursor))
    if (res.status !== 200) return res
    const body = res.json() as { events: unknown[], nextCursor: string | null }
    events.push(...body.events)
    if (body.nextCursor === null) return { ...res, body: JSON.stringify({ events }), json: () => ({ events }) }
    cursor = body.nextCursor
  }
}

/**
 * The live stream over HTTP, resumed from leaf 1 (Last-Event-ID 0): the events it sends, as a list.
 * It is read until every event the caller must see has come and the stream has then been quiet
 * for a moment, or for at most 5 s.
 */
function stream (role: Role, caseId: string, mustSee: ReadonlySet<string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const events: unknown[] = []
    let buffer = ''
    let quiet: NodeJS.Timeout | null = null
    let finished = false
    let counted = -1
    const req = http.get(`${auditOrigin}/v1/audit/stream?caseId=${caseId}`, { headers: { ...tokens[role], 'last-event-id': '0' } }, (res) => {
      const done = () => {
        if (finished) return
        finished = true
        clearTimeout(deadline)
        if (quiet) clearTimeout(quiet)
        req.destroy()
        const body = res.statusCode === 200 ? JSON.stringify({ events }) : buffer
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) })
      }
      const deadline = setTimeout(done, 5000)
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buffer += chunk
        if (res.statusCode !== 200) return
        let end
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const data = message.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n')
          if (data !== '') events.push(JSON.parse(data))
        }
        const seen = new Set(events.map((e) => (e as { event?: { eventId?: string } }).event?.eventId))
        // Quiet once all it must see has come and no event followed for a moment (heartbeats do not count).
        if (events.length !== counted && [...mustSee].every((id) => seen.has(id))) {
          counted = events.length
          if (quiet) clearTimeout(quiet)
          quiet = setTimeout(done, 400)
        }
      })
      res.on('end', done)
      if (mustSee.size === 0) quiet = setTimeout(done, 400)
    })
    req.on('error', (err) => { if (!req.destroyed) reject(err) })
  })
}

// ---- what the audit log holds, and who may see which event ---------------------------------------

type Stored = Record<string, any> & { eventId: string }

/** Every audit event the three services wrote (their outboxes): what the log must hold. */
async function producedEvents (): Promise<Map<string, Stored>> {
  const out = new Map<string, Stored>()
  for (const pool of outboxes) {
    const { rows } = await pool.query<{ payload: string }>("SELECT payload FROM outbox WHERE topic = 'audit' ORDER BY id")
    for (const { payload } of rows) { const e = JSON.parse(payload) as Stored; out.set(e.eventId, e) }
  }
  return out
}

let produced = new Map<string, Stored>()
const leafOf = new Map<string, number>()

const DECISIONS = new Set(['data-request.decision', 'involvement-check.decision'])
const noStanding = (e: Stored) => Array.isArray(e.detail?.flags) && e.detail.flags.includes('no-standing')

/** Seen in full: the supervisor everything; an active party its own events (not its attempts without standing) and every event of the cases its organisation owns. */
function seenInFull (role: Role, e: Stored): boolean {
  const org = CALLERS[role].org
  if (role === 'supervisor') return true
  if (!ACTIVE_ORGS.has(org)) return false
  if (e.actor?.org === org && !noStanding(e)) return true
  return typeof e.caseId === 'string' && caseOwner.get(e.caseId) === org
}

/** A request the gateway sent to the caller's organisation: the provider may see it as it received it. */
function sentTo (role: Role, e: Stored): boolean {
  const org = CALLERS[role].org
  return ACTIVE_ORGS.has(org) && role !== 'supervisor' && DECISIONS.has(e.type) && e.provider === org && e.outcome !== 'deny' &&
    !noStanding(e) && e.detail?.partnerStatus !== null && e.detail?.partnerStatus !== undefined
}

/** The ids the caller must see in full among the events matching `filter`. */
function mustSeeInFull (role: Role, filter: (e: Stored) => boolean): Set<string> {
  return new Set([...produced.values()].filter((e) => filter(e) && seenInFull(role, e)).map((e) => e.eventId))
}

const byCase = (kase: CaseName) => (e: Stored) => e.caseId === CASE_ID[kase]
const byPerson = (kase: CaseName) => { const ref = pseudonymise('bsn', kase === 'none' ? NOBODY : CLIENT[kase]); return (e: Stored) => e.subjectRef === ref }

function expectedStream (role: Role, kase: CaseName): Set<string> {
  return new Set([...mustSeeInFull(role, byCase(kase))].filter((id) => (leafOf.get(id) ?? 0) > 0))
}

const ASSERTIONS = ['ok', 'notOk', 'equal', 'same', 'match', 'notMatch', 'fail', 'not'] as const
type Assert = Pick<Test, typeof ASSERTIONS[number]>

/** `t`'s assertions, noting whether one of them failed. */
function tracked (t: Test): Assert & { failed: boolean } {
  const out = { failed: false } as Assert & { failed: boolean }
  for (const name of ASSERTIONS) {
    (out as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const passed = (t[name] as (...a: unknown[]) => boolean)(...args)
      if (!passed) out.failed = true
      return passed
    }
  }
  return out
}

/** A provider's view of a request sent to it: what it received, nothing of the case id, the person or the subject's pseudonym. */
function assertProjection (t: Assert, role: Role, shown: Record<string, any>, stored: Stored, label: string): void {
  const raw = JSON.stringify(shown)
  t.notOk(raw.includes(stored.caseId), `${label}: not the internal case id`)
  t.equal(shown.caseRef, pseudonymise('case', stored.caseId, CALLERS[role].org), `${label}: the caseRef the provider received`)
  t.same(Object.keys(shown.actor ?? {}).sort(), ['org', 'partyType'], `${label}: the requesting organisation and its party type, not the person`)
  t.equal(shown.actor?.org, stored.actor.org, `${label}: the requesting organisation`)
  t.notOk('subjectRef' in shown, `${label}: not the subject's pseudonym`)
  t.notOk(stored.actor.sub !== null && raw.includes(`"${String(stored.actor.sub)}"`), `${label}: not the requesting person's sub`)
}

/** An audit list (list, search, stream) against what the caller may see of the events matching `filter`. */
function assertEventList (t: Assert, role: Role, reveals: Reveal, answer: Answer, filter: (e: Stored) => boolean, options: { fromLeaf?: number } = {}): void {
  const items = (answer.json() as { events: Array<{ event: Record<string, any> | null }> }).events
  const mustSee = [...mustSeeInFull(role, filter)].filter((id) => (leafOf.get(id) ?? 0) >= (options.fromLeaf ?? 0))
  const got = new Set<string>()
  for (const item of items) {
    const id = item.event?.eventId as string | undefined
    const stored = id === undefined ? undefined : produced.get(id)
    if (id === undefined || stored === undefined) { t.fail(`an event the test does not know: ${JSON.stringify(item).slice(0, 200)}`); continue }
    got.add(id)
    const what = `${stored.type} ${stored.outcome} by ${stored.actor?.org}/${stored.actor?.sub}${stored.provider ? ` to ${stored.provider}` : ''}`
    if (mustSee.includes(id)) t.same(item.event, stored, `${what}: in full, as stored`)
    else if (sentTo(role, stored) && filter(stored)) assertProjection(t, role, item.event!, stored, `${what}: sent to it`)
    else t.fail(`${what}: an event this caller may not see${noStanding(stored) ? ' (an attempt without standing)' : ''}${stored.provider === CALLERS[role].org ? ' (it names the caller as provider, but was never sent to it)' : ''}`)
  }
  t.same(mustSee.filter((id) => !got.has(id)), [], 'every event it may see in full is there')
  if (reveals === 'case-events') t.ok(mustSee.some((id) => produced.get(id)!.actor?.org !== CALLERS[role].org), 'events of others in its case among them')
  if (reveals === 'all-events') t.equal(role, 'supervisor')
}

// ---- what a cell may reveal ----------------------------------------------------------------------

const problemJson = (t: Assert, a: Answer) => t.match(String(a.headers['content-type']), PROBLEM_TYPE, 'problem+json')
const noBsn = (t: Assert, a: Answer) => t.same(BSNS.filter((b) => a.body.includes(b)), [], 'no BSN in the answer')

interface Context { row: Row, role: Role, kase: CaseName, target: string }

const CHECKS: Readonly<Record<Reveal, (t: Assert, a: Answer, c: Context) => void>> = {
  nothing: (t, a) => { noBsn(t, a); t.notOk(a.headers['server-timing'], 'no Server-Timing'); if (a.status >= 400) problemJson(t, a) },
  forbidden: (t, a) => { problemJson(t, a); noBsn(t, a) },
  'not-resident': (t, a) => {
    t.equal(a.json().code, 'SUBJECT_NOT_RESIDENT')
    t.notMatch(a.body, /Buurdorp|Voorbeeldstad|0000009900000000010[12]|gemeentecode/, 'it does not say where the person lives')
    noBsn(t, a)
  },
  opened: (t, a) => { t.match(a.json().caseId, /^[0-9a-f-]{36}$/); t.equal(a.headers.location, `/v1/cases/${a.json().caseId as string}`) },
  written: (t, a, c) => { const b = a.json(); t.equal(b.caseId, c.target, 'the fresh case'); t.match(b, { version: Number, event: { eventId: String, type: String } }) },
  data: (t, a) => { const b = a.json(); t.equal(b.outcome, 'permit'); t.same(Object.keys(b.data), ['careInvolved'], 'exactly the requested field'); t.ok(b.auditEventId) },
  reasons: (t, a) => {
    problemJson(t, a)
    const b = a.json()
    t.match(b, { outcome: 'deny', code: 'DENIED' })
    t.ok(Array.isArray(b.reasons) && b.reasons.length > 0, `reasons: ${JSON.stringify(b.reasons)}`)
    t.same((b.reasons as string[]).filter((r) => !(REASON_CODES as readonly string[]).includes(r)), [], 'reason codes of the contract')
  },
  answers: (t, a) => {
    const results = a.json().results as Array<Record<string, unknown>>
    t.same(results.map((r) => r.provider), [OIN.ggd], 'the party asked')
    for (const r of results) {
      t.ok(['permit', 'not-known'].includes(r.outcome as string), `answered: ${String(r.outcome)}`)
      t.equal(typeof r.known, 'boolean', 'known or not')
      t.same(Object.keys(r).filter((k) => !['provider', 'outcome', 'known', 'contactPerson', 'requestId', 'reasons', 'auditEventId'].includes(k)), [], 'nothing more')
    }
  },
  'reasons-per-party': (t, a) => {
    const results = a.json().results as Array<{ outcome: string, reasons: string[], known: unknown }>
    t.ok(results.length > 0 && results.every((r) => r.outcome === 'deny' && r.reasons.length > 0 && r.known === null), `every party denied, with reasons: ${JSON.stringify(results.map((r) => r.reasons))}`)
  },
  'case-with-bsn': (t, a, c) => { const b = a.json(); t.match(b, { view: 'full', caseId: c.target }); t.ok(b.subjects.some((s: { bsn?: string }) => s.bsn === CLIENT[c.kase]), 'with the BSNs') },
  'case-pseudonymised': (t, a, c) => { t.match(a.json(), { view: 'full', caseId: c.target }); noBsn(t, a) },
  'case-as-participant': (t, a, c) => { t.match(a.json(), { view: 'participant', caseId: c.target }); noBsn(t, a); t.notOk(a.body.includes('Huurachterstand'), 'no words about the person') },
  history: (t, a, c) => { const b = a.json(); t.equal(b.caseId, c.target); t.ok(b.events.length > 0 && b.events.every((e: { content: unknown }) => e.content !== null), 'every event with its content') },
  'history-without-bsn': (t, a, c) => { t.equal(a.json().caseId, c.target); t.ok(a.json().events.length > 0); noBsn(t, a) },
  verification: (t, a) => t.match(a.json(), { valid: true, length: Number }),
  'subject-cases': (t, a, c) => {
    const ids = (a.json().cases as Array<{ caseId: string }>).map((x) => x.caseId)
    t.ok(ids.includes(CASE_ID[c.kase]), 'the case that names the person')
    if (c.role !== 'supervisor') t.same(ids.filter((id) => caseOwner.get(id) !== CALLERS[c.role].org), [], 'only cases of its own municipality')
    noBsn(t, a)
  },
  'decision-state': (t, a, c) => { t.equal(a.json().caseId, c.target); noBsn(t, a); t.notOk(a.body.includes('Huurachterstand'), 'no words about the person') },
  'all-events': () => {},
  'case-events': () => {},
  'own-events': () => {},
  event: (t, a, c) => {
    const b = a.json()
    t.same(b.event, produced.get(EVENT_ID[c.kase]), 'the event in full, as stored')
    t.ok(Array.isArray(b.inclusionProof), 'with its inclusion proof')
  },
  projection: (t, a, c) => {
    const stored = produced.get(EVENT_ID[c.kase])!
    t.equal(a.json().event?.eventId, stored.eventId)
    assertProjection(t, c.role, a.json().event ?? {}, stored, 'the request sent to it')
  },
  report: (t, a) => { t.equal(typeof a.json().summary, 'string', 'a report'); noBsn(t, a) },
  receipt: (t, a) => {
    t.ok(Array.isArray(a.json().receipts), 'receipts')
    t.notMatch(a.body, /"(caseId|actor|subjectRef|event)"/, 'no event content')
    t.notOk([own, other].some((id) => a.body.includes(id)), 'no case id')
  },
  checkpoint: (t, a) => t.match(a.json(), { treeSize: Number, signedNote: String }),
  cosigned: (t, a) => { t.match(a.json(), { treeSize: Number, signedNote: String }); t.ok((a.json().signedNote as string).includes(`\u2014 ${WITNESS.name} `), 'the checkpoint with the witness\'s cosignature') },
  proof: (t, a) => t.ok(Array.isArray(a.json().proof), 'a proof'),
  export: (t, a) => t.match(String(a.headers['content-type']), /application\/x-ndjson/),
  rejected: (t, a) => t.ok(a.body.length > 0),
  public: (t, a) => t.ok(a.body.length > 0)
}

const EVENT_LISTS: ReadonlySet<Reveal> = new Set(['all-events', 'case-events', 'own-events'])

const LISTS: Readonly<Record<string, (kase: CaseName) => (e: Stored) => boolean>> = {
  'audit GET /v1/audit/events': byCase,
  'audit POST /v1/audit/events/search': byPerson,
  'audit GET /v1/audit/stream': byCase
}

/** What must be the same in two refusals: the status, the telling headers and the body without the ids of the request and its audit event (and the ids the caller sent). */
function normalised (a: Answer, sent: readonly string[]): string {
  let body = a.body
  for (const id of sent) body = body.split(id).join('<id>')
  let parsed: unknown
  try { parsed = JSON.parse(body) } catch { parsed = body }
  if (parsed !== null && typeof parsed === 'object') for (const k of ['requestId', 'auditEventId', 'instance']) delete (parsed as Record<string, unknown>)[k]
  const headers = ['content-type', 'server-timing', 'etag', 'location', 'retry-after', 'www-authenticate'].map((h) => `${h}=${h === 'content-type' ? String(a.headers[h]) : String(a.headers[h] !== undefined)}`)
  return JSON.stringify({ status: a.status, headers, body: parsed })
}

const UNIFORM: ReadonlySet<Reveal> = new Set(['nothing', 'forbidden', 'not-resident'])

let cellsAsked = 0
const deviations: string[] = []

/** Cells asked at once: one column of a row (the ten callers), in a small batch. */
const BATCH = 10

async function runRow (t: Test, row: Row): Promise<void> {
  const key = rowKey(row)
  const probe = PROBES[key]
  if (probe === undefined) { t.fail(`${key}: no probe`); return }
  const cells = ROLES.flatMap((role) => (isCaseRow(row) ? CASES : (['own'] as const)).map((kase) => {
    const cell = cellsOf(row, role)[kase]
    return { role, kase, cell, at: isCaseRow(row) ? `${CALLERS[role].label}, ${kase} case` : CALLERS[role].label }
  }))
  // "nothing" is one answer for the whole endpoint, whoever asks; another refusal one answer per caller.
  const refusals = new Map<string, Array<{ at: string, norm: string }>>()
  for (let i = 0; i < cells.length; i += BATCH) {
    const batch = cells.slice(i, i + BATCH)
    const answers = await Promise.all(batch.map((c) => probe(c.role, c.kase, c.cell)))
    cellsAsked += batch.length
    for (const [n, { role, kase, cell, at }] of batch.entries()) {
      const answer = answers[n]!
      const { statuses, reveals } = parseCell(cell)
      const ctx: Context = { row, role, kase, target: answer.target ?? CASE_ID[kase] }
      await t.test(`${at}: ${cell}`, async (t) => {
        const statusOk = statuses.includes(answer.status)
        t.ok(statusOk, `status ${answer.status}, the table says ${statuses.join(' or ')} (${answer.body.slice(0, 240)})`)
        if (!statusOk) { deviations.push(`${key} — ${at}: ${answer.status}, not ${cell} (${answer.body.slice(0, 160)})`); return }
        const a = tracked(t)
        CHECKS[reveals](a, answer, ctx)
        const list = LISTS[key]
        if (list && EVENT_LISTS.has(reveals)) assertEventList(a, role, reveals, answer, list(kase), key.endsWith('/stream') ? { fromLeaf: 1 } : {})
        if (a.failed) deviations.push(`${key} — ${at}: ${cell}, but the answer reveals more or other (see the failing assertions)`)
      })
      if (UNIFORM.has(reveals) && statuses.includes(answer.status)) {
        const k = reveals === 'nothing' ? `${answer.status} ${reveals}` : `${answer.status} ${reveals} to ${CALLERS[role].label}`
        refusals.set(k, [...(refusals.get(k) ?? []), { at, norm: normalised(answer, [own, other, none, ctx.target, EVENT_ID.own, EVENT_ID.other, EVENT_ID.none]) }])
      }
    }
  }
  for (const [k, answers] of refusals) {
    const first = answers[0]!
    const differ = answers.filter((a) => a.norm !== first.norm)
    t.same(differ.map((a) => `${a.at}: ${a.norm}`), [], `one answer for every "${k}" (as for ${first.at}: ${first.norm.slice(0, 300)})`)
    for (const a of differ) deviations.push(`${key} — ${a.at}: "${k}" differs from ${first.at}'s`)
  }
}

t.test('every endpoint of the three services is in the table, and every row is an endpoint', async (t) => {
  for (const service of Object.keys(APPS) as Service[]) {
    // HEAD is Fastify's automatic HEAD of a GET: its handler is the GET's.
    const routes = routesOf(APPS[service].printRoutes({ commonPrefix: false })).filter((r) => r.method !== 'HEAD')
    t.ok(routes.length > 5, `${service}: its routes are read (${routes.length})`)
    t.same(routes.filter((r) => rowFor(service, r) === undefined).map((r) => `${r.method} ${r.path}`), [], `${service}: no endpoint without a row`)
    const stale = TABLE.filter((row) => row.service === service && !routes.some((r) => r.method === row.method && r.path === row.path))
    t.same(stale.map(rowKey), [], `${service}: no row without an endpoint`)
  }
})

// ---- the document --------------------------------------------------------------------------------

t.test('docs/access-matrix.md is the rendering of the table', async (t) => {
  t.equal(readFileSync(ACCESS_MATRIX_DOC, 'utf8'), renderAccessMatrixDoc(), 'current (node --import tsx scripts/access-matrix-doc.ts)')
  t.match(readFileSync('README.md', 'utf8'), /\]\(docs\/access-matrix\.md\)/, 'the README links to it')
  const drifted = TABLE.map((row) => row.path === '/v1/cases/:caseId' ? { ...row, cells: { ...row.cells, stranger: ['200 case-with-bsn', '404 nothing', '404 nothing'] } } as Row : row)
  t.not(renderAccessMatrixDoc(drifted), renderAccessMatrixDoc(), 'a changed cell changes the document')
})

t.test('the table is whole', async (t) => {
  const keys = TABLE.map(rowKey)
  t.same(keys.filter((k, i) => keys.indexOf(k) !== i), [], 'each endpoint once')
  for (const row of TABLE) {
    for (const role of ROLES) t.ok(row.cells[role], `${rowKey(row)}: a cell for ${role}`)
    if (!isCaseRow(row)) continue
    // "nothing" is the answer for a case that does not exist: a row that gives it for a case that
    // does must give it for no case too, so that the two can be compared.
    const nothing = ROLES.flatMap((r) => CASES.filter((c) => parseCell(cellsOf(row, r)[c]).reveals === 'nothing').map((c) => c))
    if (nothing.length > 0) t.ok(nothing.includes('none'), `${rowKey(row)}: "nothing" is compared with the answer for no case`)
  }
})

// ---- the matrix ------------------------------------------------------------------------------------

const rowsOf = (service: Service) => TABLE.filter((r) => r.service === service)

t.test('gateway', async (t) => {
  const since = Date.now()
  for (const row of rowsOf('gateway')) await t.test(rowKey(row), (t) => runRow(t, row))
  phase('gateway', since)
})

t.test('consent ledger', async (t) => {
  const version = async (caseId: string) => (await ledger.inject({ url: `/v1/cases/${caseId}`, headers: supervisor })).json().version as number
  const before = { own: await version(own), other: await version(other) }
  const since = Date.now()
  for (const row of rowsOf('consent-ledger')) await t.test(rowKey(row), (t) => runRow(t, row))
  phase('consent ledger', since)
  t.same({ own: await version(own), other: await version(other) }, before, 'no refused write changed the shared cases')
})

t.test('audit', async (t) => {
  // The log must hold every event the services wrote, under a signed checkpoint, before anyone reads it.
  const waitStart = Date.now()
  produced = await producedEvents()
  for (;;) {
    const all = await pages('supervisor', (cursor) => ({ method: 'GET', url: `/v1/audit/events?limit=500${cursor ? `&cursor=${cursor}` : ''}` }))
    for (const item of all.json().events as Array<{ event: { eventId: string } | null, leafIndex: number }>) if (item.event) leafOf.set(item.event.eventId, item.leafIndex)
    const checkpoint = await audit.inject({ url: '/v1/audit/checkpoint' })
    treeSize = checkpoint.statusCode === 200 ? checkpoint.json().treeSize as number : 0
    const missing = [...produced.keys()].filter((id) => !leafOf.has(id) || leafOf.get(id)! >= treeSize)
    if (missing.length === 0) break
    if (Date.now() - waitStart > 45000) { t.fail(`the log does not hold ${missing.length} of the ${produced.size} events the services wrote`); return }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.pass(`the log holds the ${produced.size} events the services wrote, signed (${Date.now() - waitStart} ms)`)
  phase('waiting for the log', waitStart)
  const since = Date.now()

  const reportsBefore = await reportEvents()
  for (const row of rowsOf('audit')) await t.test(rowKey(row), (t) => runRow(t, row))
  phase('audit', since)
  t.equal(await reportEvents() - reportsBefore, reportsAsked, `every report asked is an audit event, granted or not (${reportsAsked})`)
})

async function reportEvents (): Promise<number> {
  const { rows } = await outboxes[2]!.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE topic = 'audit' AND payload::jsonb->>'type' = 'subject-report.requested'")
  return rows[0]!.n
}

t.test('summary', async (t) => {
  const n = counts()
  t.equal(cellsAsked, n.cells, `${n.endpoints} endpoints, ${n.cells} cells asked in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  t.comment(`time: ${phases.join(', ')}`)
  if (deviations.length > 0) t.comment(`cells where the product differs from the table:\n${deviations.join('\n')}`)
})
