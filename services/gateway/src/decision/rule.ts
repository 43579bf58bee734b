import type { DecisionContext } from './context.ts';
import type { Policy } from './policy.ts';
import type { ReasonCode } from './reason-codes.ts';

/** One row of the rule table of SPEC section 5. */
export interface Rule {
  readonly id: number;
  readonly name: string;
  /** Every code the rule can fail with. */
  readonly reasonCodes: readonly ReasonCode[];
  /** The codes it fails with for this request; empty when it passes. */
  evaluate(ctx: DecisionContext, policy: Policy): readonly ReasonCode[];
}
