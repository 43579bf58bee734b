// POST /v1/audit/subject-report: the inzage report of one person (see ../subject-report.ts).
import type { FastifyInstance } from 'fastify'
import { ForbiddenError } from '@wams/platform'
import { mayReport, subjectReport, type Language } from '../subject-report.ts'
import { subjectReportSchema } from './schemas.ts'
import { scopeOfRequest, type AuditContext } from './context.ts'

export default async function subjectReportRoutes (app: FastifyInstance, ctx: AuditContext): Promise<void> {
  app.post<{ Body: { bsn: string, language?: Language } }>('/v1/audit/subject-report',
    { schema: subjectReportSchema, onRequest: app.authenticate },
    async (request) => {
      const subjectRef = ctx.pseudonymise('bsn', request.body.bsn)
      const scope = scopeOfRequest(ctx, request)
      if (!await mayReport(ctx.pool, request.principal, scope, subjectRef)) {
        throw new ForbiddenError('Only the supervisor, or the college or coordinator of the municipality that owns a case of this person, may see this report')
      }
      return subjectReport(ctx.pool, { register: ctx.register, scope, subjectRef, language: request.body.language ?? 'nl', now: ctx.now() })
    })
}
