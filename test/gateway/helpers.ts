// Shared set-up of the gateway tests: the real consent ledger (its own database and topic prefix),
// the real demo partner systems (with faults where a test needs them), a register pointing at
// them, and the gateway built in process on its own database and topic prefix, logging into a
// buffer so a test can prove that no BSN reached a log line. Nothing is faked.
import pg from 'pg'
import type { Test } from 'tap'
import pino from 'pino'
import { Writable } from 'node:stream'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { loggerOptions, PROBLEM_TYPE, type AuditEvent } from '@wams/platform'
import { buildApp as buildLedger, readConfig as ledgerConfig } from '../../services/consent-ledger/src/index.ts'
import { buildApp, readConfig } from '../../services/gateway/src/index.ts'
import type { PartnerFaults } from '@wams/demo-partners'
import { freshDatabase, freshTopicPrefix } from '../support/infra.ts'
import { startDemoPartners, writeTestRegister, type DemoPartners } from '../support/partners.ts'
import { bearer } from '../support/tokens.ts'
import { COORDINATOR, DEMO_BSN, baseCallers } from '../support/parties.ts'

export { OIN, COORDINATOR } from '../support/parties.ts'

/** The demo residents of SPEC §6. */
export const BSN = DEMO_BSN
export const DEMO_BSNS: readonly string[] = Object.values(BSN)

export const callers = {
  ...baseCallers,
  professional: (org: string) => bearer({ org, roles: ['professional'], sub: `pro-${org.slice(-4)}` })
}

export const NECESSITY = 'Nodig om vast te stellen welke hulp het gezin al krijgt en wat ontbreekt.'

export interface Exchange {
  gateway: FastifyInstance
  ledger: FastifyInstance
  partners: DemoPartners
  /** The gateway's database (its outbox), for looking at and tampering with. */
  sql: pg.Pool
  gatewayDatabaseUrl: string
  gatewayTopicPrefix: string
  ledgerUrl: string
  registerFile: string
  /** Every line the gateway logged. */
  logLines: string[]
}

interface Teardown { teardown: (fn: () => unknown) => void }

export interface ExchangeOptions {
  faults?: PartnerFaults
  downOins?: string[]
  /** Further gateway configuration. */
  env?: Record<string, string>
  /** Further consent-ledger configuration. */
  ledgerEnv?: Record<string, string>
}

/** A pino logger writing into `lines` (the platform's options: redaction and BSN masking included). */
export function capturingLogger (lines: string[], level = 'debug') {
  const stream = new Writable({ write (chunk, _enc, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done() } })
  return pino(loggerOptions('gateway', level), stream)
}

/** The consent ledger, listening; `brpUrl`: the BRP of its residence check (the demo partners' demo BRP). */
export async function startLedgerServer (t: Teardown, label: string, brpUrl: string, env: Record<string, string> = {}): Promise<{ app: FastifyInstance, url: string }> {
  const db = await freshDatabase(`${label}_ledger`)
  const app = await buildLedger(ledgerConfig({
    DATABASE_URL: db.url,
    KAFKA_TOPIC_PREFIX: freshTopicPrefix(`${label}_ledger`),
    LOG_LEVEL: 'silent',
    PORT: '0',
    KAFKA_PARTITIONS: '1',
    BRP_URL: brpUrl,
    ...env
  }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(async () => { await app.close(); await db.drop() })
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` }
}

/** A gateway on a fresh database and topic prefix; closed and dropped in teardown. */
export async function startGateway (t: Teardown, label: string, env: Record<string, string>, logLines: string[] = []) {
  const db = await freshDatabase(`${label}_gw`)
  const topicPrefix = freshTopicPrefix(`${label}_gw`)
  const config = readConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: topicPrefix, LOG_LEVEL: 'debug', PORT: '0', KAFKA_PARTITIONS: '1', ...env })
  const gateway = await buildApp(config, { logger: capturingLogger(logLines) })
  await gateway.ready()
  const sql = new pg.Pool({ connectionString: db.url, max: 3 })
  // pool.end() resolves before its connections have closed; the forced DROP DATABASE may then
  // terminate one, which must not surface as an uncaught error of the test.
  sql.on('error', () => {})
  t.teardown(async () => {
    await gateway.close()
    await sql.end()
    await db.drop()
  })
  return { gateway, sql, databaseUrl: db.url, topicPrefix }
}

export async function startExchange (t: Teardown, label: string, options: ExchangeOptions = {}): Promise<Exchange> {
  const partners = await startDemoPartners(options.faults ? { faults: options.faults } : {})
  t.teardown(() => partners.close())
  const registerFile = writeTestRegister(partners.baseUrl, { downOins: options.downOins ?? [] })
  const ledger = await startLedgerServer(t, label, partners.brpUrl, options.ledgerEnv)
  const logLines: string[] = []
  const gw = await startGateway(t, label, { CONSENT_LEDGER_URL: ledger.url, REGISTER_FILE: registerFile, ...options.env }, logLines)
  return {
    gateway: gw.gateway,
    ledger: ledger.app,
    partners,
    sql: gw.sql,
    gatewayDatabaseUrl: gw.databaseUrl,
    gatewayTopicPrefix: gw.topicPrefix,
    ledgerUrl: ledger.url,
    registerFile,
    logLines
  }
}

// ---- cases, through the consent ledger's API ---------------------------------------------------

export function ernstigCase (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    route: 'ernstig',
    subjects: [{ bsn: BSN.client, role: 'client' }, { bsn: BSN.member, role: 'household-member' }],
    problems: [
      { domain: 'schulden', description: 'Huurachterstand van vier maanden en een incassotraject' },
      { domain: 'oov', description: 'Herhaalde meldingen van geluidsoverlast en ruzies' }
    ],
    relatedness: 'De schulden en de spanningen thuis versterken elkaar en leiden tot overlast.',
    seriousGrounds: ['overlast'],
    clientInformed: true,
    coordinator: { ...COORDINATOR },
    ...overrides
  }
}

export function hulpvraagCase (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return ernstigCase({ route: 'hulpvraag', seriousGrounds: [], ...overrides })
}

export async function ledgerCall (ledger: FastifyInstance, method: 'POST' | 'PUT', url: string, payload: Record<string, unknown>, headers = callers.college()) {
  const res = await ledger.inject({ method, url, headers, payload })
  if (res.statusCode >= 300) throw new Error(`ledger ${method} ${url}: ${res.statusCode} ${res.body}`)
  return res.json()
}

export interface CaseSetup {
  body?: Record<string, unknown>
  scope?: { domains: string[], parties: string[] }
  participants?: string[]
  phase?: 'aanpak'
  closed?: boolean
}

/** Opens a case and brings it where a test needs it, each step through the ledger's API. */
export async function openCase (ledger: FastifyInstance, setup: CaseSetup = {}): Promise<string> {
  const { caseId } = await ledgerCall(ledger, 'POST', '/v1/cases', setup.body ?? ernstigCase()) as { caseId: string }
  if (setup.scope) await ledgerCall(ledger, 'PUT', `/v1/cases/${caseId}/scope`, { ...setup.scope, statement: 'Dit is wat ik wil dat meedoet.' })
  for (const org of setup.participants ?? []) await ledgerCall(ledger, 'POST', `/v1/cases/${caseId}/participants`, { org, necessity: NECESSITY })
  if (setup.phase) await ledgerCall(ledger, 'POST', `/v1/cases/${caseId}/phase`, { phase: setup.phase })
  if (setup.closed) await ledgerCall(ledger, 'POST', `/v1/cases/${caseId}/close`, { reason: 'De aanpak is afgerond.' })
  return caseId
}

// ---- requests to the gateway ---------------------------------------------------------------------

export interface AskBody {
  provider: string
  subject?: string
  category: string
  purpose?: string
  fields: string[]
  necessity?: string
  /** Rule 11's exception (GDPR art. 18(2)). */
  protectsOthers?: { reason: string }
}

export function ask (gateway: FastifyInstance, caseId: string, body: AskBody, headers: Record<string, string> = callers.college()) {
  return gateway.inject({
    method: 'POST',
    url: `/v1/cases/${caseId}/data-requests`,
    headers,
    payload: { subject: BSN.client, purpose: 'onderzoek', necessity: NECESSITY, ...body }
  })
}

/** The audit event the gateway wrote to its outbox, by event id. */
export async function auditEvent (sql: pg.Pool, eventId: string): Promise<AuditEvent | null> {
  const { rows } = await sql.query<{ payload: string, message_key: string }>('SELECT payload, message_key FROM outbox WHERE event_id = $1', [eventId])
  return rows.length === 1 ? JSON.parse(rows[0]!.payload) as AuditEvent : null
}

/**
 * A decision event's detail without its durationMs (the gateway's time from receiving the request
 * to writing the record), which is asserted here to be an integer >= 0: what is left can be compared exactly.
 */
export function untimedDetail (t: Assert, event: AuditEvent | null | undefined): Record<string, unknown> {
  const { durationMs, ...rest } = (event?.detail ?? {}) as Record<string, unknown>
  t.ok(Number.isInteger(durationMs) && (durationMs as number) >= 0, `detail.durationMs is an integer >= 0 (${String(durationMs)})`)
  return rest
}

export async function allAuditEvents (sql: pg.Pool): Promise<Array<{ key: string, event: AuditEvent, raw: string }>> {
  const { rows } = await sql.query<{ payload: string, message_key: string }>('SELECT payload, message_key FROM outbox ORDER BY id')
  return rows.map((r) => ({ key: r.message_key, event: JSON.parse(r.payload) as AuditEvent, raw: r.payload }))
}

type Assert = Pick<Test, 'equal' | 'same' | 'match' | 'ok' | 'notOk'>

/**
 * A non-200 outcome: problem+json with requestId and outcome, and its audit event in the outbox
 * with the same outcome, the request id as transaction id and the subject as a pseudonym.
 */
export async function expectOutcome (t: Assert, sql: pg.Pool, res: LightMyRequestResponse, status: number, outcome: string, reasons: string[] = []): Promise<AuditEvent> {
  t.equal(res.statusCode, status, `status ${status} (${res.body.slice(0, 300)})`)
  const body = res.json()
  if (status !== 200) t.match(res.headers['content-type'], PROBLEM_TYPE, 'problem+json')
  t.equal(body.outcome, outcome, `outcome ${outcome}`)
  t.match(body.requestId, /^[0-9a-f-]{36}$/, 'carries the requestId')
  if (outcome === 'deny') t.same(body.reasons, reasons, `reasons ${reasons.join(', ')}`)
  const event = await auditEvent(sql, body.auditEventId)
  t.ok(event, 'its audit event is in the outbox')
  t.match(event, {
    type: 'data-request.decision',
    source: 'gateway',
    outcome,
    transactionId: body.requestId,
    reasons,
    subjectRef: /^[A-Za-z0-9_-]{43}$/,
    subjectType: 'bsn-pseudonym'
  }, 'the audit event records the outcome')
  return event!
}

export async function expectDeny (t: Assert, sql: pg.Pool, res: LightMyRequestResponse, reasons: string[]): Promise<AuditEvent> {
  return expectOutcome(t, sql, res, 403, 'deny', reasons)
}

/** The audit events of one request, by its request id (the events' transaction id). */
export async function auditEventsOf (sql: pg.Pool, requestId: string): Promise<AuditEvent[]> {
  const { rows } = await sql.query<{ payload: string }>("SELECT payload FROM outbox WHERE payload::jsonb->>'transactionId' = $1 ORDER BY id", [requestId])
  return rows.map((r) => JSON.parse(r.payload) as AuditEvent)
}

/**
 * The answer to a caller without standing (or about a case that does not exist): 404 CASE_NOT_FOUND
 * with no reasons; its audit event keeps every reason, flagged no-standing, outside the case's trail.
 */
export async function expectNoStanding (t: Assert, sql: pg.Pool, res: LightMyRequestResponse, caseId: string, reasons: string[]): Promise<AuditEvent> {
  t.equal(res.statusCode, 404, `status 404 (${res.body.slice(0, 300)})`)
  t.match(res.headers['content-type'], PROBLEM_TYPE, 'problem+json')
  const body = res.json()
  t.same(Object.keys(body).sort(), ['auditEventId', 'code', 'detail', 'outcome', 'requestId', 'status', 'title', 'type'], 'nothing but the ids and the fixed members')
  t.match(body, { code: 'CASE_NOT_FOUND', outcome: 'deny' })
  const event = await auditEvent(sql, body.auditEventId)
  t.ok(event, 'its audit event is in the outbox')
  t.match(event, { outcome: 'deny', caseId: null, detail: { flags: ['no-standing'], namedCaseId: caseId } }, 'recorded outside the case\'s trail, flagged')
  t.same(event!.reasons, reasons, `every reason recorded: ${reasons.join(', ')}`)
  return event!
}

/** 200 permit whose data holds exactly `fields`, with its audit event. */
export async function expectPermit (t: Assert, sql: pg.Pool, res: LightMyRequestResponse, fields: string[]): Promise<AuditEvent> {
  const event = await expectOutcome(t, sql, res, 200, 'permit')
  const body = res.json()
  t.same(Object.keys(body.data).sort(), [...fields].sort(), `data holds exactly ${fields.join(', ')}`)
  t.same([...event.fieldsReleased].sort(), [...fields].sort(), 'the audit event lists the released fields')
  t.match(body.legalBasis, /^Wams art\./)
  return event
}

/** No demo BSN in any line the gateway logged. */
export function assertNoBsnLogged (t: Assert, exchange: { logLines: string[] }): void {
  t.ok(exchange.logLines.length > 0, `the gateway logged (${exchange.logLines.length} lines)`)
  for (const bsn of DEMO_BSNS) {
    const hit = exchange.logLines.find((l) => l.includes(bsn))
    t.notOk(hit, `BSN ${bsn.slice(0, 3)}… in no log line${hit ? `: ${hit.slice(0, 200)}` : ''}`)
  }
}
