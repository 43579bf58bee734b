// POST /v1/audit/subject-report: the inzage report of one person (see ../../subject-report.ts).
// Asking for a report is itself an audit event (subject-report.requested), for that person (its
// pseudonym, never the BSN), granted or not; it is committed to the outbox before the answer leaves,
// so a report that could not be recorded is not given (503).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { buildAuditEvent, recordAudit, type AuditEvent } from '@wams/platform'
import type { SubjectReportDetail } from '@wams/schemas'
import { mayReport, subjectReport } from '../../subject-report.ts'
import type { Scope } from '../../scope.ts'
import { AuditReportNotPermittedError, AuditReportNotRecordedError } from '../../errors.ts'
import { reportPartySchema, subjectReportSchema, type SubjectReportBody } from './schema.ts'

export const REPORT_LEGAL_BASIS = 'AVG art. 15 (recht van inzage); UAVG art. 41 (uitzondering)'

function reportEvent (request: FastifyRequest, scope: Scope, subjectRef: string, detail: SubjectReportDetail): AuditEvent {
  const { principal } = request
  return buildAuditEvent({
    type: 'subject-report.requested',
    source: 'audit',
    transactionId: request.id,
    actor: { org: principal.org, sub: principal.sub, roles: [...principal.roles], partyType: scope.partyType },
    processingActivity: { id: 'wams.subject-report', version: '1' },
    legalBasis: REPORT_LEGAL_BASIS,
    subjectRef,
    outcome: detail.granted ? 'permit' : 'deny',
    reasons: detail.granted ? [] : ['REPORT_NOT_PERMITTED'],
    detail
  }, request.trace)
}

export default async function subjectReportRoutes (app: FastifyInstance): Promise<void> {
  const { pool, now } = app.auditLog
  app.addSchema(reportPartySchema)

  const record = async (request: FastifyRequest, event: AuditEvent) => {
    try {
      await recordAudit(pool, [event])
    } catch (err) {
      request.log.error({ err: { message: (err as Error).message } }, 'the report request could not be recorded; no report given')
      throw new AuditReportNotRecordedError()
    }
  }

  app.post<{ Body: SubjectReportBody }>('/v1/audit/subject-report', { schema: subjectReportSchema },
    async (request) => {
      const subjectRef = app.pseudonymise('bsn', request.body.bsn)
      const scope = app.auditScope(request)
      const language = request.body.language ?? 'nl'
      if (!await mayReport(pool, request.principal, scope, subjectRef)) {
        await record(request, reportEvent(request, scope, subjectRef, { granted: false, language }))
        throw new AuditReportNotPermittedError()
      }
      const report = await subjectReport(pool, { register: app.partyRegister, scope, subjectRef, language, now: now() })
      await record(request, reportEvent(request, scope, subjectRef, {
        granted: true,
        language,
        disclosures: report.disclosures.length,
        refusals: report.refusals.length,
        caseEvents: report.caseEvents.length,
        withheld: report.withheld.events
      }))
      return report
    })
}
