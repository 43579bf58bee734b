// What each role sees of the audit log (SPEC section 6, issue 11 item 2): ONE table, per role,
// of which events (an SQL predicate over audit_events aliased `e`) and in which projection. A
// caller's grants (scope.ts: who gets which) pick rows of this table; `visibility` turns them into
// one WHERE predicate plus one column saying whether the row is seen in full, and `present` is the
// one projection. Every read goes through both — the list, the search by person, the single event,
// the live stream (event-query.ts) and the subject report — so they cannot differ. The export is
// for the supervisor only (routes/export), who sees every event in full, as hashed.
//
//  role (grant)                     | which events                                       | projection
//  ---------------------------------|----------------------------------------------------|-----------
//  supervisor (all)                 | every event, attempts without standing included     | full
//  requester (as-requester)         | events its organisation caused (actor.org), except  | full
//                                   | those flagged no-standing                          |
//  owning municipality (own-cases)  | every event of the cases it opened (case_owners);   | full
//                                   | no-standing attempts have no caseId, so never these |
//  provider (as-provider)           | decisions naming it as provider that the gateway    | provider
//                                   | really sent it (SENT_TO_PROVIDER below)             |
//
// A row seen under several grants is shown in the widest projection that applies (full before
// provider): a municipality that asked itself sees its own request in full.
//
// Why no-standing is for the supervisor only: the gateway answered such a caller with the 404 of a
// case that does not exist and kept every reason for the record (detail.flags no-standing,
// detail.namedCaseId). Showing the caller its own record would hand back the reasons — whether the
// case exists, whether the person is in it — the 404 withheld (issue 11 item 1).
import type { Pseudonymiser } from '@wams/platform'
import type { Grant, Scope } from './scope.ts'

export type Projection = 'full' | 'provider'

/**
 * Which partner errors mean that the request went out to the partner (it has, or may have, the
 * request), as data. A request is "sent" when the partner answered (detail.partnerStatus is not
 * null: permit, refused, not-known, a 5xx, an answer outside the protocol or the category schema)
 * or when the call was made and no status came back for a reason that arises after sending.
 * Each code's judgement (partner-client.ts of the gateway):
 *  - PARTNER_TIMEOUT: the call was made (breaker closed, permit taken); the deadline passed while
 *    the partner had, in the usual case, the request and stalled. A timeout while connecting
 *    shows the same code and cannot be told apart in the record; a permitted request shown to
 *    the party it was permitted to go to is within what the rules allowed, while hiding one it
 *    did receive would leave it unable to reconcile its own log. Sent.
 *  - PARTNER_FAILED: the partner answered 5xx (partnerStatus set). Sent.
 *  - PARTNER_RESPONSE_INVALID: it answered outside the protocol, or more than the size limit
 *    (partnerStatus null then). Sent.
 *  - PARTNER_SCHEMA_VIOLATION: it answered 200 with data outside the category schema. Sent.
 *  - PARTNER_BUSY: its bulkhead was full; the call was not made. Not sent.
 *  - PARTNER_CIRCUIT_OPEN: its breaker was open; the call was not made. Not sent.
 *  - PARTNER_UNAVAILABLE: the connection was refused or broke; in the usual case nothing reached
 *    it (a connection broken after the body went out cannot be told apart; the conservative side
 *    for a provider's view is not to show). Not sent.
 * Everything else (a deny, a ledger that could not be asked, CASE_STATE_UNAVAILABLE) never went
 * out. The test holds this table to the gateway's PartnerErrorCode, so a new code must be judged.
 */
export const PARTNER_ERROR_SENT = {
  PARTNER_TIMEOUT: true,
  PARTNER_FAILED: true,
  PARTNER_RESPONSE_INVALID: true,
  PARTNER_SCHEMA_VIOLATION: true,
  PARTNER_BUSY: false,
  PARTNER_CIRCUIT_OPEN: false,
  PARTNER_UNAVAILABLE: false
} as const satisfies Record<string, boolean>

export const SENT_ERRORS: readonly string[] = Object.entries(PARTNER_ERROR_SENT).filter(([, sent]) => sent).map(([code]) => code)

const DECISION_TYPES = 'e.event_type IN (\'data-request.decision\', \'involvement-check.decision\')'
/** A decision event flagged no-standing (false for every other event, and for purged content). */
export const NO_STANDING = 'coalesce(e.event->\'detail\'->\'flags\' @> \'["no-standing"]\'::jsonb, false)'

/** A decision the gateway carried out by calling the provider (permit decision, partner called). */
function sentToProvider (param: (value: unknown) => string): string {
  return `(${DECISION_TYPES} AND e.event->'detail'->>'decision' = 'permit' AND NOT ${NO_STANDING}
    AND (e.event->'detail'->>'partnerStatus' IS NOT NULL OR e.event->'detail'->>'error' = ANY(${param([...SENT_ERRORS])}::text[])))`
}

interface ViewRule {
  role: string
  /** Which events, in words (the README repeats this table). */
  events: string
  /** The SQL predicate over `e`; `org` binds the caller's OIN, `param` any other value. */
  predicate: (org: () => string, param: (value: unknown) => string) => string
  projection: Projection
}

export const VIEWS: Readonly<Record<Grant, ViewRule>> = {
  all: {
    role: 'supervisor (a supervisor of a party type that supervises)',
    events: 'every event, attempts without standing included',
    predicate: () => 'TRUE',
    projection: 'full'
  },
  'as-requester': {
    role: 'requester (any active party)',
    events: 'the events its organisation caused (actor.org), except attempts flagged no-standing',
    predicate: (org) => `(e.actor_org = ${org()} AND NOT ${NO_STANDING})`,
    projection: 'full'
  },
  'own-cases': {
    role: 'owning municipality (a party type that may own cases)',
    events: 'every event of the cases it opened',
    predicate: (org) => `EXISTS (SELECT 1 FROM case_owners c WHERE c.case_id = e.case_id AND c.org = ${org()})`,
    projection: 'full'
  },
  'as-provider': {
    role: 'provider (any active party)',
    events: 'the decisions naming it as provider that the gateway sent to it (called the partner)',
    predicate: (org, param) => `(e.provider = ${org()} AND ${sentToProvider(param)})`,
    projection: 'provider'
  }
}

export interface Visibility {
  /** The rows the caller may see. */
  where: string
  /** True for a row the caller sees in full; false: in the provider projection. */
  full: string
}

/** The caller's visibility as SQL over `e`; appends its parameters to `params`. */
export function visibility (scope: Scope, params: unknown[]): Visibility {
  // Every event in full: no other grant adds anything (nor a parameter the statement would not use).
  if (scope.grants.has('all')) return { where: 'TRUE', full: 'TRUE' }
  const param = (value: unknown) => { params.push(value); return `$${params.length}` }
  let orgParam: string | null = null
  const org = () => (orgParam ??= param(scope.org))
  const parts: Array<{ sql: string, projection: Projection }> = []
  for (const grant of Object.keys(VIEWS) as Grant[]) {
    if (!scope.grants.has(grant)) continue
    const rule = VIEWS[grant]
    parts.push({ sql: rule.predicate(org, param), projection: rule.projection })
  }
  const any = (ps: typeof parts) => ps.length === 0 ? 'FALSE' : `(${ps.map((p) => p.sql).join(' OR ')})`
  return { where: any(parts), full: any(parts.filter((p) => p.projection === 'full')) }
}

/**
 * What a provider received, and nothing else: the per-provider caseRef the gateway sent
 * (pseudonymise('case', caseId, provider), as exchange() in the gateway), the requesting
 * organisation and its party type (not the person, not the roles), what was asked (category,
 * fields, purpose, necessity, legal basis: the partner's request body), the request id it got
 * (transactionId) and the trace it was called in, and what it answered (outcome, partnerStatus,
 * error, its own refusal reason). Not the internal case id, not the subject's pseudonym (it
 * received the BSN; the pseudonym would let it build a table of BSN to pseudonym), not the reason
 * codes (on a permit they say whether the person has a pending objection), not the flags, the
 * protectsOthers statement, the involvement check's id (the requester's, shared by every party of
 * the check) or namedCaseId, not the policy version.
 */
export interface ProviderEvent {
  eventId: string
  time: string
  type: string
  traceId: string
  transactionId: string
  actor: { org: string | null, partyType: string | null }
  caseRef: string | null
  provider: string | null
  category: string | null
  purpose: string | null
  fieldsRequested: string[]
  outcome: string
  legalBasis: string | null
  necessity: string | null
  detail: { partnerStatus: number | null, error?: string, providerReason?: string }
}

interface StoredDecision {
  eventId: string
  time: string
  type: string
  traceId: string
  transactionId: string
  actor: { org: string | null, partyType: string | null }
  caseId: string | null
  provider: string | null
  category: string | null
  purpose: string | null
  fieldsRequested: string[]
  outcome: string
  legalBasis: string | null
  necessity: string | null
  detail?: { partnerStatus?: number | null, error?: string, providerReason?: string }
}

export function providerProjection (stored: Record<string, unknown>, pseudonymise: Pseudonymiser): ProviderEvent {
  const e = stored as unknown as StoredDecision
  const d = e.detail ?? {}
  return {
    eventId: e.eventId,
    time: e.time,
    type: e.type,
    traceId: e.traceId,
    transactionId: e.transactionId,
    actor: { org: e.actor.org, partyType: e.actor.partyType },
    caseRef: e.caseId !== null && e.provider !== null ? pseudonymise('case', e.caseId, e.provider) : null,
    provider: e.provider,
    category: e.category,
    purpose: e.purpose,
    // The gateway sends the requested fields, each once (the decision's releaseFields on a permit).
    fieldsRequested: [...new Set(e.fieldsRequested)],
    outcome: e.outcome,
    legalBasis: e.legalBasis,
    necessity: e.necessity,
    detail: {
      partnerStatus: d.partnerStatus ?? null,
      ...(d.error !== undefined ? { error: d.error } : {}),
      ...(d.providerReason !== undefined ? { providerReason: d.providerReason } : {})
    }
  }
}

/** An event as a reader sees it: in full with its leaf hash, or as the provider received it. */
export type ViewedItem =
  | { view: 'full', event: Record<string, unknown> | null, leafIndex: number, leafHash: string }
  | { view: 'provider', event: ProviderEvent, leafIndex: number }

/**
 * The one projection. A provider's item carries no leaf hash: the leaf hash is over the full event
 * (RFC 8785), which it does not get, so it could not check it against what it is shown, and a
 * hash it cannot open proves it nothing. (Its leaf index stays: the supervisor can open that leaf.)
 */
export function present (item: { event: Record<string, unknown> | null, leafIndex: number, leafHash: string }, full: boolean, pseudonymise: Pseudonymiser): ViewedItem {
  // The provider predicate never matches purged content (event null): nothing of it to show.
  if (full || item.event === null) return { view: 'full', event: item.event, leafIndex: item.leafIndex, leafHash: item.leafHash }
  return { view: 'provider', event: providerProjection(item.event, pseudonymise), leafIndex: item.leafIndex }
}
