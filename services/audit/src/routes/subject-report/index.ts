// POST /v1/audit/subject-report: the inzage report of one person (see ../../subject-report.ts).
// A municipality gets it only for a person who is a subject of one of its cases according to the
// consent ledger, asked with the caller's own token (../../ledger-client.ts); when the ledger
// cannot say, no report (503, fail closed). Asking for a report is itself an audit event
// (subject-report.requested), for that person (its pseudonym, never the BSN), whatever the answer:
// granted (outcome permit), refused (deny, REPORT_NOT_PERMITTED) or not decided because the ledger
// could not be asked (error, CONSENT_LEDGER_UNAVAILABLE). It is committed to the outbox before the
// answer leaves, so a report that could not be recorded is not given (503).
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { buildAuditEvent, recordAudit, type AuditEvent } from '@wams/platform'
import type { SubjectReportDetail } from '@wams/schemas'
import { reportAccess, subjectReport } from '../../subject-report.ts'
import { LedgerUnavailableError } from '../../ledger-client.ts'
import type { Scope } from '../../scope.ts'
import { AuditLedgerUnavailableError, AuditReportNotPermittedError, AuditReportNotRecordedError } from '../../errors.ts'
import { reportPartySchema, subjectReportSchema, type SubjectReportBody } from './schema.ts'

export const REPORT_LEGAL_BASIS = 'AVG art. 15 (recht van inzage); UAVG art. 41 (uitzondering)'

/** How a request for a report ended, as recorded: granted, refused, or undecided (ledger unavailable). */
type Answer = 'granted' | 'refused' | 'ledger-unavailable'

const RECORDED: Readonly<Record<Answer, { outcome: AuditEvent['outcome'], reasons: string[] }>> = {
  granted: { outcome: 'permit', reasons: [] },
  refused: { outcome: 'deny', reasons: ['REPORT_NOT_PERMITTED'] },
  'ledger-unavailable': { outcome: 'error', reasons: ['CONSENT_LEDGER_UNAVAILABLE'] }
}

function reportEvent (request: FastifyRequest, scope: Scope, subjectRef: string, answer: Answer, detail: SubjectReportDetail): AuditEvent {
  const { principal } = request
  return buildAuditEvent({
    type: 'subject-report.requested',
    source: 'audit',
    transactionId: request.id,
    actor: { org: principal.org, sub: principal.sub, roles: [...principal.roles], partyType: scope.partyType },
    processingActivity: { id: 'wams.subject-report', version: '1' },
    legalBasis: REPORT_LEGAL_BASIS,
    subjectRef,
    outcome: RECORDED[answer].outcome,
    reasons: [...RECORDED[answer].reasons],
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

  /** Whether the caller may have this person's report; the consent ledger decides for a municipality. */
  const gate = async (request: FastifyRequest, scope: Scope, bsn: string): Promise<Answer> => {
    const access = reportAccess(request.principal, scope)
    if (access !== 'ledger') return access === 'all' ? 'granted' : 'refused'
    try {
      // The authentication hook verified this very header; the ledger applies the caller's own rights.
      const answer = await app.subjectCases.casesOf(bsn, { authorization: request.headers.authorization!, trace: request.trace })
      return answer.kind === 'cases' && answer.caseIds.length > 0 ? 'granted' : 'refused'
    } catch (err) {
      if (!(err instanceof LedgerUnavailableError)) throw err
      request.log.warn({ why: err.why }, 'consent ledger unavailable; no subject report (fail closed)')
      return 'ledger-unavailable'
    }
  }

  app.post<{ Body: SubjectReportBody }>('/v1/audit/subject-report', { schema: subjectReportSchema },
    async (request) => {
      const subjectRef = app.pseudonymise('bsn', request.body.bsn)
      const scope = app.auditScope(request)
      const language = request.body.language ?? 'nl'
      const answer = await gate(request, scope, request.body.bsn)
      if (answer !== 'granted') {
        await record(request, reportEvent(request, scope, subjectRef, answer, { granted: false, language }))
        throw answer === 'refused' ? new AuditReportNotPermittedError() : new AuditLedgerUnavailableError()
      }
      const report = await subjectReport(pool, { register: app.partyRegister, scope, subjectRef, language, now: now() })
      await record(request, reportEvent(request, scope, subjectRef, 'granted', {
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
