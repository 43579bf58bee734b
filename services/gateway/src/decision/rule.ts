import type { DecisionContext } from './context.ts'
import type { Policy } from './policy.ts'
import type { ReasonCode, RecordedCode, RuleCode } from './reason-codes.ts'

/** One row of the rule table of SPEC section 5. */
export interface Rule {
  readonly id: number;
  readonly name: string;
  /** Every code the rule can fail with. */
  readonly reasonCodes: readonly ReasonCode[];
  /** Codes it records when it lets a request pass by an exception (rule 11); none for most rules. */
  readonly recordedCodes?: readonly RecordedCode[];
  /**
   * The codes it fails with for this request; empty when it passes. A result of recorded codes
   * only (RECORDED_CODES) is a pass by an exception, recorded with the decision.
   */
  evaluate(ctx: DecisionContext, policy: Policy): readonly RuleCode[];
}
