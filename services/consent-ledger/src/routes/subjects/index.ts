// POST /v1/subjects/cases: the cases in which a person is a subject (client or household member),
// as far as the caller may ask (access.ts SUBJECT_CASES): its own municipality's, or every case
// for the supervisor. The BSN arrives in the body and is used only as its pseudonym, which is how
// the ledger stores subjects; it is never logged or echoed.
import type { FastifyInstance } from 'fastify'
import { subjectCasesScope } from '../../access.ts'
import { casesOfSubject } from '../../ledger.ts'
import { ActionForbiddenError } from '../../errors.ts'
import { subjectCasesSchema, type SubjectCasesBody } from './schema.ts'

const MAY_NOT = 'Only the college or a coordinator of a municipality (its own cases) or the supervisor may ask in which cases a person is a subject'

export default async function subjectRoutes (app: FastifyInstance): Promise<void> {
  const ledger = app.consentLedger
  app.post<{ Body: SubjectCasesBody }>('/v1/subjects/cases', { schema: subjectCasesSchema }, async (request) => {
    const scope = subjectCasesScope(request.principal, ledger.register)
    if (scope === null) throw new ActionForbiddenError(MAY_NOT)
    return { cases: await casesOfSubject(ledger.pool, app.pseudonymise('bsn', request.body.bsn), scope.municipality) }
  })
}
