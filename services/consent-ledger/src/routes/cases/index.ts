// The cases resource: POST /v1/cases (the college of a gemeente opens a case for its own
// municipality) and GET /v1/cases/{caseId} (the case as the reader may see it).
//
// Opening: the body's shape and the problem rules of SPEC section 2 are checked in one pass: every
// violation at once. Then residence (woonplaatsbeginsel): every client must be registered in the
// BRP as living in the opening municipality (403 SUBJECT_NOT_RESIDENT, which does not say where the
// person lives); when the BRP cannot say, no case is opened (503). Only a valid body is looked up
// in the BRP.
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify'
import { withProblemMembers, type PartyRegisterIndex } from '@wams/platform'
import type { FastifySchemaValidationError } from 'fastify/types/schema.js'
import { isCollegeOfGemeente } from '../../access.ts'
import { checkOpeningRules, type Violation } from '../../case-rules.ts'
import { BrpUnavailableError, type BrpClient } from '../../brp.ts'
import { authorise, viewFor } from '../../case-authorisation.ts'
import { answerWrite, etagOf } from '../../case-http.ts'
import {
  ActionForbiddenError, CaseExistsError, CaseNotOpenedError, ResidenceNotCheckedError, SubjectNotResidentError
} from '../../errors.ts'
import { appendEvent, newCaseId, readCase } from '../../ledger.ts'
import { getCaseSchema, openCaseSchema, type CaseParams, type OpenCaseBody } from './schema.ts'

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

/** Seconds a caller is asked to wait after a 503 because the BRP could not be asked. */
const BRP_RETRY_AFTER_S = 5

/**
 * Throws unless the BRP registers every client in the municipality of `municipality` (its
 * gemeentecode in the register). Household members are not looked up: they may live elsewhere.
 */
async function assertClientsResident (
  brp: BrpClient, register: PartyRegisterIndex, municipality: string, clientBsns: readonly string[],
  reply: FastifyReply, log: FastifyBaseLogger
): Promise<void> {
  const code = register.gemeentecode(municipality)
  // The loader refuses a register in which a party type that may own cases lacks a gemeentecode.
  if (code === null) throw new ActionForbiddenError('The opening party has no municipality code in the register')
  for (const bsn of clientBsns) {
    let registeredIn: string | null
    try {
      registeredIn = await brp.gemeenteVanInschrijving(bsn)
    } catch (err) {
      if (!(err instanceof BrpUnavailableError)) throw err
      log.warn({ brp: err.why }, 'the BRP could not be asked where a client lives; no case opened')
      reply.header('retry-after', String(BRP_RETRY_AFTER_S))
      throw new ResidenceNotCheckedError()
    }
    // One answer for "lives elsewhere" and "not known to the BRP": the caller learns neither where
    // the person lives nor whether the BRP knows them.
    if (registeredIn !== code) throw new SubjectNotResidentError()
  }
}

export default async function caseRoutes (app: FastifyInstance): Promise<void> {
  const ledger = app.consentLedger

  app.post<{ Body: OpenCaseBody }>('/v1/cases', { schema: openCaseSchema, attachValidation: true }, async (request, reply) => {
    const principal = request.principal
    if (!isCollegeOfGemeente(principal, ledger.register)) throw new ActionForbiddenError('Only the college of an active gemeente opens a case')
    const errors = [...schemaViolations(request.validationError?.validation), ...checkOpeningRules(request.body, ledger.register)]
    if (errors.length > 0) throw withProblemMembers(new CaseNotOpenedError(errors.length), { errors })
    const body = request.body
    const clients = body.subjects.filter((s) => s.role === 'client').map((s) => s.bsn)
    await assertClientsResident(app.brp, ledger.register, principal.org, clients, reply, request.log)
    const result = await appendEvent(ledger, {
      caseId: newCaseId(),
      actor: principal,
      trace: request.trace,
      transactionId: request.id,
      decide: (state) => {
        if (state !== null) throw new CaseExistsError()
        return {
          type: 'case.opened',
          data: {
            route: body.route,
            // The case belongs to the municipality of the college that opens it, never another.
            municipality: principal.org,
            coordinator: { org: body.coordinator.org, sub: body.coordinator.sub },
            subjects: body.subjects.map((s) => ({ bsn: s.bsn, subjectRef: app.pseudonymise('bsn', s.bsn), role: s.role })),
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
    return answerWrite(ledger, request, reply, result)
  })

  app.get<{ Params: CaseParams }>('/v1/cases/:caseId', { schema: getCaseSchema }, async (request, reply) => {
    const state = authorise(ledger, request.principal, await readCase(ledger.pool, request.params.caseId), 'read')
    reply.header('etag', etagOf(state.version))
    return viewFor(ledger, request.principal, state)
  })
}
