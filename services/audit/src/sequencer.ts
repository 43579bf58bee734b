// The sequencer: the one instance at a time (the holder of a PostgreSQL session advisory lock)
// that signs the periodic checkpoints and runs the retention purge. The others stand by and
// retry the lock, so when the leader dies (its session ends, the lock is released) another takes
// over within a poll interval. Every instance appends what it stores to the ONE Merkle tree in
// the store's own transaction (store.ts, tree-appender.ts) while its sequencer runs; the leader
// appends, in store order, what was stored without a leaf index (while an instance's sequencer was
// stopped, or by an instance of an earlier version). Correctness does not depend on the election:
// every append locks the tree_head row and appends at the size it reads there, so no two
// appenders can fork or skip the tree.
import type { Logger } from 'pino'
import { LeaderLock, WakeableSleep, inTransaction, type Pool } from '@wams/platform'
import { putNodes } from './pg-node-store.ts'
import { SEQUENCED_CHANNEL, STORED_CHANNEL, TreeAppender, type PlannedAppend } from './tree-appender.ts'
import type { Checkpointer } from './checkpointer.ts'

export { SEQUENCED_CHANNEL }
const SEQUENCER_LOCK = 7_246_781

export interface SequencerOptions {
  pool: Pool
  logger: Logger
  checkpointer: Checkpointer
  checkpointIntervalMs: number
  /** The retention purge and how often it runs (leader only). */
  purge: () => Promise<unknown>
  purgeIntervalMs: number
  /** The instance's appender, shared with its store (one cached range); one of its own by default. */
  tree?: TreeAppender
  /** Leaves appended per transaction. */
  batchSize?: number
  /** How often a standby instance tries to take over. */
  standbyPollMs?: number
}

export class Sequencer {
  private readonly opts: Required<SequencerOptions>
  private readonly lock: LeaderLock
  private running = false
  private loop: Promise<void> | null = null
  /** Woken by a store notification; one that arrives while busy makes the next sleep return at once. */
  private readonly sleeper = new WakeableSleep()
  private lastCheckpoint = 0
  private lastPurge = 0

  constructor (options: SequencerOptions) {
    this.opts = { batchSize: 2000, standbyPollMs: Math.min(1000, options.checkpointIntervalMs), tree: new TreeAppender(), ...options }
    this.lock = new LeaderLock({
      pool: options.pool,
      lockId: SEQUENCER_LOCK,
      channel: STORED_CHANNEL,
      onNotify: () => this.sleeper.wake(),
      onLead: () => {
        this.lastCheckpoint = 0
        this.opts.logger.info('audit: this instance is the sequencer now')
      },
      onLost: () => this.opts.logger.warn('audit: lost the sequencer lock connection; standing by')
    })
  }

  get isLeader (): boolean { return this.lock.isLeader }

  start (): void {
    if (this.running) return
    this.running = true
    this.opts.tree.resume()
    this.loop = this.run()
  }

  /** Finishes the append in hand, then releases the lock so a standby takes over at once. */
  async stop (): Promise<void> {
    this.running = false
    this.opts.tree.pause()
    this.sleeper.wake()
    await this.loop
    await this.lock.release()
  }

  /** Appends up to one batch of stored events without a leaf index, in store order; returns how many. */
  async sequenceBatch (): Promise<number> {
    const tree = this.opts.tree
    let plan: PlannedAppend | null = null
    try {
      const count = await inTransaction(this.opts.pool, async (client) => {
        const head = await tree.lockHead(client)
        const { rows } = await client.query<{ seq: string, leaf_hash: Buffer }>({
          name: 'audit-unsequenced',
          text: 'SELECT seq, leaf_hash FROM audit_events WHERE leaf_index IS NULL ORDER BY seq LIMIT $1',
          values: [this.opts.batchSize]
        })
        if (rows.length === 0) return 0
        const next = plan = await tree.plan(client, head, rows.map((r) => r.leaf_hash))
        await client.query({
          name: 'audit-assign-leaves',
          text: 'UPDATE audit_events e SET leaf_index = v.idx FROM unnest($1::bigint[], $2::bigint[]) AS v(seq, idx) WHERE e.seq = v.seq',
          values: [rows.map((r) => r.seq), rows.map((_, i) => next.size + i)]
        })
        await putNodes(client, next.nodes)
        await client.query('UPDATE tree_head SET size = $1, root_hash = $2, updated_at = now() WHERE id = 1', [next.newSize, next.rootHash])
        await client.query('SELECT pg_notify($1, $2)', [SEQUENCED_CHANNEL, String(next.newSize)])
        return rows.length
      })
      ;(plan as PlannedAppend | null)?.committed()
      return count
    } catch (err) {
      tree.forget() // the database is the truth: read the range again next time
      throw err
    }
  }

  private async run (): Promise<void> {
    let backoff = 100
    while (this.running) {
      try {
        if (!await this.lock.acquire()) {
          await this.sleeper.sleep(this.opts.standbyPollMs)
          continue
        }
        while (this.running && await this.sequenceBatch() === this.opts.batchSize);
        const now = Date.now()
        if (now - this.lastCheckpoint >= this.opts.checkpointIntervalMs) {
          this.lastCheckpoint = now
          await this.opts.checkpointer.checkpoint() // a no-op when the tree did not grow
        }
        if (now - this.lastPurge >= this.opts.purgeIntervalMs) {
          this.lastPurge = now
          await this.opts.purge()
        }
        backoff = 100
        // Woken early when events were stored without a leaf index; otherwise at the next checkpoint time.
        await this.sleeper.sleep(this.lastCheckpoint + this.opts.checkpointIntervalMs - Date.now())
      } catch (err) {
        this.opts.logger.error({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'audit: sequencer step failed; will retry')
        this.lock.drop()
        await this.sleeper.sleep(backoff)
        backoff = Math.min(backoff * 2, 5000)
      }
    }
  }
}
