import type { DecisionContext } from './context.ts';
import type { Policy } from './policy.ts';
import type { ReasonCode } from './reason-codes.ts';
import { rules } from './rules/index.ts';

export interface Decision {
  readonly outcome: 'permit' | 'deny';
  /** Every failing rule's codes, in rule order, each once; empty on permit. */
  readonly reasons: readonly ReasonCode[];
  /** The fields the gateway may pass on (the requested ones, each once); empty on deny. */
  readonly releaseFields: readonly string[];
  /** The basis the request was assessed on; '' when purpose or category is unknown. */
  readonly legalBasis: string;
  readonly policyVersion: string;
}

const NOTHING: readonly never[] = Object.freeze([]);

function distinct(fields: readonly string[]): string[] {
  const result: string[] = [];
  for (const field of fields) if (!result.includes(field)) result.push(field);
  return result;
}

/**
 * Decides one data request (SPEC section 5). Evaluates every rule and reports every
 * failure, not only the first. Default deny: the outcome is permit only when each rule
 * of the table ran and passed.
 */
export function decide(ctx: DecisionContext, policy: Policy): Decision {
  let reasons: ReasonCode[] | undefined;
  let passed = 0;
  for (const rule of rules) {
    const failed = rule.evaluate(ctx, policy);
    if (failed.length === 0) {
      passed++;
      continue;
    }
    reasons ??= [];
    for (const code of failed) if (!reasons.includes(code)) reasons.push(code);
  }
  const legalBasis = policy.legalBasis.get(ctx.purpose)?.get(ctx.category) ?? '';
  if (reasons === undefined && passed === rules.length && passed > 0) {
    return { outcome: 'permit', reasons: NOTHING, releaseFields: distinct(ctx.fields), legalBasis, policyVersion: policy.version };
  }
  return { outcome: 'deny', reasons: reasons ?? NOTHING, releaseFields: NOTHING, legalBasis, policyVersion: policy.version };
}
