// Reading stored, sequenced events under a caller's scope and filters: one query shape shared by
// the list, the search by person, the single event, the live stream and the subject report.
// Events come back exactly as stored (jsonb → JSON.parse), so their RFC 8785 form, and hence
// their leaf hash, is what the sequencer hashed.
import type { Pool } from '@wams/platform'
import { scopePredicate, type Scope } from './scope.ts'

export interface EventFilters {
  caseId?: string
  /** Requester or provider. */
  org?: string
  outcome?: string
  category?: string
  /** Inclusive lower bound on the event time (ISO 8601). */
  from?: string
  /** Exclusive upper bound on the event time (ISO 8601). */
  to?: string
  /** Pseudonym of the subject (search by person). */
  subjectRef?: string
  /** A supervisor's flag of a decision (detail.flags), e.g. objection-overridden. */
  flag?: string
}

export interface EventItem {
  /** The event exactly as hashed; null once the retention purge dropped its content. */
  event: Record<string, unknown> | null
  leafIndex: number
  /** Base64 SHA-256(0x00 ‖ RFC 8785 JSON of the event). */
  leafHash: string
}

export interface EventRow {
  event: Record<string, unknown> | null
  leaf_index: string
  leaf_hash: Buffer
  event_id: string
}

export function toItem (row: EventRow): EventItem {
  return { event: row.event, leafIndex: Number(row.leaf_index), leafHash: row.leaf_hash.toString('base64') }
}

function filterPredicates (filters: EventFilters, params: unknown[]): string[] {
  const p = (value: unknown) => { params.push(value); return `$${params.length}` }
  const out: string[] = []
  if (filters.caseId !== undefined) out.push(`e.case_id = ${p(filters.caseId)}`)
  if (filters.org !== undefined) { const o = p(filters.org); out.push(`(e.actor_org = ${o} OR e.provider = ${o})`) }
  if (filters.outcome !== undefined) out.push(`e.outcome = ${p(filters.outcome)}`)
  if (filters.category !== undefined) out.push(`e.category = ${p(filters.category)}`)
  if (filters.from !== undefined) out.push(`e.time >= ${p(filters.from)}::timestamptz`)
  if (filters.to !== undefined) out.push(`e.time < ${p(filters.to)}::timestamptz`)
  if (filters.subjectRef !== undefined) out.push(`e.subject_ref = ${p(filters.subjectRef)}`)
  // Flags live in the typed detail of decision events (DecisionDetail.flags); rare, so a jsonb
  // containment test on the few decision rows that match the other filters is enough.
  if (filters.flag !== undefined) out.push(`e.event_type IN ('data-request.decision', 'involvement-check.decision') AND e.event->'detail'->'flags' @> ${p(JSON.stringify([filters.flag]))}::jsonb`)
  return out
}

/** Sequenced events with leafIndex > afterLeaf, in leaf order, visible in `scope` and matching `filters`. */
export async function listEvents (pool: Pool, options: { scope: Scope, filters: EventFilters, afterLeaf: number, limit: number }): Promise<EventItem[]> {
  const params: unknown[] = [options.afterLeaf, options.limit]
  const where = ['e.leaf_index IS NOT NULL', 'e.leaf_index > $1', scopePredicate(options.scope, params), ...filterPredicates(options.filters, params)]
  const { rows } = await pool.query<EventRow>(
    `SELECT e.event, e.leaf_index, e.leaf_hash, e.event_id FROM audit_events e WHERE ${where.join(' AND ')} ORDER BY e.leaf_index LIMIT $2`, params)
  return rows.map(toItem)
}

/** One sequenced event visible in `scope`, or null (not stored, not sequenced, or not visible). */
export async function findEvent (pool: Pool, eventId: string, scope: Scope): Promise<EventItem | null> {
  const params: unknown[] = [eventId]
  const { rows } = await pool.query<EventRow>(
    `SELECT e.event, e.leaf_index, e.leaf_hash, e.event_id FROM audit_events e
     WHERE e.event_id = $1 AND e.leaf_index IS NOT NULL AND ${scopePredicate(scope, params)}`, params)
  return rows[0] ? toItem(rows[0]) : null
}

// ---- cursors ------------------------------------------------------------------------------------
// Opaque to clients; inside, the last leaf index returned. Leaf indexes never change, so a cursor
// stays valid while the log grows.

export function encodeCursor (leafIndex: number): string {
  return Buffer.from(JSON.stringify({ v: 1, after: leafIndex })).toString('base64url')
}

/** The leaf index after which to continue; null for a cursor this service did not make. */
export function decodeCursor (cursor: string): number | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown, after?: unknown }
    return parsed.v === 1 && Number.isSafeInteger(parsed.after) && (parsed.after as number) >= -1 ? parsed.after as number : null
  } catch {
    return null
  }
}
