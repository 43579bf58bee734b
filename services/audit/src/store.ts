// Consume → store and append to the tree, exactly once. Kafka delivers at least once (a crash
// between our database commit and the offset commit redelivers the batch); the event ids already
// stored turn a redelivery into a no-op. Each chunk of a batch is one transaction that writes the
// events with their leaf indexes and the tree's new nodes and head, committed before `handle`
// resolves, and only then does the platform commit the offsets. An invalid message is kept in
// rejected_messages (never lost, never in the tree) and logged without its content.
import type { Logger } from 'pino'
import { assertAuditEventShape, assertAuditEventSize, inTransaction, InvalidAuditEventError, type AuditEvent, type ConsumedMessage, type Pool, type PoolClient } from '@wams/platform'
import { canonicalEventLeaf } from '@wams/transparency-log'
import { byteaArray, int2Array, int4Array, int8Array, jsonbArray, textArray, uuidArray } from './pg-binary-array.ts'
import { SEQUENCED_CHANNEL, STORED_CHANNEL, TreeAppender, type PlannedAppend } from './tree-appender.ts'

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

interface Accepted { kind: 'event', message: ConsumedMessage, event: AuditEvent, canonical: Buffer, leafHash: Buffer }
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
    assertAuditEventShape(event)
    // The RFC 8785 bytes are both what is hashed and what is stored (jsonb), encoded once; the
    // contract's size bound is checked on them.
    const leaf = canonicalEventLeaf(event)
    assertAuditEventSize(leaf.canonical.length)
    return { kind: 'event', message, event, ...leaf }
  } catch (err) {
    return { kind: 'rejected', message, problems: err instanceof InvalidAuditEventError ? err.errors : ['invalid'] }
  }
}

export class AuditStore {
  readonly stats: StoreStats = { received: 0, inserted: 0, duplicates: 0, rejected: 0 }
  private readonly tree: TreeAppender

  constructor (private readonly opts: {
    pool: Pool
    logger: Logger
    instanceId: string
    /** The instance's appender, shared with its sequencer (one cached range); a store of its own by default. */
    tree?: TreeAppender
    /** Called after the batch's transaction committed, before the offsets are committed (tests crash here). */
    afterCommit?: (messages: ConsumedMessage[]) => Promise<void> | void
  }) {
    this.tree = opts.tree ?? new TreeAppender()
  }

  /**
   * The consumer's handler: one partition batch, in chunks of one transaction each (events with
   * their leaves, tree nodes and head, case owners, rejected messages, the wake-up of the live
   * stream). It is idempotent (stored event ids are dropped, rejected messages ON CONFLICT DO
   * NOTHING on their Kafka position), which is what makes a redelivery harmless; it has
   * committed when this resolves.
   */
  async handle (messages: ConsumedMessage[]): Promise<void> {
    // In chunks, in order: the next chunk is parsed, validated and hashed (CPU) while the
    // previous one is being written (I/O). Each chunk is one transaction.
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
      return await this.store(items)
    } catch (err) {
      // A row PostgreSQL refuses (data exception, class 22) must not block the partition: store
      // one by one and keep the refused ones as rejected messages. Each transaction is idempotent,
      // so a crash half-way is repaired by the redelivery.
      if (!String((err as { code?: string }).code ?? '').startsWith('22')) throw err
      let inserted = 0
      for (const [i, item] of items.entries()) {
        try {
          inserted += await this.store([item])
        } catch (rowErr) {
          if (!String((rowErr as { code?: string }).code ?? '').startsWith('22')) throw rowErr
          items[i] = { kind: 'rejected', message: item.message, problems: ['refused by the database'] }
          await this.store([items[i]!])
        }
      }
      return inserted
    }
  }

  /**
   * One transaction: the new events go into the table and into the Merkle tree together, so
   * each event row is written once, with its leaf index. The tree head is locked before the event
   * ids are looked up, so what an earlier appender (this or another instance) committed is seen
   * and a redelivered event is dropped; a duplicate that still slips through (a writer that does
   * not take the lock) fails the unique event id and the batch is retried, never a gap in the tree.
   * While stored events wait for the sequencer (this instance's is stopped, or an instance of an
   * earlier version stored them), new ones wait behind them: the tree keeps the store order.
   * Returns how many events were new.
   */
  private async store (items: Array<Accepted | Rejected>): Promise<number> {
    const accepted = items.filter((i): i is Accepted => i.kind === 'event')
    const bad = items.filter((i): i is Rejected => i.kind === 'rejected')
    let plan: PlannedAppend | null = null
    try {
      const inserted = await inTransaction(this.opts.pool, async (client) => {
        const events: Accepted[] = []
        if (accepted.length > 0) {
          const head = await this.tree.lockHead(client)
          const { rows } = await client.query<{ stored: string[], waiting: boolean }>({
            name: 'audit-stored-ids',
            text: `SELECT array(SELECT event_id::text FROM audit_events WHERE event_id = ANY($1::uuid[])) AS stored,
                     EXISTS (SELECT 1 FROM audit_events WHERE leaf_index IS NULL) AS waiting`,
            values: [uuidArray(accepted.map((i) => i.event.eventId))]
          })
          // A redelivery, or the same event twice in one batch (a producer that published it again): the first one counts.
          const seen = new Set(rows[0]!.stored)
          for (const item of accepted) {
            const id = item.event.eventId.toLowerCase()
            if (!seen.has(id)) { seen.add(id); events.push(item) }
          }
          if (events.length > 0 && this.tree.appending && !rows[0]!.waiting) plan = await this.tree.plan(client, head, events.map((i) => i.leafHash))
        }
        if (events.length === 0 && bad.length === 0) return 0
        return this.write(client, events, bad, plan)
      })
      ;(plan as PlannedAppend | null)?.committed()
      return inserted
    } catch (err) {
      this.tree.forget()
      throw err
    }
  }

  /** The events with their leaves and the tree's new nodes and head, the case owners and the rejected messages: one statement. */
  private async write (client: PoolClient, events: Accepted[], bad: Rejected[], plan: PlannedAppend | null): Promise<number> {
    const col = <T>(f: (i: Accepted) => T) => events.map(f)
    // The municipality that opened a case owns it (scoping: a gemeente sees its cases' events).
    // The opening of a case is recorded once per person (one audit event per subject): one owner row per case.
    const owners = [...new Map(events.filter((i) => i.event.type === 'case.event' && i.event.caseId && i.event.actor.org &&
      (i.event.detail as { eventType?: unknown } | undefined)?.eventType === 'case.opened').map((i) => [i.event.caseId, i])).values()]
    const nodes = plan?.nodes ?? []
    const { rows } = await client.query<{ inserted: number }>({
      name: 'audit-store-batch',
      // unnest keeps the array order: seq and leaf_index follow the Kafka order of the batch. The
      // head moves and the live stream is woken only with a plan ($24 not null); without one the
      // events are stored without a leaf index and the sequencer is woken.
      text: `WITH new_events AS (
               INSERT INTO audit_events (event_id, event, leaf_hash, kafka_partition, kafka_offset, event_type, actor_org, provider,
                 case_id, subject_ref, outcome, category, time, stored_by, leaf_index)
               SELECT e.event_id, e.event, e.leaf_hash, e.kafka_partition, e.kafka_offset, e.event_type, e.actor_org, e.provider,
                 e.case_id, e.subject_ref, e.outcome, e.category, e.time::timestamptz, $14, $24::bigint + e.ord - 1
               FROM unnest($1::uuid[], $2::jsonb[], $3::bytea[], $4::int[], $5::bigint[], $6::text[], $7::text[], $8::text[],
                 $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) WITH ORDINALITY
                 AS e(event_id, event, leaf_hash, kafka_partition, kafka_offset, event_type, actor_org, provider,
                      case_id, subject_ref, outcome, category, time, ord)
               ORDER BY e.ord
               RETURNING 1),
             new_nodes AS (
               INSERT INTO merkle_nodes (level, idx, hash) SELECT * FROM unnest($27::smallint[], $28::bigint[], $29::bytea[])),
             new_head AS (
               UPDATE tree_head SET size = $25, root_hash = $26, updated_at = now() WHERE id = 1 AND $24::bigint IS NOT NULL
               RETURNING size),
             new_owners AS (
               INSERT INTO case_owners (case_id, org, event_id) SELECT * FROM unnest($15::text[], $16::text[], $17::uuid[])
               ON CONFLICT (case_id) DO NOTHING),
             new_rejected AS (
               INSERT INTO rejected_messages (kafka_topic, kafka_partition, kafka_offset, message_key, value, problems)
               SELECT t, p, o, k, v, string_to_array(pr, E'\\n')
               FROM unnest($18::text[], $19::int[], $20::bigint[], $21::bytea[], $22::bytea[], $23::text[]) AS r(t, p, o, k, v, pr)
               ON CONFLICT (kafka_topic, kafka_partition, kafka_offset) DO NOTHING)
             SELECT (SELECT count(*) FROM new_events)::int AS inserted,
               (SELECT count(*) FROM (SELECT pg_notify('${SEQUENCED_CHANNEL}', size::text) FROM new_head) n)::int AS sequenced,
               (SELECT count(*) FROM (SELECT pg_notify('${STORED_CHANNEL}', '') WHERE $24::bigint IS NULL AND EXISTS (SELECT 1 FROM new_events)) n)::int AS stored`,
      values: [
        uuidArray(col((i) => i.event.eventId)), jsonbArray(col((i) => i.canonical)), byteaArray(col((i) => i.leafHash)),
        int4Array(col((i) => i.message.partition)), int8Array(col((i) => i.message.offset)), textArray(col((i) => i.event.type)),
        textArray(col((i) => i.event.actor.org)), textArray(col((i) => i.event.provider)), textArray(col((i) => i.event.caseId)),
        textArray(col((i) => i.event.subjectRef)), textArray(col((i) => i.event.outcome)), textArray(col((i) => i.event.category)),
        textArray(col((i) => i.event.time)), this.opts.instanceId,
        textArray(owners.map((i) => i.event.caseId)), textArray(owners.map((i) => i.event.actor.org)), uuidArray(owners.map((i) => i.event.eventId)),
        bad.map((i) => i.message.topic), bad.map((i) => i.message.partition), bad.map((i) => i.message.offset),
        bad.map((i) => (i.message.key === null ? null : Buffer.from(i.message.key, 'utf8'))),
        bad.map((i) => Buffer.from(i.message.value, 'utf8')),
        bad.map((i) => i.problems.map((p) => p.replace(/\n/g, ' ')).join('\n')),
        plan?.size ?? null, plan?.newSize ?? null, plan?.rootHash ?? null,
        int2Array(nodes.map((n) => n.level)), int8Array(nodes.map((n) => n.index)), byteaArray(nodes.map((n) => n.hash))
      ]
    })
    // Every event was new under the lock: anything else would leave a gap in the tree.
    if (rows[0]!.inserted !== events.length) throw new Error(`audit store: ${rows[0]!.inserted} of ${events.length} events inserted`)
    return events.length
  }
}
