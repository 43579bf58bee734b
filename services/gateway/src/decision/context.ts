import type { CaseState } from '@wams/schemas'

/** Who asks, from the verified token. The party type is not here: the rules look it up in the register. */
export interface Requester {
  readonly org: string;
  readonly sub: string;
  readonly roles: readonly string[];
}

/**
 * Everything one decision is made on (SPEC section 5). Category and purpose are the
 * request's unchecked strings: a value the policy does not know is denied, not trusted.
 */
export interface DecisionContext {
  readonly requester: Requester;
  /** The case as the consent ledger holds it at the moment of the request; null when there is no such case. */
  readonly caseState: CaseState | null;
  /** Keyed pseudonym of the subject's BSN. */
  readonly subjectRef: string;
  /** OIN of the party asked for the data. */
  readonly provider: string;
  readonly category: string;
  readonly purpose: string;
  readonly fields: readonly string[];
  readonly necessity: string;
  /** Rule 11's exception: the requester's statement that the request protects another person; null or absent when not invoked. */
  readonly protectsOthers?: { readonly reason: string } | null;
}
