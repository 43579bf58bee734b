// The retention purge (bewaartermijn). When a case has been closed longer than the retention
// period, its personal data go: the content of every ledger event is nulled (the database allows
// exactly that, and only in a transaction that says SET LOCAL wams.purge = 'on'), and the
// projection keeps pseudonyms, domains, parties, times and versions but no BSNs and no words.
// The hashes stay, so the chain still verifies; the audit log records the purge.
import { randomUUID } from 'node:crypto'
import {
  appendToOutbox, buildAuditEvent, inTransaction, parseTraceparent, recordAudit, type Pool
} from '@wams/platform'
import { withoutPersonalData, type LedgerCaseState } from './case-state.ts'
import { recordCaseChange } from './case-state-leases.ts'

export const DAY_MS = 24 * 60 * 60 * 1000

export interface PurgeOptions {
  /** Days after closing that a case's personal data are kept (config RETENTION_DAYS, default 1825). */
  retentionDays: number
}

export interface PurgeResult { purged: string[] }

/**
 * Purges every case closed at or before `now` − retention whose data are still there. One case
 * per transaction; cases locked by another instance's purge are skipped (SKIP LOCKED), so several
 * instances can run this at once.
 */
export async function purgeExpired (pool: Pool, now: Date, options: PurgeOptions): Promise<PurgeResult> {
  const cutoff = new Date(now.getTime() - options.retentionDays * DAY_MS)
  const purged: string[] = []
  for (;;) {
    const caseId = await inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ case_id: string, version: number, state: LedgerCaseState }>(
        `SELECT case_id, version, state FROM cases
          WHERE closed_at IS NOT NULL AND purged_at IS NULL AND closed_at <= $1
          ORDER BY closed_at LIMIT 1 FOR UPDATE SKIP LOCKED`, [cutoff])
      const row = rows[0]
      if (!row) return null
      await client.query('SET LOCAL wams.purge = \'on\'')
      const events = await client.query(
        'UPDATE case_events SET content = NULL, purged_at = $2 WHERE case_id = $1 AND content IS NOT NULL', [row.case_id, now])
      const purgedAt = now.toISOString()
      const transactionId = randomUUID()
      const trace = parseTraceparent(undefined)
      await client.query('UPDATE cases SET state = $2, purged_at = $3 WHERE case_id = $1',
        [row.case_id, JSON.stringify(withoutPersonalData(row.state, purgedAt)), now])
      // Gateways drop their copy of the case (nobody waits for it: nobody is answered "done").
      await recordCaseChange(client, row.case_id)
      await appendToOutbox(client, [{
        topic: 'cases',
        key: row.case_id,
        eventId: randomUUID(),
        payload: { caseId: row.case_id, version: row.version, type: 'case.purged', recordedAt: purgedAt }
      }])
      // One audit event per person of the case (SPEC §6 Audit): each person's report shows the purge.
      await recordAudit(client, row.state.subjects.map((subject) => buildAuditEvent({
        type: 'case.event',
        source: 'consent-ledger',
        transactionId,
        actor: { org: null, sub: 'consent-ledger/retention', roles: [], partyType: null },
        processingActivity: { id: 'wams.case.purged', version: '1' },
        legalBasis: 'AVG art. 5 lid 1 sub e (opslagbeperking): bewaartermijn verstreken',
        caseId: row.case_id,
        subjectRef: subject.subjectRef,
        outcome: 'recorded',
        detail: {
          eventType: 'case.purged',
          version: row.version,
          purgedEvents: events.rowCount ?? 0,
          retentionDays: options.retentionDays,
          route: row.state.route,
          clientInformed: row.state.clientInformed,
          subjectRole: subject.role
        }
      }, trace, now)))
      return row.case_id
    })
    if (caseId === null) return { purged }
    purged.push(caseId)
  }
}

/** Runs the purge every `intervalMs` (one run at a time); returns a stop function that waits for a running purge. */
export function schedulePurge (run: () => Promise<unknown>, intervalMs: number, onError: (err: Error) => void): () => Promise<void> {
  let running: Promise<unknown> | null = null
  const timer = setInterval(() => {
    if (running) return
    running = run().catch((err: Error) => onError(err)).finally(() => { running = null })
  }, intervalMs)
  timer.unref()
  return async () => {
    clearInterval(timer)
    await running
  }
}
