// GET /v1/audit/statistics: the console's figures over a period, computed by the service
// (../../statistics.ts) for the decision events the caller may see, with the filters of the list.
import type { StatisticsFilters } from '../../statistics.ts'
import { DURATION_BUCKETS, MAX_PERIOD_DAYS } from '../../statistics.ts'
import { filterProperties } from '../events/schema.ts'
import { problems, security, tags } from '../schema.ts'

export type StatisticsQuery = StatisticsFilters

const counts = {
  type: 'object',
  additionalProperties: { type: 'integer', minimum: 0 },
  description: 'Number of decisions per value'
} as const

const day = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'The day (UTC), YYYY-MM-DD' } as const

export const statisticsSchema = {
  tags,
  security,
  operationId: 'getStatistics',
  summary: 'Figures over the decisions the caller may see in a period: per day by outcome, category and party type; reasons ranked; answer times',
  description: `Computed over the decision events (data-request.decision, involvement-check.decision) the caller may see, with the same scoping as GET /v1/audit/events (a provider: the requests sent to it) and the same filters. Reason codes count only decisions the caller sees in full (a provider's view carries none). Answer times are the gateway's detail.durationMs: p50 and p95 (continuous percentiles) per day and a distribution. Days are UTC. The period (from inclusive, to exclusive) may be at most ${MAX_PERIOD_DAYS} days; 503 when the figures take too long.`,
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to'],
    properties: {
      from: filterProperties.from,
      to: filterProperties.to,
      caseId: filterProperties.caseId,
      org: filterProperties.org,
      outcome: filterProperties.outcome,
      category: filterProperties.category
    }
  },
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'to', 'total', 'days', 'reasons', 'refusals', 'durations', 'durationBuckets'],
      properties: {
        from: { type: 'string', format: 'date-time' },
        to: { type: 'string', format: 'date-time' },
        total: { type: 'integer', minimum: 0, description: 'Number of decisions counted' },
        days: {
          type: 'array',
          description: 'Days with at least one decision, in order',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['day', 'byOutcome', 'byCategory', 'byPartyType'],
            properties: { day, byOutcome: counts, byCategory: counts, byPartyType: { ...counts, description: 'Number of decisions per requesting party type' } }
          }
        },
        reasons: {
          type: 'array',
          description: 'Reason codes of the decisions seen in full, most frequent first (at most 50)',
          items: { type: 'object', additionalProperties: false, required: ['code', 'count'], properties: { code: { type: 'string' }, count: { type: 'integer', minimum: 1 } } }
        },
        refusals: {
          type: 'array',
          description: 'The providers\' stated reasons of refused requests, most frequent first (at most 50)',
          items: { type: 'object', additionalProperties: false, required: ['reason', 'count'], properties: { reason: { type: 'string' }, count: { type: 'integer', minimum: 1 } } }
        },
        durations: {
          type: 'array',
          description: 'Answer times (detail.durationMs) per day of the decisions that carry one',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['day', 'p50', 'p95', 'count'],
            properties: { day, p50: { type: 'number', description: 'Median, ms' }, p95: { type: 'number', description: '95th percentile, ms' }, count: { type: 'integer', minimum: 1 } }
          }
        },
        durationBuckets: {
          type: 'array',
          description: `The distribution of answer times: fromMs inclusive, toMs exclusive (bounds ${DURATION_BUCKETS.join(', ')} ms; the last bucket open)`,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['fromMs', 'toMs', 'count'],
            properties: { fromMs: { type: 'integer', minimum: 0 }, toMs: { type: ['integer', 'null'] }, count: { type: 'integer', minimum: 0 } }
          }
        }
      }
    },
    ...problems(400, 401, 403, 503)
  }
} as const
