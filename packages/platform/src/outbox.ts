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
}

const NOTIFY_CHANNEL = 'wams_outbox'

export async function appendToOutbox (client: PoolClient | Pool, events: OutboxEvent[], options: { notify?: boolean } = {}): Promise<void> {
  if (events.length === 0) return
  const values: unknown[] = []
  const rows = events.map((e, i) => {
    values.push(e.topic, e.key, e.eventId, e.payloadJson ?? JSON.stringify(e.payload), JSON.stringify(e.headers ?? {}))
    const b = i * 5
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::jsonb)`
  })
  const insert = `INSERT INTO outbox (topic, message_key, event_id, payload, headers) VALUES ${rows.join(', ')}`
  // One round trip: the insert and the relay's wake-up (delivered at commit) in one statement.
  // Without notify the caller wakes a relay itself (AuditBatcher, when this instance's relay leads).
  await client.query(options.notify === false ? insert : `WITH added AS (${insert} RETURNING 1) SELECT pg_notify('${NOTIFY_CHANNEL}', '')`, values)
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
  lastError: Error | null = null

  constructor (options: RelayOptions) {
    this.opts = { batchSize: 500, pollMs: 250, lingerMs: 250, ...options }
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
    const { rows } = await this.opts.pool.query<OutboxRow>(
      'SELECT id, topic, message_key, event_id, payload, headers FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1',
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
