import type { FastifyInstance } from 'fastify'
import { sendProblem } from '@wams/platform'
import { handleInvolvementCheck } from '../../../involvement-check.ts'
import { involvementCheckSchema, type InvolvementCheckBody } from './schema.ts'

type InvolvementCheck = { Params: { caseId: string }, Body: InvolvementCheckBody }

export default async function involvementCheckRoutes (app: FastifyInstance): Promise<void> {
  app.post<InvolvementCheck>('/v1/cases/:caseId/involvement-check', { schema: involvementCheckSchema, preHandler: app.requireEvidence }, async (request, reply) => {
    const result = await handleInvolvementCheck(app.exchange, {
      requestId: request.id,
      trace: request.trace,
      principal: request.principal,
      caseId: request.params.caseId,
      // Fastify's clock started when the request arrived: the audit record's durationMs counts from there.
      receivedAt: performance.now() - reply.elapsedTime,
      subject: request.body.subject,
      necessity: request.body.necessity,
      ...(request.body.parties !== undefined ? { parties: request.body.parties } : {})
    })
    if ('body' in result) return result.body
    return sendProblem(reply, result.problem)
  })
}
