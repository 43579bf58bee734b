// Helpers of the audit tests: an audit service on a fresh database and topic prefix (real
// PostgreSQL and Kafka), producers of valid audit events as the gateway and the consent ledger
// write them, and waiting for the log to catch up. Decision events are built by the gateway's own
// builder (decisionEvent), case events by the consent ledger's (caseAuditEvents), so the audit
// tests read exactly the fields the producers write.
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import {
  Broker, auditKey, createPseudonymiser, devPseudonymKey, indexPartyRegister, parseTraceparent, type AuditEvent, type Principal
} from '@wams/platform'
import { partyRegister, type DecisionDetail, type Route, type SubjectRole } from '@wams/schemas'
import { decisionEvent } from '../../services/gateway/src/decision-audit.ts'
import { caseAuditEvents } from '../../services/consent-ledger/src/ledger.ts'
import type { EventContent, LedgerCaseState } from '../../services/consent-ledger/src/case-state.ts'
import { buildApp, readConfig, type BuildOptions } from '../../services/audit/src/index.ts'
import { KAFKA_BROKERS, freshDatabase, freshTopicPrefix } from '../support/infra.ts'

type Teardown = { teardown: (fn: () => unknown) => void }

export const ORG = {
  voorbeeldstad: '00000099000000000101', // gemeente
  buurdorp: '00000099000000000102', // gemeente
  zorggroep: '00000099000000000201', // zorgaanbieder
  huisarts: '00000099000000000301', // huisarts
  politie: '00000099000000001301', // politie
  ap: '00000099000000001501', // toezichthouder
  inactive: '00000099000000000702' // woningcorporatie, not active
} as const

export const pseudonymise = createPseudonymiser(process.env.PSEUDONYM_KEY ?? devPseudonymKey(process.env.DATA_DIR ?? '.data'))

export interface Infra { dbUrl: string, prefix: string }

export async function freshInfra (t: Teardown, label: string): Promise<Infra> {
  const db = await freshDatabase(label)
  t.teardown(() => db.drop())
  return { dbUrl: db.url, prefix: freshTopicPrefix(label) }
}

export function auditEnv (infra: Infra, env: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: infra.dbUrl,
    KAFKA_TOPIC_PREFIX: infra.prefix,
    KAFKA_BROKERS,
    LOG_LEVEL: 'silent',
    PORT: '0',
    CHECKPOINT_INTERVAL_MS: '200',
    STREAM_HEARTBEAT_MS: '300',
    ...env
  }
}

/** An audit service in this process; closed at teardown (registered before the database is dropped). */
export async function startAudit (t: Teardown, infra: Infra, options: BuildOptions & { env?: Record<string, string> } = {}): Promise<FastifyInstance> {
  const app = await buildApp(readConfig(auditEnv(infra, options.env)), options)
  await app.ready()
  t.teardown(() => app.close())
  return app
}

/** A producer writing straight to the audit topic, as the outbox relay of a producer service does. */
export async function producer (t: Teardown, infra: Infra): Promise<Broker> {
  const broker = new Broker({ brokers: KAFKA_BROKERS, clientId: 'audit-test', topicPrefix: infra.prefix, partitions: 3, replicationFactor: 1 })
  await broker.ensureTopics()
  await broker.connectProducer()
  t.teardown(() => broker.close())
  return broker
}

export async function send (broker: Broker, events: AuditEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    await broker.send('audit', events.slice(i, i + 500).map((e) => ({ key: auditKey(e), value: JSON.stringify(e), headers: { 'event-id': e.eventId } })))
  }
}

const trace = () => parseTraceparent(undefined)

/** A subjectRef for tests that do not care whose event it is. */
const SOMEONE = pseudonymise('bsn', '999990031')

/** A gateway decision on a data request, built by the gateway's own builder. */
export function decision (input: {
  caseId: string,
  requester: string,
  requesterType: string,
  provider: string,
  subjectRef: string | null
  outcome: 'permit' | 'deny' | 'refused' | 'not-known' | 'error',
  category?: string,
  purpose?: 'onderzoek' | 'casusoverleg' | 'coordinatie'
  fields?: string[],
  reasons?: string[],
  time?: Date,
  roles?: string[],
  detail?: DecisionDetail,
  type?: 'data-request.decision' | 'involvement-check.decision'
}): AuditEvent {
  const fields = input.fields ?? ['careInvolved', 'careType']
  const outcome = input.outcome
  return decisionEvent({
    type: input.type ?? 'data-request.decision',
    requestId: randomUUID(),
    trace: trace(),
    principal: { iss: 'https://idp.example', org: input.requester, sub: `user-${input.requester.slice(-4)}`, roles: (input.roles ?? ['college']) as Principal['roles'] },
    partyType: input.requesterType,
    caseId: input.caseId,
    subjectRef: input.subjectRef ?? SOMEONE,
    provider: input.provider,
    category: input.category ?? 'health',
    purpose: input.purpose ?? 'onderzoek',
    fieldsRequested: fields,
    fieldsReleased: outcome === 'permit' ? fields : [],
    outcome,
    reasons: input.reasons ?? [],
    necessity: 'Nodig om te beoordelen of zorg al betrokken is bij het gezin.',
    legalBasis: 'Wams art. 2.4; AVG art. 6 lid 1 sub e',
    policyVersion: 'a'.repeat(64),
    detail: input.detail ?? (outcome === 'deny' ? { decision: 'deny' } : { decision: 'permit', partnerStatus: { permit: 200, refused: 451, 'not-known': 404, error: 502 }[outcome] })
  }, input.time)
}

const register = indexPartyRegister(partyRegister)

/**
 * The consent ledger's audit events of a newly opened case (its own builder): one per subject.
 * The municipality that opened it owns it. Defaults: one client, route ernstig, client informed.
 */
export function caseOpened (caseId: string, municipality: string, time?: Date, options: {
  subjects?: Array<{ subjectRef: string, role: SubjectRole }>, route?: Route, clientInformed?: boolean
} = {}): AuditEvent[] {
  return caseEvents(caseId, municipality, 'case.opened', 1, time, options)
}

/** The consent ledger's audit events of one ledger event of a case (its own builder): one per subject concerned. */
export function caseEvents (caseId: string, municipality: string, type: EventContent['type'], seq: number, time: Date = new Date(), options: {
  subjects?: Array<{ subjectRef: string, role: SubjectRole }>, route?: Route, clientInformed?: boolean, only?: string
} = {}): AuditEvent[] {
  const subjects = options.subjects ?? [{ subjectRef: SOMEONE, role: 'client' }]
  const state = { route: options.route ?? 'ernstig', clientInformed: options.clientInformed ?? true, subjects } as unknown as LedgerCaseState
  const content = { caseId, seq, type, recordedAt: time.toISOString() } as unknown as EventContent
  const actor: Principal = { iss: 'https://idp.example', org: municipality, sub: 'college-1', roles: ['college'] }
  return caseAuditEvents({ register }, { actor, trace: trace(), transactionId: randomUUID(), caseId }, content, state, 'c'.repeat(64), options.only ?? null, time)
}

export async function waitFor<T> (what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fn()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Waits until `n` events are sequenced and covered by a signed checkpoint. */
export async function waitForCheckpoint (app: FastifyInstance, n: number, timeoutMs = 30000): Promise<number> {
  return waitFor(`a checkpoint of ${n} leaves`, async () => {
    const { rows } = await app.auditLog.pool.query<{ size: string }>('SELECT max(tree_size) AS size FROM checkpoints')
    const size = Number(rows[0]?.size ?? 0)
    return size >= n ? size : null
  }, timeoutMs)
}
