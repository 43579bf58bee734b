// The errors the ledger answers with, one per code, made with @fastify/error (code, message as the
// problem's `detail`, status). The platform's problem plugin renders each as problem+json; members
// a caller needs besides code and detail (`errors`: every violation at once; `currentVersion`) are
// attached with withProblemMembers from '@wams/platform'. The gateway and the tests rely on these
// codes and statuses: change one only as a change of the API.
import createError from '@fastify/error'

// ---- 400: the request breaks a rule --------------------------------------------------------

/** The body of POST /v1/cases breaks its schema or the opening rules; `errors` lists every violation. */
export const CaseNotOpenedError = createError<[violations: number]>('CASE_NOT_OPENED', 'The case does not meet the rules: %d violation(s)', 400)
export const IfMatchInvalidError = createError('IF_MATCH_INVALID', 'If-Match must be the ETag of the case: "<version>"', 400)
/** One code for two checks (a participant, the parties of a scope); the detail says which. */
export const PartyNotRegisteredError = createError<[detail: string]>('PARTY_NOT_REGISTERED', '%s', 400)
export const PartyTypeNotAllowedError = createError<[partyType: string]>('PARTY_TYPE_NOT_ALLOWED', 'A %s cannot take part in a case', 400)
export const OutsideClientScopeError = createError('OUTSIDE_CLIENT_SCOPE', 'On route hulpvraag a participant must be a party in the client\'s current scope', 400)
export const ScopeNotOnRouteError = createError('SCOPE_NOT_ON_ROUTE', 'Only on route hulpvraag does the client decide the scope; on route ernstig professionals decide', 400)
export const SubjectNotInCaseError = createError('SUBJECT_NOT_IN_CASE', 'The person objecting is not a client or household member of this case', 400)
export const CloseWithReasonError = createError('CLOSE_WITH_REASON', 'Close a case with POST /v1/cases/{caseId}/close and a reason', 400)

// ---- 403: the caller may not --------------------------------------------------------------

/** The caller knows the case (or needs none) but may not do this; the detail says what. Code FORBIDDEN. */
export const ActionForbiddenError = createError<[detail: string]>('FORBIDDEN', '%s', 403)
export const SubjectNotResidentError = createError('SUBJECT_NOT_RESIDENT', 'A client of the case is not registered in the BRP as living in this municipality. A case is opened by the college of the municipality where its clients live (woonplaatsbeginsel).', 403)

// ---- 404: nothing of the kind (or nothing the caller may know of) -------------------------

/** Also the answer to whoever has no relation to the case: a stranger does not learn that it exists. */
export const CaseNotFoundError = createError('CASE_NOT_FOUND', 'No such case', 404)
export const ParticipantNotFoundError = createError('PARTICIPANT_NOT_FOUND', 'The party does not participate in the case', 404)
export const ObjectionNotFoundError = createError('OBJECTION_NOT_FOUND', 'No such objection in this case', 404)

// ---- 409: the change conflicts with the case as it is -------------------------------------

/** If-Match named another version than the case's; `currentVersion` says which it is. */
// The version the caller sent (If-Match) is not repeated: a header may hold anything, even a BSN.
export const VersionMismatchError = createError<[current: number]>('VERSION_MISMATCH', 'The case is at version %d, not the one in If-Match; read it again and retry', 409)
/** Another writer recorded the same version first; the detail says where it was noticed. */
export const VersionConflictError = createError<[detail: string]>('VERSION_CONFLICT', '%s', 409)
export const CaseExistsError = createError('CASE_EXISTS', 'A case with this id exists', 409)
export const CaseClosedError = createError('CASE_CLOSED', 'The case is closed; nothing changes a closed case', 409)
export const PhaseNotForwardError = createError<[phase: string]>('PHASE_NOT_FORWARD', 'The case is in phase %s; phases only go forward (onderzoek → aanpak → afgesloten)', 409)
export const AlreadyParticipantError = createError('ALREADY_PARTICIPANT', 'The party already participates', 409)
export const ObjectionPendingError = createError('OBJECTION_PENDING', 'This person already has a pending objection in this case', 409)
export const ObjectionAlreadyDecidedError = createError<[status: string]>('OBJECTION_ALREADY_DECIDED', 'The objection was already decided (%s)', 409)

// ---- 503: a system the ledger needs could not be asked ------------------------------------

/** The residence check could not be done (brp.ts threw BrpUnavailableError); sent with Retry-After, nothing recorded. */
export const ResidenceNotCheckedError = createError('BRP_UNAVAILABLE', 'The BRP could not be asked where the client lives, so no case was opened. Try again later.', 503)
