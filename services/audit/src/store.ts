// Consume → store, exactly once. Kafka delivers at least once (a crash between our database
// commit and the offset commit redelivers the batch); the unique event_id turns a redelivery into
// a no-op. The whole batch is one transaction that commits before `handle` resolves, and only
// then does the platform commit the offsets. An invalid message is kept in rejected_messages
// (never lost, never in the tree) and logged without its content.
import type { Logger } from 'pino'
import { assertAuditEvent, InvalidAuditEventError, type AuditEvent, type ConsumedMessage, type Pool, type PoolClient } from '@wams/platform'
import { canonicalEventJson, leafHash } from '@wams/transparency-log'

export const STORED_CHANNEL = 'wams_audit_stored'
const CHUNK = 250

export interface StoreStats {
  /** Messages handed to the store. */
  received: number
  /** Events inserted (first delivery). */
  inserted: number
  /** Events dropped because their event id was stored already (redeliveries). */
  duplicates: number
  /** Messages that are not valid audit events. */
  rejected: number
}

interface Accepted { kind: 'event', message: ConsumedMessage, event: AuditEvent, canonical: string, leafHash: Buffer }
interface Rejected { kind: 'rejected', message: ConsumedMessage, problems: string[] }

/** Parses and validates one message; never throws. */
export function classify (message: ConsumedMessage): Accepted | Rejected {
  let event: unknown
  try {
    event = JSON.parse(message.value)
  } catch {
    return { kind: 'rejected', message, problems: ['not JSON'] }
  }
  // The one contract check the producers ran too (platform audit-event.ts): it includes the text
  // policy and the time PostgreSQL can store, so what a producer could commit is stored here, and
  // anything else (NUL, unpaired surrogates, year 0000, …) is rejected rather than retried forever.
  try {
    assertAuditEvent(event)
  } catch (err) {
    return { kind: 'rejected', message, problems: err instanceof InvalidAuditEventError ? err.errors : ['invalid'] }
  }
  // The RFC 8785 text is both what is hashed and what is stored (jsonb), computed once.
  const canonical = canonicalEventJson(event)
  return { kind: 'event', message, event, canonical, leafHash: leafHash(Buffer.from(canonical, 'utf8')) }
}

export class AuditStore {
  readonly stats: StoreStats = { received: 0, inserted: 0, duplicates: 0, rejected: 0 }

  constructor (private readonly opts: {
    pool: Pool
    logger: Logger
    instanceId: string
    /** Called after the batch's transaction committed, before the offsets are committed (tests crash here). */
    afterCommit?: (messages: ConsumedMessage[]) => Promise<void> | void
  }) {}

  /**
   * The consumer's handler: one partition batch, stored by ONE statement (events, case owners,
   * rejected messages and the wake-up of the sequencer), so one round trip and atomic. It is
   * idempotent (ON CONFLICT DO NOTHING on the event id and on the Kafka position), which is what
   * makes a redelivery harmless; it has committed when this resolves.
   */
  async handle (messages: ConsumedMessage[]): Promise<void> {
    // In chunks, in order: the next chunk is parsed, validated and hashed (CPU) while the
    // previous one is being written (I/O). Each chunk is one statement.
    const chunks: Array<Array<Accepted | Rejected>> = []
    let inserted = 0
    let writing: Promise<number> = Promise.resolve(0)
    for (let i = 0; i < messages.length; i += CHUNK) {
      const chunk = messages.slice(i, i + CHUNK).map(classify)
      chunks.push(chunk)
      inserted += await writing
      writing = this.storeChunk(chunk)
    }
    inserted += await writing
    // storeChunk may have turned events the database refused into rejected messages.
    const rejected = chunks.flat().filter((i): i is Rejected => i.kind === 'rejected')
    this.stats.received += messages.length
    this.stats.inserted += inserted
    this.stats.rejected += rejected.length
    this.stats.duplicates += messages.length - inserted - rejected.length
    for (const r of rejected) {
      // Where it is and how many problems, never the content: it may hold anything, even a BSN.
      this.opts.logger.warn({ topic: r.message.topic, partition: r.message.partition, offset: r.message.offset, problemCount: r.problems.length },
        'audit: a message on the audit topic is not a valid audit event; kept in rejected_messages')
    }
    await this.opts.afterCommit?.(messages)
  }

  private async storeChunk (items: Array<Accepted | Rejected>): Promise<number> {
    try {
      return await this.store(this.opts.pool, items)
    } catch (err) {
      // A row PostgreSQL refuses (data exception, class 22) must not block the partition: store
      // one by one and keep the refused ones as rejected messages. Each statement is idempotent,
      // so a crash half-way is repaired by the redelivery.
      if (!String((err as { code?: string }).code ?? '').startsWith('22')) throw err
      let inserted = 0
      for (const [i, item] of items.entries()) {
        try {
          inserted += await this.store(this.opts.pool, [item])
        } catch (rowErr) {
          if (!String((rowErr as { code?: string }).code ?? '').startsWith('22')) throw rowErr
          items[i] = { kind: 'rejected', message: item.message, problems: ['refused by the database'] }
          await this.store(this.opts.pool, [items[i]!])
        }
      }
      return inserted
    }
  }

  /** One statement: returns how many events were new. */
  private async store (db: Pool | PoolClient, items: Array<Accepted | Rejected>): Promise<number> {
    const events = items.filter((i): i is Accepted => i.kind === 'event')
    const bad = items.filter((i): i is Rejected => i.kind === 'rejected')
    const col = <T>(f: (i: Accepted) => T) => events.map(f)
    // The municipality that opened a case owns it (scoping: a gemeente sees its cases' events).
    // The opening of a case is recorded once per person (one audit event per subject): one owner row per case.
    const owners = [...new Map(events.filter((i) => i.event.type === 'case.event' && i.event.caseId && i.event.actor.org &&
      (i.event.detail as { eventType?: unknown } | undefined)?.eventType === 'case.opened').map((i) => [i.event.caseId, i])).values()]
    const { rows } = await db.query<{ inserted: number }>({
      name: 'audit-store-batch',
      // unnest keeps the array order, so seq follows the Kafka order of the batch.
      text: `WITH new_events AS (
               INSERT INTO audit_events (event_id, event, leaf_hash, kafka_partition, kafka_offset, event_type, actor_org, provider,
                 case_id, subject_ref, outcome, category, time, stored_by)
               SELECT e.event_id, e.event, e.leaf_hash, e.kafka_partition, e.kafka_offset, e.event_type, e.actor_org, e.provider,
                 e.case_id, e.subject_ref, e.outcome, e.category, e.time, $14
               FROM unnest($1::uuid[], $2::jsonb[], $3::bytea[], $4::int[], $5::bigint[], $6::text[], $7::text[], $8::text[],
                 $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[]) WITH ORDINALITY
                 AS e(event_id, event, leaf_hash, kafka_partition, kafka_offset, event_type, actor_org, provider,
                      case_id, subject_ref, outcome, category, time, ord)
               ORDER BY e.ord
               ON CONFLICT (event_id) DO NOTHING
               RETURNING 1),
             new_owners AS (
               INSERT INTO case_owners (case_id, org, event_id) SELECT * FROM unnest($15::text[], $16::text[], $17::uuid[])
               ON CONFLICT (case_id) DO NOTHING),
             new_rejected AS (
               INSERT INTO rejected_messages (kafka_topic, kafka_partition, kafka_offset, message_key, value, problems)
               SELECT t, p, o, k, v, string_to_array(pr, E'\\n')
               FROM unnest($18::text[], $19::int[], $20::bigint[], $21::bytea[], $22::bytea[], $23::text[]) AS r(t, p, o, k, v, pr)
               ON CONFLICT (kafka_topic, kafka_partition, kafka_offset) DO NOTHING)
             SELECT (SELECT count(*) FROM new_events)::int AS inserted, pg_notify('${STORED_CHANNEL}', '')`,
      values: [
        col((i) => i.event.eventId), col((i) => i.canonical), col((i) => i.leafHash),
        col((i) => i.message.partition), col((i) => i.message.offset), col((i) => i.event.type),
        col((i) => i.event.actor.org), col((i) => i.event.provider), col((i) => i.event.caseId), col((i) => i.event.subjectRef),
        col((i) => i.event.outcome), col((i) => i.event.category), col((i) => i.event.time), this.opts.instanceId,
        owners.map((i) => i.event.caseId), owners.map((i) => i.event.actor.org), owners.map((i) => i.event.eventId),
        bad.map((i) => i.message.topic), bad.map((i) => i.message.partition), bad.map((i) => i.message.offset),
        bad.map((i) => (i.message.key === null ? null : Buffer.from(i.message.key, 'utf8'))),
        bad.map((i) => Buffer.from(i.message.value, 'utf8')),
        bad.map((i) => i.problems.map((p) => p.replace(/\n/g, ' ')).join('\n'))
      ]
    })
    return rows[0]!.inserted
  }
}
