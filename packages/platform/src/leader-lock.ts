// Leadership by PostgreSQL session advisory lock, on one dedicated connection that also LISTENs
// for the wake-up of its channel. Whoever holds the lock does the single-writer work (the outbox
// relay, the audit sequencer); the others retry. When the connection drops, so does the lock, and
// a standby takes over.
import type { Pool, PoolClient } from './database.ts'

export interface LeaderLockOptions {
  pool: Pool
  lockId: number
  /** NOTIFY channel whose messages wake the leader. */
  channel: string
  /** Called on a notification while this instance leads. */
  onNotify: () => void
  /** Called when this instance becomes the leader, and when it loses the connection while leading. */
  onLead?: () => void
  onLost?: () => void
}

export class LeaderLock {
  private client: PoolClient | null = null
  private leading = false

  constructor (private readonly opts: LeaderLockOptions) {}

  get isLeader (): boolean { return this.leading }

  /** Connects and listens if needed, tries the lock if not yet held; true while this instance leads. */
  async acquire (): Promise<boolean> {
    if (!this.client) {
      const client = await this.opts.pool.connect()
      client.on('notification', () => { if (this.leading) this.opts.onNotify() })
      client.on('error', () => this.drop())
      this.client = client
      await client.query(`LISTEN ${this.opts.channel}`)
    }
    if (!this.leading) {
      // The local copy: drop() may have cleared this.client while the LISTEN was under way.
      const client = this.client
      if (!client) return false
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [this.opts.lockId])
      this.leading = rows[0]!.ok
      if (this.leading) this.opts.onLead?.()
    }
    return this.leading
  }

  /** Forgets a broken connection (its lock went with it); the next acquire starts afresh. */
  drop (): void {
    const client = this.client
    this.client = null
    if (this.leading) this.opts.onLost?.()
    this.leading = false
    try { client?.release(true) } catch {}
  }

  /** Gives the lock up at once, so a standby takes over without waiting for a timeout. */
  async release (): Promise<void> {
    const client = this.client
    this.client = null
    this.leading = false
    if (client) {
      await client.query('SELECT pg_advisory_unlock_all()').catch(() => {})
      client.release()
    }
  }
}
