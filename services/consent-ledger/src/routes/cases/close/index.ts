// POST /v1/cases/{caseId}/close: closing, with a reason. It starts the retention period, and
// nothing changes a closed case afterwards.
import type { FastifyInstance } from 'fastify'
import { answerWrite, caseWriteOf } from '../../../case-http.ts'
import { writeCase } from '../../../case-writes.ts'
import type { CaseParams } from '../schema.ts'
import { closeSchema, type CloseBody } from './schema.ts'

export default async function closeRoutes (app: FastifyInstance): Promise<void> {
  const ledger = app.consentLedger
  app.post<{ Params: CaseParams, Body: CloseBody }>('/v1/cases/:caseId/close', { schema: closeSchema }, async (request, reply) => {
    const result = await writeCase(ledger, caseWriteOf(request), () => ({ type: 'case.closed', data: {}, reason: request.body.reason }))
    return answerWrite(ledger, request, reply, result)
  })
}
