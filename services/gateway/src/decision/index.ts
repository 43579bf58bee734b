// The gateway's decision engine: pure code, no I/O. SPEC section 5.
export { decide, type Decision } from './evaluate.ts'
export { createPolicy, type Policy, type PolicyCategory, type PolicyOptions } from './policy.ts'
export { policyData, policyVersion, type Actor, type LegalBasisData, type ObjectionOverrideData, type PolicyData } from './policy-data.ts'

export { policyDocument, type PolicyDocument, type PolicyDocumentCategory, type PolicyDocumentRule } from './policy-document.ts'
export type { LawVersion } from './policy-data.ts'

export { rules } from './rules/index.ts'
export { standingIn, type Standing } from './standing.ts'
export { REASON_CODES, RECORDED_CODES, RECORDED_CODE_FLAGS, type ReasonCode, type RecordedCode, type RuleCode } from './reason-codes.ts'
export type { DecisionContext, Requester } from './context.ts'
export type { Rule } from './rule.ts'
