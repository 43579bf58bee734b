// POST /v1/cases: the college of a gemeente opens a case for its own municipality. The body's
// shape and the problem rules of SPEC section 2 are checked in one pass: every violation at once.
import type { FastifyInstance } from 'fastify'
import type { FastifySchemaValidationError } from 'fastify/types/schema.js'
import { isCollegeOfGemeente } from '../../access.ts'
import { checkOpeningRules, type Violation } from '../../case-rules.ts'
import type { Domain, Route, SeriousGround, SubjectRole } from '../../case-state.ts'
import { badRequest, conflict, forbidden } from '../../errors.ts'
import { appendEvent, newCaseId } from '../../ledger.ts'
import { openCaseSchema } from '../../schemas.ts'
import { answerWrite, type CaseRoutesOptions } from './http.ts'

interface OpenCaseBody {
  route: Route
  subjects: Array<{ bsn: string, role: SubjectRole }>
  problems: Array<{ domain: Domain, description: string }>
  relatedness: string
  seriousGrounds?: SeriousGround[]
  clientInformed: boolean
  notInformedReason?: string
  coordinator: { org: string, sub: string }
}

// A property name can be anything the caller sent; a nine-digit one is masked, never echoed.
const maskBsn = (text: string): string => text.replace(/(?<![0-9])[0-9]{9}(?![0-9])/g, '[bsn]')

function schemaViolations (errors: FastifySchemaValidationError[] | undefined): Violation[] {
  return (errors ?? []).map((e) => {
    const params = e.params as Record<string, unknown>
    const pointer = e.instancePath + (params.missingProperty ? `/${String(params.missingProperty)}` : '') +
      (params.additionalProperty ? `/${String(params.additionalProperty)}` : '')
    return { code: 'BODY_INVALID', pointer: maskBsn(pointer || '/'), detail: e.message ?? 'is invalid' }
  })
}

export default async function openCaseRoute (app: FastifyInstance, opts: CaseRoutesOptions): Promise<void> {
  const { ledger, pseudonymise } = opts
  app.post<{ Body: OpenCaseBody }>('/v1/cases', { schema: openCaseSchema, attachValidation: true, onRequest: app.authenticate }, async (request, reply) => {
    const principal = request.principal
    if (!isCollegeOfGemeente(principal, ledger.register)) throw forbidden('Only the college of an active gemeente opens a case')
    const errors = [...schemaViolations(request.validationError?.validation), ...checkOpeningRules(request.body, ledger.register)]
    if (errors.length > 0) {
      throw badRequest('CASE_NOT_OPENED', `The case does not meet the rules: ${errors.length} violation(s)`, { errors })
    }
    const body = request.body
    const result = await appendEvent(ledger, {
      caseId: newCaseId(),
      actor: principal,
      trace: request.trace,
      transactionId: request.id,
      decide: (state) => {
        if (state !== null) throw conflict('CASE_EXISTS', 'A case with this id exists')
        return {
          type: 'case.opened',
          data: {
            route: body.route,
            // The case belongs to the municipality of the college that opens it, never another.
            municipality: principal.org,
            coordinator: { org: body.coordinator.org, sub: body.coordinator.sub },
            subjects: body.subjects.map((s) => ({ bsn: s.bsn, subjectRef: pseudonymise('bsn', s.bsn), role: s.role })),
            problems: body.problems.map((p) => ({ domain: p.domain, description: p.description })),
            relatedness: body.relatedness,
            seriousGrounds: body.seriousGrounds ?? [],
            clientInformed: body.clientInformed,
            notInformedReason: body.clientInformed ? null : body.notInformedReason ?? null
          },
          reason: null
        }
      }
    })
    reply.code(201).header('location', `/v1/cases/${result.state.caseId}`)
    return answerWrite(opts, request, reply, result)
  })
}
