// Case-state leases (issue 13): how gateway instances may keep case states in memory and still
// see every change that was acknowledged before a decision began (SPEC §6, read-after-write).
//
//  - Every change of a case's decision state numbers one row of case_changes in the same
//    transaction, in commit order (recordCaseChange), and notifies the ledger instances.
//  - A gateway instance holds a lease by polling (poll): each poll says up to which change it has
//    dropped its copies (ackedSeq) and renews its lease for `leaseMs` from the moment the database
//    received it; the answer, held until there is news or `holdMs` passed, names the cases changed
//    since. The gateway counts its lease from when it *sent* the poll, less a margin, so it stops
//    using its copies before the ledger stops waiting for it.
//  - A writer answers its caller only after every live lease has confirmed the change
//    (awaitConfirmed), or has run out. So a change is acknowledged only when no gateway instance
//    can still decide on the state before it: with any number of gateway and ledger instances, and
//    when a gateway instance is unreachable (its lease runs out; the write waits at most leaseMs).
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import type { Pool, PoolClient } from '@wams/platform'

const CHANNEL = 'wams_case_changes'
// Transaction advisory lock that numbers changes in commit order (distinct from the platform's ids).
const CHANGE_ORDER_LOCK = 7_246_913
/** At most this many changed cases in one answer; a gateway further behind drops every copy. */
const MAX_CHANGES = 1000
/** Changes and dead leases older than this are pruned (a gateway that far behind is told to reset). */
const KEEP_MS = 60 * 60 * 1000

/** In the writer's transaction, after its change: numbers it in commit order and tells the ledger instances. */
export async function recordCaseChange (client: PoolClient, caseId: string): Promise<number> {
  // Held until commit: no change commits before a lower-numbered one, so a gateway that confirmed
  // seq N has seen every change up to N.
  await client.query({ name: 'case-change-lock', text: 'SELECT pg_advisory_xact_lock($1)', values: [CHANGE_ORDER_LOCK] })
  const { rows } = await client.query<{ seq: string }>({
    name: 'case-change-insert',
    text: 'INSERT INTO case_changes (seq, case_id) SELECT coalesce(max(seq), 0) + 1, $1 FROM case_changes RETURNING seq',
    values: [caseId]
  })
  const seq = rows[0]!.seq
  await client.query({ name: 'case-change-notify', text: `SELECT pg_notify('${CHANNEL}', $1)`, values: [seq] })
  return Number(seq)
}

export interface LeaseAnswer {
  /** The newest change this answer covers: confirm it with the next poll. */
  seq: number
  /** Cases changed after the poll's ackedSeq (distinct). */
  caseIds: string[]
  /** True when the gateway is too far behind to be told case by case: drop every copy. */
  reset: boolean
  /** How long the lease runs from when the poll was received. */
  leaseMs: number
}

export interface CaseStateLeasesOptions {
  pool: Pool
  leaseMs: number
  /** Longest an answer without news is held. */
  holdMs: number
  log: Logger
}

export class CaseStateLeases {
  private readonly waiters = new Set<{ after: number, wake: () => void }>()
  private listener: PoolClient | null = null
  private listening: Promise<void> | null = null
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private lastPrune = 0

  constructor (private readonly opts: CaseStateLeasesOptions) {}

  get leaseMs (): number { return this.opts.leaseMs }

  /** A gateway instance's poll: renews its lease, confirms ackedSeq, answers what changed after it. */
  async poll (instanceId: string, ackedSeq: number | null, signal?: AbortSignal): Promise<LeaseAnswer> {
    const { pool, leaseMs } = this.opts
    // A new instance holds no copies: it confirms everything up to now.
    const { rows } = await pool.query<{ acked: string, oldest: string | null }>({
      name: 'lease-renew',
      text: `INSERT INTO case_state_leases (instance_id, acked_seq, expires_at)
             VALUES ($1, coalesce($2, (SELECT max(seq) FROM case_changes), 0), now() + $3 * interval '1 millisecond')
             ON CONFLICT (instance_id) DO UPDATE SET acked_seq = excluded.acked_seq, expires_at = excluded.expires_at
             RETURNING acked_seq AS acked, (SELECT min(seq) FROM case_changes) AS oldest`,
      values: [instanceId, ackedSeq, leaseMs]
    })
    const acked = Number(rows[0]!.acked)
    const base = { seq: acked, caseIds: [], reset: false, leaseMs }
    if (ackedSeq === null) return base
    // Pruned past what it confirmed: it cannot be told case by case.
    if (rows[0]!.oldest !== null && acked < Number(rows[0]!.oldest) - 1) return { ...base, seq: await this.newest(), reset: true }
    await this.waitForNews(acked, signal)
    const changes = await pool.query<{ seq: string, case_id: string }>({
      name: 'lease-changes',
      text: 'SELECT seq, case_id FROM case_changes WHERE seq > $1 ORDER BY seq LIMIT $2',
      values: [acked, MAX_CHANGES + 1]
    })
    if (changes.rows.length > MAX_CHANGES) return { ...base, seq: await this.newest(), reset: true }
    const last = changes.rows.at(-1)
    return { ...base, seq: last ? Number(last.seq) : acked, caseIds: [...new Set(changes.rows.map((r) => r.case_id))] }
  }

  /**
   * After a change with number `seq` committed: resolves once no live lease has yet to confirm it.
   * Bounded by the lease time: a gateway that does not confirm loses its lease, and with it the
   * right to use its copies, within leaseMs of its last poll.
   */
  async awaitConfirmed (seq: number): Promise<void> {
    const deadline = Date.now() + this.opts.leaseMs * 2 + 1000
    let pause = 2
    for (;;) {
      try {
        const { rows } = await this.opts.pool.query<{ n: number }>({
          name: 'lease-pending',
          text: 'SELECT count(*)::int AS n FROM case_state_leases WHERE acked_seq < $1 AND expires_at > now()',
          values: [seq]
        })
        if (rows[0]!.n === 0) return
      } catch (err) {
        // Cannot see the leases: wait them out, every one runs out within leaseMs.
        this.opts.log.warn({ err: { message: (err as Error).message }, seq }, 'case-state leases unreadable; waiting a whole lease before acknowledging')
        await sleep(this.opts.leaseMs)
        return
      }
      if (Date.now() > deadline) {
        // A lease renewed without confirming: a gateway that does not follow the protocol.
        this.opts.log.error({ seq }, 'a gateway lease renewed without confirming a change; acknowledging after two lease times')
        return
      }
      await sleep(pause)
      pause = Math.min(pause * 2, 20)
    }
  }

  async start (): Promise<void> {
    // The notification wakes held polls at once; this tick is the fallback for a lost listener.
    this.timer = setInterval(() => { void this.tick() }, 250)
    this.timer.unref()
    await this.listen().catch((err) => {
      this.opts.log.warn({ err: { message: (err as Error).message } }, 'case-state leases: LISTEN failed; polling instead')
    })
  }

  async close (): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    for (const w of [...this.waiters]) w.wake()
    await this.listening?.catch(() => {})
    const listener = this.listener
    this.listener = null
    if (listener) {
      await listener.query(`UNLISTEN ${CHANNEL}`).catch(() => {})
      try { listener.release() } catch {} // already released by its error handler
    }
  }

  private async newest (): Promise<number> {
    const { rows } = await this.opts.pool.query<{ seq: string | null }>('SELECT max(seq) AS seq FROM case_changes')
    return Number(rows[0]!.seq ?? 0)
  }

  /** Resolves when a change after `after` exists, or after holdMs (the lease is renewed either way). */
  private async waitForNews (after: number, signal?: AbortSignal): Promise<void> {
    if (this.stopped) return
    let wake = () => {}
    const woken = new Promise<void>((resolve) => { wake = resolve })
    const waiter = { after, wake }
    const timer = setTimeout(wake, this.opts.holdMs)
    const onAbort = () => wake()
    signal?.addEventListener('abort', onAbort, { once: true })
    // Registered before looking: a change committed while we look wakes it through tick().
    this.waiters.add(waiter)
    try {
      if ((await this.newest()) > after) return
      await woken
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      this.waiters.delete(waiter)
    }
  }

  /** Wakes the held polls that have news; now and then prunes old changes and dead leases. */
  private async tick (): Promise<void> {
    if (this.stopped) return
    try {
      if (!this.listener) await this.listen()
      if (Date.now() - this.lastPrune > 60_000) {
        this.lastPrune = Date.now()
        await this.prune()
      }
      if (this.waiters.size === 0) return
      const newest = await this.newest()
      for (const w of this.waiters) if (newest > w.after) w.wake()
    } catch (err) {
      this.opts.log.warn({ err: { message: (err as Error).message } }, 'case-state leases: tick failed')
    }
  }

  private async prune (): Promise<void> {
    // The newest change always stays: it is the number a new or reset gateway starts from.
    await this.opts.pool.query(`DELETE FROM case_changes WHERE changed_at < now() - $1 * interval '1 millisecond'
                                 AND seq < (SELECT max(seq) FROM case_changes)`, [KEEP_MS])
    await this.opts.pool.query('DELETE FROM case_state_leases WHERE expires_at < now() - $1 * interval \'1 millisecond\'', [KEEP_MS])
  }

  /** One LISTEN connection at a time: a tick must not open a second while the first is connecting. */
  private listen (): Promise<void> {
    this.listening ??= this.connectListener().finally(() => { this.listening = null })
    return this.listening
  }

  private async connectListener (): Promise<void> {
    if (this.stopped || this.listener) return
    const client = await this.opts.pool.connect()
    client.on('notification', () => { void this.tick() })
    client.on('error', () => {
      if (this.listener === client) this.listener = null
      try { client.release(true) } catch {}
    })
    try {
      await client.query(`LISTEN ${CHANNEL}`)
    } catch (err) {
      try { client.release(true) } catch {}
      throw err
    }
    // Closed meanwhile: the pool must get every connection back, or it never ends.
    if (this.stopped) { client.release(); return }
    this.listener = client
  }
}
