// The console's charts at scale (issue 12 item 3): the figures computed by the service over the
// decisions the caller may see (../../statistics.ts), instead of the browser paging through events.
import type { FastifyInstance } from 'fastify'
import { statistics } from '../../statistics.ts'
import { statisticsSchema, type StatisticsQuery } from './schema.ts'

export default async function statisticsRoutes (app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: StatisticsQuery }>('/v1/audit/statistics', { schema: statisticsSchema },
    async (request) => statistics(app.auditLog.pool, app.auditScope(request), request.query))
}
