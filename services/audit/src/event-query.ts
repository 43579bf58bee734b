// Reading stored, sequenced events under a caller's scope and filters: one query shape shared by
// the list, the search by person, the single event and the live stream, with the one visibility
// predicate and the one projection of views.ts. An event seen in full comes back exactly as stored
// (jsonb → JSON.parse), so its RFC 8785 form, and hence its leaf hash, is what the sequencer
// hashed; a provider gets the projection of what it received.
import type { Pool, Pseudonymiser } from '@wams/platform'
import type { Scope } from './scope.ts'
import { present, visibility, type ViewedItem } from './views.ts'

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

/**
 * The filters, on what the caller sees: the internal case id and the supervisor's flags are not in
 * a provider's projection, so filtering on them matches only rows seen in full (`full`); otherwise
 * a provider could test which case id lies behind the caseRef it was given.
 */
export function filterPredicates (filters: EventFilters, params: unknown[], full: string): string[] {
  const p = (value: unknown) => { params.push(value); return `$${params.length}` }
  const out: string[] = []
  if (filters.caseId !== undefined) out.push(`e.case_id = ${p(filters.caseId)} AND ${full}`)
  if (filters.org !== undefined) { const o = p(filters.org); out.push(`(e.actor_org = ${o} OR e.provider = ${o})`) }
  if (filters.outcome !== undefined) out.push(`e.outcome = ${p(filters.outcome)}`)
  if (filters.category !== undefined) out.push(`e.category = ${p(filters.category)}`)
  if (filters.from !== undefined) out.push(`e.time >= ${p(filters.from)}::timestamptz`)
  if (filters.to !== undefined) out.push(`e.time < ${p(filters.to)}::timestamptz`)
  if (filters.subjectRef !== undefined) out.push(`e.subject_ref = ${p(filters.subjectRef)}`)
  // Flags live in the typed detail of decision events (DecisionDetail.flags); rare, so a jsonb
  // containment test on the few decision rows that match the other filters is enough.
  if (filters.flag !== undefined) out.push(`e.event_type IN ('data-request.decision', 'involvement-check.decision') AND e.event->'detail'->'flags' @> ${p(JSON.stringify([filters.flag]))}::jsonb AND ${full}`)
  return out
}

/** Who reads: the caller's scope, and the pseudonymiser that makes a provider's caseRef. */
export interface Reader { scope: Scope, pseudonymise: Pseudonymiser }

/** Sequenced events with leafIndex > afterLeaf, in leaf order, visible to the reader and matching `filters`, as it sees them. */
export async function listEvents (pool: Pool, options: Reader & { filters: EventFilters, afterLeaf: number, limit: number }): Promise<ViewedItem[]> {
  const params: unknown[] = [options.afterLeaf, options.limit]
  const seen = visibility(options.scope, params)
  const where = ['e.leaf_index IS NOT NULL', 'e.leaf_index > $1', seen.where, ...filterPredicates(options.filters, params, seen.full)]
  const { rows } = await pool.query<EventRow & { full_view: boolean }>(
    `SELECT e.event, e.leaf_index, e.leaf_hash, e.event_id, ${seen.full} AS full_view FROM audit_events e
     WHERE ${where.join(' AND ')} ORDER BY e.leaf_index LIMIT $2`, params)
  return rows.map((r) => present(toItem(r), r.full_view, options.pseudonymise))
}

/** One sequenced event visible to the reader, as it sees it, or null (not stored, not sequenced, or not visible). */
export async function findEvent (pool: Pool, eventId: string, reader: Reader): Promise<ViewedItem | null> {
  const params: unknown[] = [eventId]
  const seen = visibility(reader.scope, params)
  const { rows } = await pool.query<EventRow & { full_view: boolean }>(
    `SELECT e.event, e.leaf_index, e.leaf_hash, e.event_id, ${seen.full} AS full_view FROM audit_events e
     WHERE e.event_id = $1 AND e.leaf_index IS NOT NULL AND ${seen.where}`, params)
  return rows[0] ? present(toItem(rows[0]), rows[0].full_view, reader.pseudonymise) : null
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
