// Evidence end to end (SPEC §7): a producer keeps each audit event in its outbox until the audit
// log has PROVEN that it holds it, and does not take the log's word for it. The reconciler asks
// the log for inclusion receipts, checks the checkpoint's Ed25519 signature with the log's public
// key, recomputes the leaf hash from its own copy of the event and checks the inclusion proof.
// Only then is the row marked proven (and, after its retention, pruned). An event the log does
// not hold is published again; one still missing after repeated tries raises an alarm; and while
// an alarm stands or the oldest unproven event is older than the allowed lag, `releasable` is
// false, so the gateway stops releasing personal data (fail closed).
//
//   outbox row ──relay──▶ Kafka ──▶ audit store ──▶ sequencer (leaf) ──▶ signed checkpoint
//       ▲                                                                      │
//       └────────── receipt: proof checked here ⇒ proven_at ◀──────────────────┘
//       (unknown after REPUBLISH ms ⇒ published again; after MAX_ATTEMPTS ⇒ alarm)
import type { Logger } from 'pino'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { eventLeafHash, verifyCheckpoint, verifyInclusion } from '@wams/transparency-log'
import receiptsSchema from '@wams/schemas/inclusion-receipts.schema.json' with { type: 'json' }
import type { InclusionReceipts } from '@wams/schemas'
import { LeaderLock } from './leader-lock.ts'
import { WakeableSleep } from './wakeable-sleep.ts'
import type { Pool } from './database.ts'

/** Asks the audit log about event ids (HTTP for other services, in process for the log itself). */
export type ReceiptSource = (eventIds: string[]) => Promise<InclusionReceipts>

const ajv = new Ajv2020({ allErrors: false, strict: false })
addFormats.default(ajv)
const validReceipts = ajv.compile<InclusionReceipts>(receiptsSchema)

/** POST {auditUrl}/v1/audit/receipts, bounded in time; an answer outside the contract is an error. */
export function httpReceiptSource (auditUrl: string, timeoutMs = 5000): ReceiptSource {
  const url = new URL('/v1/audit/receipts', auditUrl).toString()
  return async (eventIds) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ eventIds }),
      signal: AbortSignal.timeout(timeoutMs)
    })
    if (res.status !== 200) throw new Error(`the audit log answered ${res.status} to a receipts request`)
    const body: unknown = await res.json()
    if (!validReceipts(body)) throw new Error('the audit log\'s receipts do not follow the contract')
    return body
  }
}

export interface EvidenceOptions {
  pool: Pool
  logger: Logger
  receipts: ReceiptSource
  /** The log's C2SP verifier key (`<origin>+<hash>+<base64 Ed25519 key>`). */
  verifierKey: string
  /** The checkpoint origin the key signs for. */
  origin: string
  intervalMs: number
  /** An event the log does not hold this long after it was published is published again. */
  republishAfterMs: number
  /** After this many publications without proof: alarm. */
  maxAttempts: number
  /** The oldest unproven event may be this old before `releasable` turns false. */
  maxLagMs: number
  /** Proven rows (and published rows of other topics) are pruned after this. */
  retentionMs: number
  batchSize?: number
}

export interface EvidenceStatus {
  /** Audit events in the outbox not yet proven to be in the log. */
  unproven: number
  /** Age in ms of the oldest of them; null when there is none. */
  oldestUnprovenMs: number | null
  /** Events still missing after every retry (or that the log holds in another form). */
  alarmed: number
  /** Counters since start (this instance). */
  proven: number
  republished: number
  mismatches: number
  pruned: number
  lastError: string | null
  /** When this instance last completed a round (leader) or a status read (standby). */
  checkedAt: string | null
}

interface UnprovenRow { id: string, event_id: string, payload: string, publish_count: number, age_ms: string, alarmed: boolean }

const EVIDENCE_LOCK = 7_246_790
const PRUNE_EVERY_MS = 60_000
const MAX_BATCHES_PER_ROUND = 20

export class EvidenceReconciler {
  private readonly opts: Required<EvidenceOptions>
  private readonly lock: LeaderLock
  private running = false
  private loop: Promise<void> | null = null
  private readonly sleeper = new WakeableSleep()
  private lastPrune = 0
  private readonly counters = { proven: 0, republished: 0, mismatches: 0, pruned: 0 }
  private snapshot: { unproven: number, oldestAt: number | null, alarmed: number, checkedAt: number | null } =
    { unproven: 0, oldestAt: null, alarmed: 0, checkedAt: null }

  lastError: string | null = null

  constructor (options: EvidenceOptions) {
    this.opts = { batchSize: 500, ...options }
    this.lock = new LeaderLock({ pool: options.pool, lockId: EVIDENCE_LOCK, channel: 'wams_evidence', onNotify: () => {} })
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  async stop (): Promise<void> {
    this.running = false
    this.sleeper.wake()
    await this.loop
    await this.lock.release()
  }

  status (now = Date.now()): EvidenceStatus {
    const s = this.snapshot
    return {
      unproven: s.unproven,
      oldestUnprovenMs: s.oldestAt === null ? null : Math.max(0, now - s.oldestAt),
      alarmed: s.alarmed,
      ...this.counters,
      lastError: this.lastError,
      checkedAt: s.checkedAt === null ? null : new Date(s.checkedAt).toISOString()
    }
  }

  /**
   * May personal data leave now? No while an alarm stands or while the oldest unproven event is
   * older than the allowed lag: the log's evidence is then not keeping up with what is released.
   */
  get releasable (): boolean {
    const s = this.snapshot
    return s.alarmed === 0 && (s.oldestAt === null || Date.now() - s.oldestAt <= this.opts.maxLagMs)
  }

  private async run (): Promise<void> {
    while (this.running) {
      try {
        if (await this.lock.acquire()) await this.reconcile()
      } catch (err) {
        this.lock.drop()
        this.noteError(err)
      }
      // Always, also when the log could not be asked: an unreachable log must close the gate.
      try {
        await this.refreshStatus()
      } catch (err) {
        this.noteError(err)
      }
      await this.sleeper.sleep(this.opts.intervalMs)
    }
  }

  private noteError (err: unknown): void {
    const message = (err as Error).message
    // One line per change of trouble, not one per round.
    if (message !== this.lastError) this.opts.logger.warn({ err: { message } }, 'evidence: could not reconcile the outbox with the audit log; will retry')
    this.lastError = message
  }

  /** Reads what every instance reports: how much is unproven, how old, how much alarmed. */
  async refreshStatus (): Promise<EvidenceStatus> {
    const { rows } = await this.opts.pool.query<{ unproven: number, oldest: Date | null, alarmed: number }>({
      name: 'evidence-status',
      text: `SELECT count(*)::int AS unproven, min(created_at) AS oldest, count(*) FILTER (WHERE alarmed_at IS NOT NULL)::int AS alarmed
             FROM outbox WHERE topic = 'audit' AND proven_at IS NULL`
    })
    const r = rows[0]!
    this.snapshot = { unproven: r.unproven, oldestAt: r.oldest === null ? null : r.oldest.getTime(), alarmed: r.alarmed, checkedAt: Date.now() }
    return this.status()
  }

  /** One round of the leader: ask, verify, mark, re-send, alarm, prune. */
  async reconcile (): Promise<{ proven: number, pending: number, republished: number, alarmed: number }> {
    const total = { proven: 0, pending: 0, republished: 0, alarmed: 0 }
    let after = '0'
    for (let batch = 0; batch < MAX_BATCHES_PER_ROUND; batch++) {
      const { rows } = await this.opts.pool.query<UnprovenRow>({
        name: 'evidence-unproven',
        text: `SELECT id, event_id, payload, publish_count, (extract(epoch FROM now() - published_at) * 1000)::bigint AS age_ms,
                      alarmed_at IS NOT NULL AS alarmed
               FROM outbox WHERE topic = 'audit' AND proven_at IS NULL AND published_at IS NOT NULL AND id > $1
               ORDER BY id LIMIT $2`,
        values: [after, this.opts.batchSize]
      })
      if (rows.length === 0) break
      after = rows[rows.length - 1]!.id
      const step = await this.reconcileRows(rows)
      for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += step[k]
      if (rows.length < this.opts.batchSize) break
    }
    this.lastError = null
    if (Date.now() - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = Date.now()
      this.counters.pruned += await pruneOutbox(this.opts.pool, this.opts.retentionMs)
    }
    return total
  }

  private async reconcileRows (rows: UnprovenRow[]) {
    const byId = new Map(rows.map((r) => [r.event_id.toLowerCase(), r]))
    const answer = await this.opts.receipts([...byId.keys()])
    const proven: Array<{ row: UnprovenRow, leafIndex: number }> = []
    const mismatched: UnprovenRow[] = []
    if (answer.checkpoint !== null && answer.receipts.length > 0) {
      // The signature first: a receipt against a checkpoint the log did not sign proves nothing.
      const signed = verifyCheckpoint(answer.checkpoint.signedNote, this.opts.verifierKey, { origin: this.opts.origin })
      const root = Buffer.from(answer.checkpoint.rootHash, 'base64')
      if (signed.size !== answer.checkpoint.treeSize || !root.equals(signed.rootHash)) {
        throw new Error('the receipts\' checkpoint does not match its signed note')
      }
      for (const receipt of answer.receipts) {
        const row = byId.get(receipt.eventId.toLowerCase())
        if (!row) continue
        // The leaf as the log computes it (RFC 8785 of our own copy of the event), one definition for both.
        const ok = verifyInclusion(eventLeafHash(JSON.parse(row.payload) as object), receipt.leafIndex, signed.size,
          receipt.inclusionProof.map((h) => Buffer.from(h, 'base64')), signed.rootHash)
        if (ok) proven.push({ row, leafIndex: receipt.leafIndex })
        else mismatched.push(row)
      }
    }
    if (proven.length > 0) {
      await this.opts.pool.query({
        name: 'evidence-mark-proven',
        text: `UPDATE outbox o SET proven_at = now(), leaf_index = v.leaf, proven_tree_size = $3
               FROM unnest($1::bigint[], $2::bigint[]) AS v(id, leaf) WHERE o.id = v.id`,
        values: [proven.map((p) => p.row.id), proven.map((p) => p.leafIndex), answer.checkpoint!.treeSize]
      })
      this.counters.proven += proven.length
    }
    for (const row of mismatched) {
      // The log holds something else under this id, or its proof is wrong: never marked proven.
      this.counters.mismatches++
      this.opts.logger.error({ eventId: row.event_id }, 'evidence ALARM: the audit log\'s inclusion proof does not verify for this event')
    }
    // Not stored (lost on the way, or refused by the store): send again after the deadline.
    const missing = answer.unknown.map((id) => byId.get(id.toLowerCase())).filter((r): r is UnprovenRow => r !== undefined)
    const due = missing.filter((r) => Number(r.age_ms) >= this.opts.republishAfterMs)
    const alarm = [...due.filter((r) => r.publish_count >= this.opts.maxAttempts), ...mismatched].filter((r) => !r.alarmed)
    if (due.length > 0) {
      // published_at NULL hands the row back to the relay, which sends it with the same event id.
      await this.opts.pool.query({
        name: 'evidence-republish',
        text: `WITH again AS (UPDATE outbox SET published_at = NULL WHERE id = ANY($1::bigint[]) RETURNING 1)
               SELECT pg_notify('wams_outbox', '')`,
        values: [due.map((r) => r.id)]
      })
      this.counters.republished += due.length
    }
    if (alarm.length > 0) {
      await this.opts.pool.query('UPDATE outbox SET alarmed_at = now() WHERE id = ANY($1::bigint[]) AND alarmed_at IS NULL', [alarm.map((r) => r.id)])
      for (const r of alarm) {
        // The event id and the count only: the payload may describe a person.
        this.opts.logger.error({ eventId: r.event_id, attempts: r.publish_count },
          'evidence ALARM: the audit log still does not hold this event after repeated publication')
      }
    }
    return { proven: proven.length, pending: answer.pending.length, republished: due.length, alarmed: alarm.length }
  }
}

/**
 * Deletes outbox rows that are no longer needed: audit events proven to be in the log, other
 * messages published, each older than `olderThanMs`. An unproven audit event is never pruned.
 */
export async function pruneOutbox (pool: Pool, olderThanMs: number): Promise<number> {
  const { rowCount } = await pool.query(
    `DELETE FROM outbox WHERE (topic = 'audit' AND proven_at < now() - ($1::bigint * interval '1 millisecond'))
       OR (topic <> 'audit' AND published_at < now() - ($1::bigint * interval '1 millisecond'))`, [olderThanMs])
  return rowCount ?? 0
}
