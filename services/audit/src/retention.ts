// Retention (AUDIT_RETENTION_DAYS): after the period, an event's content is dropped, together with
// its subject pseudonym, but its leaf hash, leaf index, time and ids stay. The tree is built from
// leaf hashes, so every checkpoint and every proof stays valid; the API shows `event: null` with
// the leaf hash ("replaced by its hash", as Trillian's design notes put it). Rejected messages
// lose their raw bytes on the same schedule.
import type { Pool } from '@wams/platform'

export interface PurgeResult { events: number, rejectedMessages: number }

const BATCH = 5000

export async function purgeExpired (pool: Pool, options: { now: Date, retentionDays: number }): Promise<PurgeResult> {
  const cutoff = new Date(options.now.getTime() - options.retentionDays * 24 * 3600 * 1000)
  let events = 0
  // Small batches: short row locks, and the sequencer and the store are never held up for long.
  for (;;) {
    const { rowCount } = await pool.query(
      `UPDATE audit_events SET event = NULL, subject_ref = NULL, purged_at = $2
       WHERE seq IN (SELECT seq FROM audit_events WHERE purged_at IS NULL AND time < $1 LIMIT ${BATCH})`, [cutoff, options.now])
    events += rowCount ?? 0
    if ((rowCount ?? 0) < BATCH) break
  }
  const rejected = await pool.query(
    'UPDATE rejected_messages SET value = NULL, message_key = NULL WHERE received_at < $1 AND value IS NOT NULL', [cutoff])
  return { events, rejectedMessages: rejected.rowCount ?? 0 }
}
