// Group commit of audit events (issue 13): concurrent callers share one multi-row INSERT into the
// outbox, a statement of its own and so one commit. Each caller's promise settles only with the
// commit of the batch that holds its events: resolved when they are durable, rejected when that
// batch failed (then none of its rows exists, and every caller in it fails closed). What a batch
// holds: whatever arrived before it started, at most `maxEvents`; a batch starts on the next turn
// of the event loop after the first event arrived (setImmediate, no timer to wait for) when fewer
// than `maxInFlight` batches are being written, else as soon as one of them is done.
import type { Pool } from './database.ts'
import { appendToOutbox } from './outbox.ts'
import { auditOutboxEvents, type AuditEvent } from './audit-event.ts'
import type { OutboxEvent } from './outbox.ts'

export interface AuditBatcherOptions {
  pool: Pool
  /** Events per INSERT at most (5 parameters each; PostgreSQL takes 65,535). Default 256. */
  maxEvents?: number
  /** Batches written at once, each on its own connection. Default 1: the fewest, largest commits. */
  maxInFlight?: number
  /**
   * Longest wait for a place in a batch (ms; default 5000, the pool's wait for a connection): a
   * caller still queued then is refused, as it would be without a free connection. Once its batch
   * is being written it waits for that batch's outcome.
   */
  maxQueueMs?: number
  /**
   * This process's outbox relay. While it leads, a batch wakes it in process after the commit
   * instead of by a NOTIFY through PostgreSQL (one message and one wake-up less per commit); a
   * relay of another instance that leads is notified as before.
   */
  relay?: { readonly isLeader: boolean, wake: () => void }
}

interface Waiter { events: OutboxEvent[], resolve: () => void, reject: (err: Error) => void, timer?: NodeJS.Timeout }

export class AuditQueueTimeoutError extends Error {
  constructor (ms: number) { super(`no audit batch took the events within ${ms} ms`) }
}

export class AuditBatcher {
  private readonly pool: Pool
  private readonly maxEvents: number
  private readonly maxInFlight: number
  private readonly maxQueueMs: number
  private readonly relay: AuditBatcherOptions['relay']
  private queue: Waiter[] = []
  private queued = 0
  private inFlight = 0
  private scheduled = false
  private closed = false
  private readonly idle: Array<() => void> = []
  /** Batches written (committed or failed) and events in them, for tests and the bench. */
  readonly stats = { batches: 0, events: 0, failed: 0, timedOut: 0 }

  constructor (options: AuditBatcherOptions) {
    this.pool = options.pool
    this.maxEvents = Math.min(options.maxEvents ?? 256, 13_000)
    this.maxInFlight = options.maxInFlight ?? 1
    this.maxQueueMs = options.maxQueueMs ?? 5000
    this.relay = options.relay
    if (this.maxEvents < 1 || this.maxInFlight < 1) throw new RangeError('maxEvents and maxInFlight must be at least 1')
  }

  /**
   * Writes the events to the outbox in the next batch; resolves once that batch is committed.
   * Invalid events reject this call alone (synchronously checked, as recordAudit does), never the batch.
   */
  record (events: AuditEvent[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('audit batcher closed'))
    let rows: OutboxEvent[]
    try {
      rows = auditOutboxEvents(events)
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
    if (rows.length === 0) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { events: rows, resolve, reject }
      waiter.timer = this.deadline(waiter)
      this.queue.push(waiter)
      this.queued += events.length
      this.schedule()
    })
  }

  private deadline (waiter: Waiter): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const at = this.queue.indexOf(waiter)
      if (at < 0) return
      this.queue.splice(at, 1)
      this.queued -= waiter.events.length
      this.stats.timedOut++
      waiter.reject(new AuditQueueTimeoutError(this.maxQueueMs))
      if (this.queue.length === 0 && this.inFlight === 0) for (const done of this.idle.splice(0)) done()
    }, this.maxQueueMs)
    timer.unref()
    return timer
  }

  /** Writes what is queued, waits for every batch, then refuses new events. */
  async close (): Promise<void> {
    this.closed = true
    this.schedule()
    if (this.queue.length === 0 && this.inFlight === 0) return
    await new Promise<void>((resolve) => this.idle.push(resolve))
  }

  private schedule (): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.maxInFlight) return
    this.scheduled = true
    // A full batch goes now; otherwise those who arrive in this turn of the event loop join it.
    if (this.queued >= this.maxEvents) queueMicrotask(() => this.flush())
    else setImmediate(() => this.flush())
  }

  private flush (): void {
    this.scheduled = false
    if (this.queue.length === 0 || this.inFlight >= this.maxInFlight) return
    const batch: Waiter[] = []
    let n = 0
    // A caller's events stay together; the first caller goes even when it alone is over maxEvents.
    while (this.queue.length > 0 && (batch.length === 0 || n + this.queue[0]!.events.length <= this.maxEvents)) {
      const w = this.queue.shift()!
      if (w.timer) clearTimeout(w.timer)
      batch.push(w)
      n += w.events.length
    }
    this.queued -= n
    this.inFlight++
    void this.write(batch, n)
    this.schedule() // more than one batch waiting and a free slot: the next one too
  }

  private async write (batch: Waiter[], n: number): Promise<void> {
    const events = batch.flatMap((w) => w.events)
    try {
      // One statement outside an explicit transaction: its own commit, all rows or none.
      const local = this.relay?.isLeader === true
      await appendToOutbox(this.pool, events, { notify: !local })
      if (local) this.relay!.wake()
      this.stats.batches++
      this.stats.events += n
      for (const w of batch) w.resolve()
    } catch (err) {
      this.stats.batches++
      this.stats.failed++
      for (const w of batch) w.reject(err as Error)
    } finally {
      this.inFlight--
      this.schedule()
      if (this.queue.length === 0 && this.inFlight === 0) for (const done of this.idle.splice(0)) done()
    }
  }
}
