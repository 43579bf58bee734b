// Transactional outbox. `appendToOutbox` joins the caller's transaction, so an event exists
// exactly when the change it reports was committed. The relay publishes rows in id order (hence
// in order per key) and marks them only after Kafka acknowledged; a crash in between republishes
// the same rows, with the same event ids, which consumers deduplicate on. Audit events stay until
// the audit log has proven that it holds them (evidence.ts), which also prunes.
import type { Pool, PoolClient } from './database.ts'
import { LeaderLock } from './leader-lock.ts'
import { WakeableSleep } from './wakeable-sleep.ts'
import type { Broker, TopicKey } from './kafka.ts'
import type { Logger } from 'pino'
import { performance } from 'node:perf_hooks'

export interface OutboxEvent {
  topic: TopicKey
  key: string
  eventId: string
  payload: unknown
  /** The payload already serialised (as it was checked), written instead of serialising it again. */
  payloadJson?: string
  headers?: Record<string, string>
  /**
   * Held back from the relay for this long (ms): an audit record written while the partner is
   * asked, which releaseHeld replaces with the final record. Should that never come (the writer
   * died), the relay publishes the row as it stands once the hold has run out.
   */
  holdMs?: number
}

const NOTIFY_CHANNEL = 'wams_outbox'
/** Bind parameters per row of appendToOutbox (PostgreSQL takes 65,535 per statement). */
export const OUTBOX_PARAMETERS = 6

export async function appendToOutbox (client: PoolClient | Pool, events: OutboxEvent[], options: { notify?: boolean } = {}): Promise<void> {
  if (events.length === 0) return
  const values: unknown[] = []
  const rows = events.map((e, i) => {
    values.push(e.topic, e.key, e.eventId, e.payloadJson ?? JSON.stringify(e.payload), JSON.stringify(e.headers ?? {}), e.holdMs ?? null)
    const b = i * OUTBOX_PARAMETERS
    // The hold on the database's clock, the one the relay compares it with.
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::jsonb, now() + $${b + 6}::int * interval '1 millisecond')`
  })
  const insert = `INSERT INTO outbox (topic, message_key, event_id, payload, headers, held_until) VALUES ${rows.join(', ')}`
  // One round trip: the insert and the relay's wake-up (delivered at commit) in one statement.
  // Without notify the caller wakes a relay itself (AuditBatcher, when this instance's relay leads).
  await client.query(options.notify === false ? insert : `WITH added AS (${insert} RETURNING 1) SELECT pg_notify('${NOTIFY_CHANNEL}', '')`, values)
}

/**
 * Replaces held rows (see OutboxEvent.holdMs) with their final payload and hands them to the
 * relay, in one statement. A row whose hold has run out is left as it is: the relay may have
 * published it already (claimHeld), and the log must hold what the outbox holds. Returns the
 * event ids it replaced.
 */
export async function releaseHeld (client: PoolClient | Pool, rows: Array<{ eventId: string, payloadJson: string }>, options: { notify?: boolean } = {}): Promise<string[]> {
  if (rows.length === 0) return []
  const update = `UPDATE outbox o SET payload = v.payload, held_until = NULL
                  FROM unnest($1::text[], $2::text[]) AS v(event_id, payload)
                  WHERE o.event_id = v.event_id AND o.held_until IS NOT NULL AND o.held_until > clock_timestamp()
                  RETURNING o.event_id`
  const values = [rows.map((r) => r.eventId), rows.map((r) => r.payloadJson)]
  const { rows: done } = await client.query<{ event_id: string }>(options.notify === false
    ? update
    : `WITH released AS (${update}) SELECT event_id, pg_notify('${NOTIFY_CHANNEL}', '') FROM released`, values)
  return done.map((r) => r.event_id)
}

/**
 * Ends the holds that have run out (their writer never released them): from now on the relay
 * publishes those rows as they stand, and releaseHeld no longer changes them. Both set held_until
 * to NULL under the row's lock, so exactly one of them wins.
 */
export async function claimExpiredHolds (client: PoolClient | Pool): Promise<number> {
  const { rowCount } = await client.query('UPDATE outbox SET held_until = NULL WHERE held_until IS NOT NULL AND held_until <= clock_timestamp()')
  return rowCount ?? 0
}

export interface RelayOptions {
  pool: Pool
  broker: Broker
  logger: Logger
  batchSize?: number
  pollMs?: number
  /**
   * Least time between the starts of two partial batches (ms, default 250), like Kafka's linger: under
   * load, events that committed meanwhile go in one SELECT, one produce and one UPDATE instead of
   * one each per commit. A batch costs the relay about 1.7 ms of CPU whatever its size (measured:
   * 4.2 ms for 50 events, 26.8 ms for 500). Adds at most this much to an event's way to the log,
   * never to an answer.
   */
  lingerMs?: number
  /** Least time between two claims of holds that ran out (ms, default 1000). */
  claimEveryMs?: number
  /** Called after Kafka acknowledged a batch and before the rows are marked (tests crash here). */
  afterPublish?: (ids: string[]) => Promise<void> | void
}

interface OutboxRow { id: string, topic: TopicKey, message_key: string, event_id: string, payload: string, headers: Record<string, string> }

/** Lock id of the relay: one active relay per database keeps the publish order total. */
const RELAY_LOCK = 7_246_772

export class OutboxRelay {
  private readonly opts: Required<Omit<RelayOptions, 'afterPublish'>> & Pick<RelayOptions, 'afterPublish'>
  private readonly lock: LeaderLock
  private running = false
  private readonly sleeper = new WakeableSleep()
  private loop: Promise<void> | null = null
  private lastClaim = -Infinity
  lastError: Error | null = null

  constructor (options: RelayOptions) {
    this.opts = { batchSize: 500, pollMs: 250, lingerMs: 250, claimEveryMs: 1000, ...options }
    this.lock = new LeaderLock({ pool: options.pool, lockId: RELAY_LOCK, channel: NOTIFY_CHANNEL, onNotify: () => this.sleeper.wake() })
  }

  get isLeader (): boolean { return this.lock.isLeader }

  /** Rows were committed (by this process, without a NOTIFY): publish them without waiting for a poll. */
  wake (): void { this.sleeper.wake() }

  start (): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  /** Publishes everything pending, then stops. */
  async stop (): Promise<void> {
    this.running = false
    this.sleeper.wake()
    await this.loop
    await this.lock.release()
  }

  private async run (): Promise<void> {
    let backoff = this.opts.pollMs
    let lastStart = -Infinity
    let full = false
    for (;;) {
      try {
        // After a full batch more is waiting: no linger then, only between partial batches.
        const wait = full ? 0 : lastStart + this.opts.lingerMs - performance.now()
        if (wait > 0 && this.running) await new Promise((resolve) => setTimeout(resolve, wait))
        const started = performance.now()
        full = false
        let published = 0
        if (await this.lock.acquire()) published = await this.publishBatch()
        // An empty poll coalesced nothing: the first event after a quiet spell goes at once.
        lastStart = published > 0 ? started : -Infinity
        this.lastError = null
        backoff = this.opts.pollMs
        full = published === this.opts.batchSize
        if (full) continue // more waiting: go on without sleeping
        // Stopping: drain, one more batch until a poll finds nothing (rows may have been
        // committed while the last batch was under way).
        if (!this.running) {
          if (published === 0) return
          continue
        }
        await this.sleeper.sleep(this.opts.pollMs)
      } catch (err) {
        this.lastError = err as Error
        this.opts.logger.warn({ err: { message: (err as Error).message } }, 'outbox relay: publish failed, will retry')
        if (!this.running) return
        this.lock.drop()
        await this.sleeper.sleep(backoff)
        backoff = Math.min(backoff * 2, 5000)
      }
    }
  }

  /** Publishes up to batchSize pending rows; returns how many. */
  async publishBatch (): Promise<number> {
    if (performance.now() - this.lastClaim >= this.opts.claimEveryMs) {
      await claimExpiredHolds(this.opts.pool)
      this.lastClaim = performance.now()
    }
    const { rows } = await this.opts.pool.query<OutboxRow>(
      'SELECT id, topic, message_key, event_id, payload, headers FROM outbox WHERE published_at IS NULL AND held_until IS NULL ORDER BY id LIMIT $1',
      [this.opts.batchSize])
    if (rows.length === 0) return 0
    const byTopic = new Map<TopicKey, OutboxRow[]>()
    for (const row of rows) {
      const list = byTopic.get(row.topic) ?? []
      list.push(row)
      byTopic.set(row.topic, list)
    }
    await this.opts.broker.sendBatch([...byTopic].map(([topic, list]) => ({
      topic,
      messages: list.map((r) => ({ key: r.message_key, value: r.payload, headers: { ...r.headers, 'event-id': r.event_id } }))
    })))
    const ids = rows.map((r) => r.id)
    await this.opts.afterPublish?.(ids)
    await this.opts.pool.query('UPDATE outbox SET published_at = now(), publish_count = publish_count + 1 WHERE id = ANY($1::bigint[])', [ids])
    return rows.length
  }

  /** Rows not yet acknowledged by Kafka (readiness and tests). */
  pending (): Promise<number> { return pendingOutboxRows(this.opts.pool) }
}

/** Outbox rows not yet acknowledged by Kafka, whichever relay publishes them. */
export async function pendingOutboxRows (pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')
  return Number(rows[0]!.n)
}

export const OUTBOX_MIGRATIONS = new URL('../migrations', import.meta.url).pathname
