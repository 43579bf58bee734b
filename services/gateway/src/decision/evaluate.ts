import type { DecisionContext } from './context.ts'
import type { Policy } from './policy.ts'
import { isRecordedCode, type ReasonCode, type RecordedCode } from './reason-codes.ts'
import { rules } from './rules/index.ts'

export interface Decision {
  readonly outcome: 'permit' | 'deny';
  /** Every failing rule's codes, in rule order, each once; empty on permit. */
  readonly reasons: readonly ReasonCode[];
  /**
   * On permit: the exceptions of the law a rule applied to let the request pass (rule 11:
   * OBJECTION_PENDING_OVERRIDDEN), to be recorded and flagged; empty otherwise, and on deny.
   */
  readonly recorded: readonly RecordedCode[];
  /** The fields the gateway may pass on (the requested ones, each once); empty on deny. */
  readonly releaseFields: readonly string[];
  /** The basis the request was assessed on; '' when purpose or category is unknown. */
  readonly legalBasis: string;
  readonly policyVersion: string;
}

const NOTHING: readonly never[] = Object.freeze([])

function distinct (fields: readonly string[]): string[] {
  const result: string[] = []
  for (const field of fields) if (!result.includes(field)) result.push(field)
  return result
}

/**
 * Decides one data request (SPEC section 5). Evaluates every rule and reports every
 * failure, not only the first. Default deny: the outcome is permit only when each rule
 * of the table ran and passed.
 */
export function decide (ctx: DecisionContext, policy: Policy): Decision {
  let reasons: ReasonCode[] | undefined
  let recorded: RecordedCode[] | undefined
  let passed = 0
  for (const rule of rules) {
    const codes = rule.evaluate(ctx, policy)
    let failedHere = false
    for (const code of codes) {
      if (isRecordedCode(code)) {
        recorded ??= []
        if (!recorded.includes(code)) recorded.push(code)
        continue
      }
      failedHere = true
      reasons ??= []
      if (!reasons.includes(code)) reasons.push(code)
    }
    if (!failedHere) passed++
  }
  const legalBasis = policy.legalBasis.get(ctx.purpose)?.get(ctx.category) ?? ''
  if (reasons === undefined && passed === rules.length && passed > 0) {
    return { outcome: 'permit', reasons: NOTHING, recorded: recorded ?? NOTHING, releaseFields: distinct(ctx.fields), legalBasis, policyVersion: policy.version }
  }
  // An exception applied by one rule means nothing when another rule denies: nothing is recorded.
  return { outcome: 'deny', reasons: reasons ?? NOTHING, recorded: NOTHING, releaseFields: NOTHING, legalBasis, policyVersion: policy.version }
}
