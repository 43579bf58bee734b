// The audit event contract (schemas/audit-event.schema.json): every producer builds its events
// here and validates them before they are written to the outbox.
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { uuidv7 } from './random-pool.ts'
import auditEventSchema from '@wams/schemas/audit-event.schema.json' with { type: 'json' }
import commonSchema from '@wams/schemas/common.schema.json' with { type: 'json' }
import type { AuditEvent } from '@wams/schemas'
import { appendToOutbox, type OutboxEvent } from './outbox.ts'
import { deepFreeze } from './deep-freeze.ts'
import type { Pool, PoolClient } from './database.ts'
import type { TraceContext } from './trace-context.ts'
import { checkTextPolicy, isStorableDateTime } from './text-policy.ts'

export type { AuditEvent }

const ajv = new Ajv2020({ allErrors: true, strict: false })
addFormats.default(ajv)
// `time` must be a date-time PostgreSQL's timestamptz holds (the store indexes it), not only RFC 3339.
ajv.addFormat('date-time', { type: 'string', validate: isStorableDateTime })
// The typed details refer to the shared vocabulary (route, subjectRole).
ajv.addSchema(commonSchema)
const validate = ajv.compile<AuditEvent>(auditEventSchema)

/** The largest event (its JSON, UTF-8) a producer may commit: far below Kafka's message limit. */
export const MAX_AUDIT_EVENT_BYTES = 64 * 1024

export class InvalidAuditEventError extends Error {
  constructor (readonly errors: string[]) {
    super(`audit event does not match the contract: ${errors.join('; ')}`)
  }
}

/**
 * The audit event contract, checked by the same code on both sides: every producer before it
 * writes an event to its outbox (buildAuditEvent, recordAudit) and the audit store before it
 * stores one (classify). The schema (schemas/audit-event.schema.json), plus what a schema cannot
 * say: plain JSON data only, every string and property name within the text policy (so
 * PostgreSQL's jsonb and text hold it and give it back exactly), a time timestamptz holds, and a
 * bounded size. So an event a producer can commit is an event the store can store.
 */
export function assertAuditEvent (event: unknown): asserts event is AuditEvent {
  validatedJson(event)
}

/**
 * assertAuditEvent for a reader that serialises the event anyway (the audit store writes its RFC
 * 8785 form): the checks without the size, which it then checks on its own bytes with
 * assertAuditEventSize. RFC 8785 text and JSON.stringify's differ only in member order, so the
 * size is the same, and no event is serialised twice.
 */
export function assertAuditEventShape (event: unknown): asserts event is AuditEvent {
  const text = checkTextPolicy(event, { plainJson: true })
  if (text.length > 0) throw new InvalidAuditEventError(text.map((v) => `${v.pointer} ${v.detail}`))
  if (!validate(event)) {
    throw new InvalidAuditEventError((validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`))
  }
}

/** The size bound of the contract, on an event's JSON as UTF-8 bytes. */
export function assertAuditEventSize (bytes: number): void {
  if (bytes > MAX_AUDIT_EVENT_BYTES) throw new InvalidAuditEventError([`/ is ${bytes} bytes of JSON, more than ${MAX_AUDIT_EVENT_BYTES}`])
}

/** The checks of assertAuditEvent; returns the event's JSON, which the size check needs anyway. */
function validatedJson (event: unknown): string {
  assertAuditEventShape(event)
  const json = JSON.stringify(event)
  assertAuditEventSize(Buffer.byteLength(json, 'utf8'))
  return json
}

/**
 * Events built here, frozen after their check, with the JSON that was checked: writing one again
 * neither checks nor serialises it twice (issue 13). An event changed after building cannot
 * exist (frozen); any other object is checked when it is written.
 */
const checked = new WeakMap<object, string>()

/** The JSON to write for an event: as checked when it was built, else checked now (throws InvalidAuditEventError). */
export function auditEventJson (event: AuditEvent): string {
  return checked.get(event) ?? validatedJson(event)
}

type Defaults = 'eventId' | 'time' | 'traceId' | 'spanId' | 'legalBasis' | 'caseId' | 'subjectRef' | 'subjectType' |
  'provider' | 'category' | 'purpose' | 'fieldsRequested' | 'fieldsReleased' | 'reasons' | 'necessity' | 'policyVersion'

export type AuditEventInput = Omit<AuditEvent, Defaults> & Partial<Pick<AuditEvent, Defaults>>

/** Fills ids, time and empty defaults, and validates; the event is frozen (deeply). */
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
  const json = validatedJson(event)
  checked.set(deepFreeze(event), json)
  return event
}

/** Kafka key: the case id when there is one (order per case), else the event id. Never personal data. */
export function auditKey (event: AuditEvent): string {
  return event.caseId ?? event.eventId
}

/** Validates and writes audit events to the outbox, inside the caller's transaction. */
export async function recordAudit (client: Pool | PoolClient, events: AuditEvent[]): Promise<void> {
  await appendToOutbox(client, auditOutboxEvents(events))
}

/** Audit events as outbox rows, each checked (throws InvalidAuditEventError before anything is written). */
export function auditOutboxEvents (events: AuditEvent[]): OutboxEvent[] {
  const json = events.map(auditEventJson)
  return events.map((e, i) => ({ topic: 'audit' as const, key: auditKey(e), eventId: e.eventId, payload: e, payloadJson: json[i]! }))
}
