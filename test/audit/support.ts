// Helpers of the audit tests: an audit service on a fresh database and topic prefix (real
// PostgreSQL and Kafka), producers of valid audit events as the gateway and the consent ledger
// write them, and waiting for the log to catch up.
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import {
  Broker, auditKey, buildAuditEvent, createPseudonymiser, devPseudonymKey, parseTraceparent, type AuditEvent, type AuditEventInput
} from '@wams/platform'
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
    DATABASE_URL: infra.dbUrl, KAFKA_TOPIC_PREFIX: infra.prefix, KAFKA_BROKERS, LOG_LEVEL: 'silent', PORT: '0',
    CHECKPOINT_INTERVAL_MS: '200', STREAM_HEARTBEAT_MS: '300', ...env
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

/** A gateway decision on a data request (the gateway does not exist yet: this is its event). */
export function decision (input: {
  caseId: string, requester: string, requesterType: string, provider: string, subjectRef: string | null
  outcome: 'permit' | 'deny' | 'refused' | 'not-known' | 'error', category?: string, purpose?: 'onderzoek' | 'casusoverleg' | 'coordinatie'
  fields?: string[], reasons?: string[], time?: Date, roles?: string[], detail?: Record<string, unknown>
}): AuditEvent {
  const fields = input.fields ?? ['careInvolved', 'careType']
  const event: AuditEventInput = {
    type: 'data-request.decision',
    source: 'gateway',
    transactionId: randomUUID(),
    actor: { org: input.requester, sub: `user-${input.requester.slice(-4)}`, roles: input.roles ?? ['college'], partyType: input.requesterType },
    processingActivity: { id: 'wams.data-request', version: '1' },
    legalBasis: 'Wams art. 2.1 (onderzoek naar meervoudige problematiek)',
    caseId: input.caseId,
    subjectRef: input.subjectRef,
    provider: input.provider,
    category: input.category ?? 'health',
    purpose: input.purpose ?? 'onderzoek',
    fieldsRequested: fields,
    fieldsReleased: input.outcome === 'permit' ? fields : [],
    outcome: input.outcome,
    reasons: input.reasons ?? [],
    necessity: 'Nodig om te beoordelen of zorg al betrokken is bij het gezin.',
    policyVersion: '2025.1',
    ...(input.detail ? { detail: input.detail } : {})
  }
  return buildAuditEvent(event, trace(), input.time)
}

/** The consent ledger's event for a newly opened case: the municipality that opened it owns it. */
export function caseOpened (caseId: string, municipality: string, time?: Date): AuditEvent {
  return buildAuditEvent({
    type: 'case.event',
    source: 'consent-ledger',
    transactionId: randomUUID(),
    actor: { org: municipality, sub: 'college-1', roles: ['college'], partyType: 'gemeente' },
    processingActivity: { id: 'wams.case.case.opened', version: '1' },
    legalBasis: 'Wams art. 2.1',
    caseId,
    outcome: 'recorded',
    detail: { eventType: 'case.opened', version: 1, hash: 'x'.repeat(64) }
  }, trace(), time)
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
