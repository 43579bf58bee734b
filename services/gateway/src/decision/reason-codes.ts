/** Reason codes of a denial (SPEC section 5). They are part of the contract: partners and supervisors read them. */
export const REASON_CODES = [
  'REQUESTER_NOT_REGISTERED',
  'PROVIDER_NOT_REGISTERED',
  'CASE_NOT_FOUND',
  'CASE_CLOSED',
  'SUBJECT_NOT_IN_CASE',
  'PURPOSE_NOT_IN_PHASE',
  'ROLE_NOT_PERMITTED',
  'PROVIDER_NOT_PARTICIPANT',
  'CATEGORY_NOT_SUPPLIED',
  'OUTSIDE_CLIENT_SCOPE',
  'CATEGORY_NOT_PERMITTED',
  'NECESSITY_NOT_STATED',
  'FIELD_UNKNOWN',
  'FIELD_NOT_NECESSARY',
  'OBJECTION_PENDING',
  'OBJECTION_UPHELD',
] as const

export type ReasonCode = (typeof REASON_CODES)[number]

/**
 * Codes a rule records on a request it lets pass by an exception of the law: not a failure, but
 * recorded with the permit (audit `reasons` and a flag for the supervisor). Rule 11: a pending
 * objection set aside to protect another person (GDPR art. 18(2)).
 */
export const RECORDED_CODES = ['OBJECTION_PENDING_OVERRIDDEN'] as const

export type RecordedCode = (typeof RECORDED_CODES)[number]

/** What a rule returns: its failures, and codes of an exception it applied. */
export type RuleCode = ReasonCode | RecordedCode

const recorded: ReadonlySet<string> = new Set(RECORDED_CODES)
export function isRecordedCode (code: RuleCode): code is RecordedCode {
  return recorded.has(code)
}

/** The supervisor's flag for each recorded code (audit detail.flags; GET /v1/audit/events?flag=). */
export const RECORDED_CODE_FLAGS: Readonly<Record<RecordedCode, 'objection-overridden'>> = {
  OBJECTION_PENDING_OVERRIDDEN: 'objection-overridden',
}

/** What a rule returns when it passes. Shared and frozen, so a passing rule allocates nothing. */
export const PASS: readonly ReasonCode[] = Object.freeze([])

const single = new Map<RuleCode, readonly RuleCode[]>([...REASON_CODES, ...RECORDED_CODES].map((code) => [code, Object.freeze([code])]))

/** A rule's result when it fails with one code (the common case); preallocated for the same reason as PASS. */
export function failsWith (code: ReasonCode): readonly ReasonCode[] {
  return single.get(code)! as readonly ReasonCode[]
}

/** A rule's result when it passes by an exception that must be recorded. */
export function passesWith (code: RecordedCode): readonly RecordedCode[] {
  return single.get(code)! as readonly RecordedCode[]
}
