// Group commit of audit events (issue 13): concurrent callers share one multi-row INSERT into the
// outbox, a statement of its own and so one commit (group-commit.ts). Each caller's promise settles
// only with the commit of the batch that holds its events: resolved when they are durable, rejected
// when that batch failed (then none of its rows exists, and every caller in it fails closed).
// Provisional records (record with holdMs) go the same way; their final versions (release) share
// one UPDATE per batch likewise.
import type { Pool } from './database.ts'
import { appendToOutbox, OUTBOX_PARAMETERS, releaseHeld, type OutboxEvent } from './outbox.ts'
import { auditEventJson, auditOutboxEvents, type AuditEvent } from './audit-event.ts'
import { GroupCommit } from './group-commit.ts'

export interface AuditBatcherOptions {
  pool: Pool
  /** Events per INSERT at most (OUTBOX_PARAMETERS each; PostgreSQL takes 65,535). Default 256. */
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

/** Most events in one INSERT: PostgreSQL's limit of bind parameters per statement. */
export const MAX_AUDIT_BATCH = Math.floor(65_535 / OUTBOX_PARAMETERS)

export class AuditBatcher {
  private readonly pool: Pool
  private readonly relay: AuditBatcherOptions['relay']
  private readonly inserts: GroupCommit<OutboxEvent>
  private readonly releases: GroupCommit<{ eventId: string, payloadJson: string }>
  private readonly released = new Set<string>()

  constructor (options: AuditBatcherOptions) {
    this.pool = options.pool
    this.relay = options.relay
    const common = {
      maxRows: Math.min(options.maxEvents ?? 256, MAX_AUDIT_BATCH),
      maxInFlight: options.maxInFlight ?? 1,
      maxQueueMs: options.maxQueueMs ?? 5000
    }
    this.inserts = new GroupCommit({ ...common, write: (rows) => this.insert(rows) })
    this.releases = new GroupCommit({ ...common, write: (rows) => this.replace(rows) })
  }

  /** Batches of inserts written (committed or failed) and events in them, for tests and the bench. */
  get stats () {
    const s = this.inserts.stats
    return { batches: s.batches, events: s.rows, failed: s.failed, timedOut: s.timedOut }
  }

  /**
   * Writes the events to the outbox in the next batch; resolves once that batch is committed.
   * Invalid events reject this call alone (synchronously checked, as recordAudit does), never the
   * batch. `holdMs`: provisional records, held back from the relay until released.
   */
  record (events: AuditEvent[], options: { holdMs?: number } = {}): Promise<void> {
    let rows: OutboxEvent[]
    try {
      rows = auditOutboxEvents(events, options.holdMs)
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)))
    }
    return this.inserts.add(rows)
  }

  /**
   * Replaces held provisional records with these final ones (the same event ids) in the next
   * batch of releases. Resolves with the ids it did not replace because their hold had run out
   * (the relay publishes those as they stood).
   */
  async release (events: AuditEvent[]): Promise<string[]> {
    const rows = events.map((e) => ({ eventId: e.eventId, payloadJson: auditEventJson(e) }))
    await this.releases.add(rows)
    const late = rows.filter((r) => !this.released.delete(r.eventId)).map((r) => r.eventId)
    return late
  }

  /** Writes what is queued, waits for every batch, then refuses new events. */
  async close (): Promise<void> {
    await this.inserts.close()
    await this.releases.close()
  }

  private async insert (rows: OutboxEvent[]): Promise<void> {
    // One statement outside an explicit transaction: its own commit, all rows or none.
    const local = this.relay?.isLeader === true
    await appendToOutbox(this.pool, rows, { notify: !local })
    if (local) this.relay!.wake()
  }

  private async replace (rows: Array<{ eventId: string, payloadJson: string }>): Promise<void> {
    const local = this.relay?.isLeader === true
    const done = await releaseHeld(this.pool, rows, { notify: !local })
    for (const id of done) this.released.add(id)
    if (local && done.length > 0) this.relay!.wake()
  }
}
