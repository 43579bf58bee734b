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
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

/** What a rule returns when it passes. Shared and frozen, so a passing rule allocates nothing. */
export const PASS: readonly ReasonCode[] = Object.freeze([]);

const single = new Map<ReasonCode, readonly ReasonCode[]>(REASON_CODES.map((code) => [code, Object.freeze([code])]));

/** A rule's result when it fails with one code (the common case); preallocated for the same reason as PASS. */
export function failsWith(code: ReasonCode): readonly ReasonCode[] {
  return single.get(code)!;
}
