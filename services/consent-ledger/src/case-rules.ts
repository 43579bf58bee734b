// The opening rules of SPEC section 2, one small function per rule, as a list of data. Opening runs
// every rule on the body (even a malformed one) and reports every violation at once, together with
// the body's schema errors. A violation names its code and JSON pointer; it never repeats a BSN.
import { isValidBsn, type PartyRegisterIndex } from '@wams/platform'
import { isAdjacentDomain, isSocialDomain } from './case-state.ts'

export interface Violation { code: string, pointer: string, detail: string }

export interface OpeningRule {
  code: string
  /** What the rule requires, in words (documentation and the error detail). */
  requires: string
  check: (body: Record<string, unknown>, register: PartyRegisterIndex) => Violation[]
}

/** Statements in words must say something: at least this many characters. */
export const MIN_STATEMENT_LENGTH = 20

const list = (value: unknown): unknown[] => Array.isArray(value) ? value : []
const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {}
const text = (value: unknown): string => typeof value === 'string' ? value.trim() : ''
const ok: Violation[] = []

export const OPENING_RULES: readonly OpeningRule[] = [
  {
    code: 'PROBLEMS_INSUFFICIENT',
    requires: 'problems in at least two social-domain areas (wmo, jeugd, participatie, schulden), or in one social-domain area and one adjacent area (zorg, onderwijs, wonen, oov, inburgering)',
    check (body) {
      const domains = new Set(list(body.problems).map((p) => record(p).domain))
      const social = [...domains].filter(isSocialDomain).length
      const adjacent = [...domains].filter(isAdjacentDomain).length
      return social >= 2 || (social >= 1 && adjacent >= 1) ? ok : [{ code: this.code, pointer: '/problems', detail: `A case needs ${this.requires}.` }]
    }
  },
  {
    code: 'RELATEDNESS_MISSING',
    requires: `a statement in words (at least ${MIN_STATEMENT_LENGTH} characters) of how the problems are related (samenhang)`,
    check (body) {
      return text(body.relatedness).length >= MIN_STATEMENT_LENGTH ? ok : [{ code: this.code, pointer: '/relatedness', detail: `A case needs ${this.requires}.` }]
    }
  },
  {
    code: 'SERIOUS_GROUND_REQUIRED',
    requires: 'at least one serious ground (zorgmijding, teloorgang, overlast, veiligheid) on route ernstig',
    check (body) {
      return body.route === 'ernstig' && list(body.seriousGrounds).length === 0
        ? [{ code: this.code, pointer: '/seriousGrounds', detail: 'Route ernstig needs at least one serious ground (zorgmijding, teloorgang, overlast, veiligheid).' }]
        : ok
    }
  },
  {
    code: 'SERIOUS_GROUNDS_NOT_ALLOWED',
    requires: 'no serious grounds on route hulpvraag',
    check (body) {
      return body.route === 'hulpvraag' && list(body.seriousGrounds).length > 0
        ? [{ code: this.code, pointer: '/seriousGrounds', detail: 'Route hulpvraag is the client\'s own request for help; serious grounds belong to route ernstig.' }]
        : ok
    }
  },
  {
    code: 'CLIENT_INFORMED_REQUIRED',
    requires: 'clientInformed true on route hulpvraag',
    check (body) {
      return body.route === 'hulpvraag' && body.clientInformed === false
        ? [{ code: this.code, pointer: '/clientInformed', detail: 'On route hulpvraag the client starts the case, so the client is informed.' }]
        : ok
    }
  },
  {
    code: 'NOT_INFORMED_REASON_REQUIRED',
    requires: `a weighty reason (at least ${MIN_STATEMENT_LENGTH} characters) when the client is not informed`,
    check (body) {
      return body.clientInformed === false && text(body.notInformedReason).length < MIN_STATEMENT_LENGTH
        ? [{ code: this.code, pointer: '/notInformedReason', detail: `clientInformed false needs the weighty reason in notInformedReason (at least ${MIN_STATEMENT_LENGTH} characters).` }]
        : ok
    }
  },
  {
    code: 'ONE_CLIENT_REQUIRED',
    requires: 'exactly one subject with role client; the others are household members',
    check (body) {
      const clients = list(body.subjects).filter((s) => record(s).role === 'client').length
      return clients === 1 ? ok : [{ code: this.code, pointer: '/subjects', detail: `A case needs ${this.requires}; found ${clients} clients.` }]
    }
  },
  {
    code: 'BSN_INVALID',
    requires: 'every subject\'s BSN has nine digits and passes the eleven-test',
    check (body) {
      return list(body.subjects).flatMap((s, i) => isValidBsn(record(s).bsn)
        ? []
        : [{ code: this.code, pointer: `/subjects/${i}/bsn`, detail: 'The BSN does not have nine digits passing the eleven-test.' }])
    }
  },
  {
    code: 'DUPLICATE_SUBJECT',
    requires: 'each person is a subject once',
    check (body) {
      const seen = new Set<string>()
      return list(body.subjects).flatMap((s, i) => {
        const bsn = record(s).bsn
        if (typeof bsn !== 'string' || !isValidBsn(bsn)) return []
        if (!seen.has(bsn)) { seen.add(bsn); return [] }
        return [{ code: this.code, pointer: `/subjects/${i}/bsn`, detail: 'This person is already a subject of the case.' }]
      })
    }
  },
  {
    code: 'COORDINATOR_NOT_REGISTERED',
    requires: 'a coordinator of an active party in the register whose party type may own or take part in cases',
    check (body, register) {
      const org = record(body.coordinator).org
      return typeof org === 'string' && (register.can(org, 'mayOwnCases') || register.can(org, 'mayParticipate'))
        ? ok
        : [{ code: this.code, pointer: '/coordinator/org', detail: `The case needs ${this.requires}.` }]
    }
  }
]

/** Runs every opening rule; an empty list means the body satisfies section 2. */
export function checkOpeningRules (body: unknown, register: PartyRegisterIndex): Violation[] {
  const input = record(body)
  return OPENING_RULES.flatMap((rule) => rule.check(input, register))
}
