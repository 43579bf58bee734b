import type { FastifyInstance } from 'fastify'
import { sendProblem } from '@wams/platform'
import { handleDataRequest } from '../../../data-request.ts'
import { serverTiming } from '../../../outcomes.ts'
import { dataRequestSchema, type DataRequestBody } from './schema.ts'

type DataRequest = { Params: { caseId: string }, Body: DataRequestBody }

export default async function dataRequestRoutes (app: FastifyInstance): Promise<void> {
  app.post<DataRequest>('/v1/cases/:caseId/data-requests', { schema: dataRequestSchema, preHandler: app.requireEvidence }, async (request, reply) => {
    const result = await handleDataRequest(app.exchange, {
      requestId: request.id,
      trace: request.trace,
      principal: request.principal,
      caseId: request.params.caseId,
      ...request.body,
      // Fastify's clock started when the request arrived: the audit record's durationMs counts from there.
      receivedAt: performance.now() - reply.elapsedTime
    })
    // Where the time went (ledger, decide, partner, audit): for operators and the benchmark.
    if (Object.keys(result.timings).length > 0) reply.header('server-timing', serverTiming(result.timings))
    if ('body' in result) return result.body
    if (result.headers) reply.headers(result.headers)
    return sendProblem(reply, result.problem)
  })
}
