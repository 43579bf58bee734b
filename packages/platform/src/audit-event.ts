// The audit event contract (schemas/audit-event.schema.json): every producer builds its events
// here and validates them before they are written to the outbox.
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { v7 as uuidv7 } from 'uuid'
import auditEventSchema from '@wams/schemas/audit-event.schema.json' with { type: 'json' }
import type { AuditEvent } from '@wams/schemas'
import { appendToOutbox } from './outbox.ts'
import type { Pool, PoolClient } from './database.ts'
import type { TraceContext } from './trace-context.ts'

export type { AuditEvent }

const ajv = new Ajv2020({ allErrors: true, strict: false })
addFormats.default(ajv)
const validate = ajv.compile<AuditEvent>(auditEventSchema)

export class InvalidAuditEventError extends Error {
  constructor (readonly errors: string[]) {
    super(`audit event does not match the contract: ${errors.join('; ')}`)
  }
}

export function assertAuditEvent (event: unknown): asserts event is AuditEvent {
  if (!validate(event)) {
    throw new InvalidAuditEventError((validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`))
  }
}

type Defaults = 'eventId' | 'time' | 'traceId' | 'spanId' | 'legalBasis' | 'caseId' | 'subjectRef' | 'subjectType' |
  'provider' | 'category' | 'purpose' | 'fieldsRequested' | 'fieldsReleased' | 'reasons' | 'necessity' | 'policyVersion'

export type AuditEventInput = Omit<AuditEvent, Defaults> & Partial<Pick<AuditEvent, Defaults>>

/** Fills ids, time and empty defaults, and validates. */
export function buildAuditEvent (input: AuditEventInput, trace: TraceContext, now: Date = new Date()): AuditEvent {
  const event: AuditEvent = {
    eventId: uuidv7(),
    time: now.toISOString(),
    traceId: trace.traceId,
    spanId: trace.spanId,
    legalBasis: null,
    caseId: null,
    subjectRef: null,
    subjectType: input.subjectRef ? 'bsn-pseudonym' : null,
    provider: null,
    category: null,
    purpose: null,
    fieldsRequested: [],
    fieldsReleased: [],
    reasons: [],
    necessity: null,
    policyVersion: null,
    ...input
  } as AuditEvent
  assertAuditEvent(event)
  return event
}

/** Kafka key: the case id when there is one (order per case), else the event id. Never personal data. */
export function auditKey (event: AuditEvent): string {
  return event.caseId ?? event.eventId
}

/** Validates and writes audit events to the outbox, inside the caller's transaction. */
export async function recordAudit (client: Pool | PoolClient, events: AuditEvent[]): Promise<void> {
  for (const e of events) assertAuditEvent(e)
  await appendToOutbox(client, events.map((e) => ({ topic: 'audit' as const, key: auditKey(e), eventId: e.eventId, payload: e })))
}

/** The onFailure hook of the authentication plugin: every failed attempt becomes an audit event. */
export function auditAuthenticationFailure (pool: Pool, source: AuditEvent['source']) {
  return async (request: { id: string, trace: TraceContext, routeOptions?: { url?: string } }, failure: { reason: string, claimed: { org: string | null, sub: string | null, roles: string[] } }) => {
    const event = buildAuditEvent({
      type: 'authentication.failed',
      source,
      transactionId: request.id,
      actor: { org: failure.claimed.org, sub: failure.claimed.sub, roles: failure.claimed.roles, partyType: null },
      processingActivity: { id: 'wams.authentication', version: '1' },
      outcome: 'rejected',
      reasons: [failure.reason],
      detail: { route: request.routeOptions?.url ?? null }
    }, request.trace)
    await recordAudit(pool, [event])
  }
}
