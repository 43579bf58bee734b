// The console's figures, computed in PostgreSQL (issue 12 item 3): for the decision events a caller
// may see — the ONE visibility predicate of views.ts and the filters of the list (event-query.ts),
// so the figures cannot count an event the list would not show — per UTC day the counts by outcome,
// by category and by requesting party type, the reason codes ranked, the answer times
// (detail.durationMs) as p50/p95 per day and as a distribution, and the providers' stated refusal
// reasons ranked. Reason codes come only from rows seen in full (`full`): a provider's projection
// carries none (on a permit they say whether the person has a pending objection). The provider's
// own refusal reason is part of its projection, so it counts for every visible row.
// The period is bounded (MAX_PERIOD_DAYS) and the statements run in one read-only snapshot with a
// statement timeout, so a wide question cannot hold a connection for long.
import type { Pool } from '@wams/platform'
import type { Scope } from './scope.ts'
import { filterPredicates, type EventFilters } from './event-query.ts'
import { visibility } from './views.ts'
import { AuditPeriodInvalidError, AuditStatisticsTimeoutError } from './errors.ts'

export const MAX_PERIOD_DAYS = 366
export const STATEMENT_TIMEOUT_MS = 15000
/** The distribution's upper bounds in ms (the last bucket: at or above the last bound). */
export const DURATION_BUCKETS = [50, 100, 250, 500, 1000, 2500] as const
const TOP_REASONS = 50

export type StatisticsFilters = Pick<EventFilters, 'caseId' | 'org' | 'outcome' | 'category'> & { from: string, to: string }

export interface DayCounts {
  day: string
  byOutcome: Record<string, number>
  byCategory: Record<string, number>
  byPartyType: Record<string, number>
}

export interface Statistics {
  from: string
  to: string
  total: number
  days: DayCounts[]
  reasons: Array<{ code: string, count: number }>
  refusals: Array<{ reason: string, count: number }>
  durations: Array<{ day: string, p50: number, p95: number, count: number }>
  durationBuckets: Array<{ fromMs: number, toMs: number | null, count: number }>
}

/** Refuses a period that ends before it starts or is longer than MAX_PERIOD_DAYS. */
export function checkPeriod (from: string, to: string): void {
  const start = Date.parse(from)
  const end = Date.parse(to)
  if (!(end > start)) throw new AuditPeriodInvalidError('The period must end (to) after it starts (from)')
  if (end - start > MAX_PERIOD_DAYS * 86400000) throw new AuditPeriodInvalidError(`The period may be at most ${MAX_PERIOD_DAYS} days`)
}

const DECISIONS = 'e.event_type IN (\'data-request.decision\', \'involvement-check.decision\')'
const DAY = 'to_char(e.time AT TIME ZONE \'UTC\', \'YYYY-MM-DD\')'
const DURATION = 'CASE WHEN jsonb_typeof(e.event->\'detail\'->\'durationMs\') = \'number\' THEN (e.event->\'detail\'->>\'durationMs\')::float8 END'

export async function statistics (pool: Pool, scope: Scope, filters: StatisticsFilters): Promise<Statistics> {
  checkPeriod(filters.from, filters.to)
  const params: unknown[] = []
  const seen = visibility(scope, params)
  const where = ['e.leaf_index IS NOT NULL', DECISIONS, seen.where, ...filterPredicates(filters, params, seen.full)].join(' AND ')
  // The visible decisions, once; each statement below reads this set.
  const visible = `WITH v AS MATERIALIZED (
      SELECT ${DAY} AS day, e.outcome, e.category, e.event->'actor'->>'partyType' AS party_type,
        ${DURATION} AS duration, ${seen.full} AS full_view, e.event->'reasons' AS reasons,
        CASE WHEN e.outcome = 'refused' THEN e.event->'detail'->>'providerReason' END AS provider_reason
      FROM audit_events e WHERE ${where})`
  const bounds = DURATION_BUCKETS.map((b) => String(b)).join(',')

  const client = await pool.connect()
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    await client.query(`SET LOCAL statement_timeout = ${STATEMENT_TIMEOUT_MS}`)
    const counts = await client.query<{ day: string, outcome: string | null, category: string | null, party_type: string | null, n: string }>(
      `${visible} SELECT day, outcome, category, party_type, count(*) AS n FROM v
       GROUP BY GROUPING SETS ((day, outcome), (day, category), (day, party_type)) ORDER BY day`, params)
    const reasons = await client.query<{ code: string, n: string }>(
      `${visible} SELECT r.code, count(*) AS n FROM v
       CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(v.reasons) = 'array' THEN v.reasons ELSE '[]'::jsonb END) AS r(code)
       WHERE v.full_view GROUP BY r.code ORDER BY n DESC, r.code LIMIT ${TOP_REASONS}`, params)
    const refusals = await client.query<{ reason: string, n: string }>(
      `${visible} SELECT provider_reason AS reason, count(*) AS n FROM v WHERE provider_reason IS NOT NULL AND provider_reason <> ''
       GROUP BY provider_reason ORDER BY n DESC, provider_reason LIMIT ${TOP_REASONS}`, params)
    const durations = await client.query<{ day: string | null, p50: number, p95: number, n: string, bucket: number | null }>(
      `${visible} SELECT day, NULL::int AS bucket, percentile_cont(0.5) WITHIN GROUP (ORDER BY duration) AS p50,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY duration) AS p95, count(*) AS n
       FROM v WHERE duration IS NOT NULL GROUP BY day
       UNION ALL
       SELECT NULL, width_bucket(duration, ARRAY[${bounds}]::float8[]), NULL, NULL, count(*)
       FROM v WHERE duration IS NOT NULL GROUP BY 2
       ORDER BY 1, 2`, params)
    await client.query('COMMIT')

    const days = new Map<string, DayCounts>()
    let total = 0
    for (const r of counts.rows) {
      let d = days.get(r.day)
      if (d === undefined) days.set(r.day, d = { day: r.day, byOutcome: {}, byCategory: {}, byPartyType: {} })
      const n = Number(r.n)
      // GROUPING SETS: exactly one of the three is the grouped column of the row (null values of
      // category or party type are not counted under a name).
      if (r.outcome !== null) { d.byOutcome[r.outcome] = n; total += n } else if (r.category !== null) d.byCategory[r.category] = n
      else if (r.party_type !== null) d.byPartyType[r.party_type] = n
    }
    const buckets = [...DURATION_BUCKETS.map((b, i) => ({ fromMs: i === 0 ? 0 : DURATION_BUCKETS[i - 1]!, toMs: b as number | null, count: 0 })),
      { fromMs: DURATION_BUCKETS.at(-1)!, toMs: null, count: 0 }]
    const perDay: Statistics['durations'] = []
    for (const r of durations.rows) {
      if (r.day !== null) perDay.push({ day: r.day, p50: r.p50, p95: r.p95, count: Number(r.n) })
      else if (r.bucket !== null) buckets[r.bucket]!.count = Number(r.n)
    }
    return {
      from: filters.from,
      to: filters.to,
      total,
      days: [...days.values()],
      reasons: reasons.rows.map((r) => ({ code: r.code, count: Number(r.n) })),
      refusals: refusals.rows.map((r) => ({ reason: r.reason, count: Number(r.n) })),
      durations: perDay,
      durationBuckets: buckets
    }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    if ((err as { code?: string }).code === '57014') throw new AuditStatisticsTimeoutError()
    throw err
  } finally {
    client.release()
  }
}
