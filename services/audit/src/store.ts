// Consume → store, exactly once. Kafka delivers at least once (a crash between our database
// commit and the offset commit redelivers the batch); the unique event_id turns a redelivery into
// a no-op. The whole batch is one transaction that commits before `handle` resolves, and only
// then does the platform commit the offsets. An invalid message is kept in rejected_messages
// (never lost, never in the tree) and logged without its content.
import type { Logger } from 'pino'
import { assertAuditEvent, InvalidAuditEventError, inTransaction, type AuditEvent, type ConsumedMessage, type Pool, type PoolClient } from '@wams/platform'
import { eventLeafHash } from './merkle/index.ts'

export const STORED_CHANNEL = 'wams_audit_stored'

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

interface Accepted { kind: 'event', message: ConsumedMessage, event: AuditEvent, leafHash: Buffer }
interface Rejected { kind: 'rejected', message: ConsumedMessage, problems: string[] }

// PostgreSQL jsonb cannot hold NUL or unpaired surrogates; such an event could never be stored
// and returned exactly, so it is rejected rather than retried forever (a poison message).
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

function storable (value: unknown): boolean {
  if (typeof value === 'string') return !UNSTORABLE.test(value)
  if (Array.isArray(value)) return value.every(storable)
  if (value !== null && typeof value === 'object') return Object.entries(value).every(([k, v]) => !UNSTORABLE.test(k) && storable(v))
  return true
}

/** Parses and validates one message; never throws. */
export function classify (message: ConsumedMessage): Accepted | Rejected {
  let event: unknown
  try {
    event = JSON.parse(message.value)
  } catch {
    return { kind: 'rejected', message, problems: ['not JSON'] }
  }
  try {
    assertAuditEvent(event)
  } catch (err) {
    return { kind: 'rejected', message, problems: err instanceof InvalidAuditEventError ? err.errors : ['invalid'] }
  }
  if (!storable(event) || Number.isNaN(Date.parse(event.time))) {
    return { kind: 'rejected', message, problems: ['contains characters or a time PostgreSQL cannot store exactly'] }
  }
  return { kind: 'event', message, event, leafHash: eventLeafHash(event) }
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

  /** The consumer's handler: one partition batch, one transaction. */
  async handle (messages: ConsumedMessage[]): Promise<void> {
    const items = messages.map(classify)
    const { inserted, rejected } = await inTransaction(this.opts.pool, async (client) => {
      let count: number
      try {
        await client.query('SAVEPOINT batch')
        count = await this.insertEvents(client, items.filter((i): i is Accepted => i.kind === 'event'))
        await client.query('RELEASE SAVEPOINT batch')
      } catch (err) {
        // A row PostgreSQL refuses (data exception, class 22) must not block the partition:
        // retry one by one and keep the refused ones as rejected messages.
        if (!String((err as { code?: string }).code ?? '').startsWith('22')) throw err
        await client.query('ROLLBACK TO SAVEPOINT batch')
        count = 0
        for (const [i, item] of items.entries()) {
          if (item.kind !== 'event') continue
          try {
            await client.query('SAVEPOINT one')
            count += await this.insertEvents(client, [item])
            await client.query('RELEASE SAVEPOINT one')
          } catch (rowErr) {
            if (!String((rowErr as { code?: string }).code ?? '').startsWith('22')) throw rowErr
            await client.query('ROLLBACK TO SAVEPOINT one')
            items[i] = { kind: 'rejected', message: item.message, problems: ['refused by the database'] }
          }
        }
      }
      const bad = items.filter((i): i is Rejected => i.kind === 'rejected')
      await this.insertRejected(client, bad)
      await client.query(`SELECT pg_notify('${STORED_CHANNEL}', '')`)
      return { inserted: count, rejected: bad }
    })
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

  private async insertEvents (client: PoolClient, items: Accepted[]): Promise<number> {
    if (items.length === 0) return 0
    const col = <T>(f: (i: Accepted) => T) => items.map(f)
    // unnest keeps the array order, so seq follows the Kafka order of the batch.
    const { rowCount } = await client.query({
      name: 'audit-insert-events',
      text: `INSERT INTO audit_events (event_id, event, leaf_hash, kafka_partition, kafka_offset, event_type, actor_org, provider,
               case_id, subject_ref, outcome, category, time, stored_by)
             SELECT e.event_id, e.event, e.leaf_hash, e.kafka_partition, e.kafka_offset, e.event_type, e.actor_org, e.provider,
               e.case_id, e.subject_ref, e.outcome, e.category, e.time, $14
             FROM unnest($1::uuid[], $2::jsonb[], $3::bytea[], $4::int[], $5::bigint[], $6::text[], $7::text[], $8::text[],
               $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[]) WITH ORDINALITY
               AS e(event_id, event, leaf_hash, kafka_partition, kafka_offset, event_type, actor_org, provider,
                    case_id, subject_ref, outcome, category, time, ord)
             ORDER BY e.ord
             ON CONFLICT (event_id) DO NOTHING`,
      values: [
        col((i) => i.event.eventId), col((i) => JSON.stringify(i.event)), col((i) => i.leafHash),
        col((i) => i.message.partition), col((i) => i.message.offset), col((i) => i.event.type),
        col((i) => i.event.actor.org), col((i) => i.event.provider), col((i) => i.event.caseId), col((i) => i.event.subjectRef),
        col((i) => i.event.outcome), col((i) => i.event.category), col((i) => i.event.time), this.opts.instanceId
      ]
    })
    const owners = items.filter((i) => i.event.type === 'case.event' && i.event.caseId && i.event.actor.org &&
      (i.event.detail as { eventType?: unknown } | undefined)?.eventType === 'case.opened')
    if (owners.length > 0) {
      // The municipality that opened a case owns it (scoping: a gemeente sees its cases' events).
      await client.query({
        name: 'audit-insert-owners',
        text: `INSERT INTO case_owners (case_id, org, event_id) SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[])
               ON CONFLICT (case_id) DO NOTHING`,
        values: [owners.map((i) => i.event.caseId), owners.map((i) => i.event.actor.org), owners.map((i) => i.event.eventId)]
      })
    }
    return rowCount ?? 0
  }

  private async insertRejected (client: PoolClient, items: Rejected[]): Promise<void> {
    if (items.length === 0) return
    await client.query({
      name: 'audit-insert-rejected',
      text: `INSERT INTO rejected_messages (kafka_topic, kafka_partition, kafka_offset, message_key, value, problems)
             SELECT t, p, o, k, v, string_to_array(pr, E'\\n')
             FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bytea[], $5::bytea[], $6::text[]) AS r(t, p, o, k, v, pr)
             ON CONFLICT (kafka_topic, kafka_partition, kafka_offset) DO NOTHING`,
      values: [
        items.map((i) => i.message.topic), items.map((i) => i.message.partition), items.map((i) => i.message.offset),
        items.map((i) => (i.message.key === null ? null : Buffer.from(i.message.key, 'utf8'))),
        items.map((i) => Buffer.from(i.message.value, 'utf8')),
        items.map((i) => i.problems.map((p) => p.replace(/\n/g, ' ')).join('\n'))
      ]
    })
  }
}
