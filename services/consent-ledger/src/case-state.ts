// The state of a case is the fold of its ledger events: `fold(events)` replays them, and the
// projection table stores the result of applying each new event to the previous state. Pure code:
// no clock, no database, no keys — the command handlers put everything an event needs (pseudonyms,
// ids, times) into the event itself, so replaying the ledger always gives the same state.

export const SOCIAL_DOMAINS = ['wmo', 'jeugd', 'participatie', 'schulden'] as const
export const ADJACENT_DOMAINS = ['zorg', 'onderwijs', 'wonen', 'oov', 'inburgering'] as const
export const DOMAINS = [...SOCIAL_DOMAINS, ...ADJACENT_DOMAINS] as const
export const ROUTES = ['hulpvraag', 'ernstig'] as const
export const PHASES = ['onderzoek', 'aanpak', 'afgesloten'] as const
export const SERIOUS_GROUNDS = ['zorgmijding', 'teloorgang', 'overlast', 'veiligheid'] as const
export const SUBJECT_ROLES = ['client', 'household-member'] as const
export const EVENT_TYPES = [
  'case.opened', 'scope.recorded', 'participant.added', 'participant.removed',
  'phase.changed', 'objection.lodged', 'objection.decided', 'case.closed'
] as const

/** Events whose content holds BSNs (readers who may not see BSNs get them without content). */
export const EVENTS_WITH_BSN = ['case.opened'] as const satisfies readonly EventType[]

export type Domain = typeof DOMAINS[number]
export type Route = typeof ROUTES[number]
export type Phase = typeof PHASES[number]
export type SeriousGround = typeof SERIOUS_GROUNDS[number]
export type SubjectRole = typeof SUBJECT_ROLES[number]
export type EventType = typeof EVENT_TYPES[number]
export type ObjectionStatus = 'pending' | 'upheld' | 'rejected'

/** Who recorded an event: the verified token's claims. */
export interface Actor { org: string, sub: string, roles: string[] }
export interface PartyRef { org: string, sub: string }

/** The data of each event type. The event's `reason` holds the why in words (statement, necessity, reason). */
export interface EventData {
  'case.opened': {
    route: Route
    municipality: string
    coordinator: PartyRef
    subjects: Array<{ bsn: string, subjectRef: string, role: SubjectRole }>
    problems: Array<{ domain: Domain, description: string }>
    relatedness: string
    seriousGrounds: SeriousGround[]
    clientInformed: boolean
    notInformedReason: string | null
  }
  /** reason = the client's statement. Empty domains and parties withdraw the scope. */
  'scope.recorded': { domains: Domain[], parties: string[], withdrawn: boolean, removedParticipants: string[] }
  /** reason = the necessity statement. */
  'participant.added': { org: string }
  'participant.removed': { org: string }
  'phase.changed': { from: Phase, to: Phase }
  /** reason = the objector's reason; subjectRef = pseudonym of the objecting person's BSN. */
  'objection.lodged': { objectionId: string, subjectRef: string }
  'objection.decided': { objectionId: string, upheld: boolean }
  'case.closed': Record<string, never>
}

/** What is hashed and stored in case_events.content. */
export interface EventContent<T extends EventType = EventType> {
  caseId: string
  seq: number
  eventId: string
  type: T
  data: EventData[T]
  actor: Actor
  reason: string | null
  recordedAt: string
}

/** The ledger's own state of a case (the projection); personal data are nulled by the retention purge. */
export interface LedgerCaseState {
  caseId: string
  version: number
  route: Route
  phase: Phase
  municipality: string
  coordinator: PartyRef
  subjects: Array<{ bsn: string | null, subjectRef: string, role: SubjectRole }>
  problems: Array<{ domain: Domain, description: string | null }>
  relatedness: string | null
  seriousGrounds: SeriousGround[]
  clientInformed: boolean
  notInformedReason: string | null
  scope: null | {
    domains: Domain[]
    parties: string[]
    withdrawn: boolean
    statement: string | null
    recordedAt: string
    recordedBy: PartyRef
  }
  participants: Array<{ org: string, necessity: string | null, addedAt: string, addedBy: PartyRef }>
  objections: Array<{
    objectionId: string
    subjectRef: string
    status: ObjectionStatus
    reason: string | null
    lodgedAt: string
    decidedAt: string | null
    decisionReason: string | null
  }>
  openedAt: string
  closedAt: string | null
  closeReason: string | null
  updatedAt: string
  purgedAt: string | null
}

export class FoldError extends Error {}

const by = (actor: Actor): PartyRef => ({ org: actor.org, sub: actor.sub })

type Step<T extends EventType> = (state: LedgerCaseState, event: EventContent<T>) => LedgerCaseState

// One pure step per event type; each returns a new state (the previous one is not changed).
const STEPS: { [T in Exclude<EventType, 'case.opened'>]: Step<T> } = {
  'scope.recorded': (s, e) => ({
    ...s,
    scope: {
      domains: [...e.data.domains],
      parties: [...e.data.parties],
      withdrawn: e.data.withdrawn,
      statement: e.reason,
      recordedAt: e.recordedAt,
      recordedBy: by(e.actor)
    },
    // A narrowed or withdrawn scope ends the involvement of the parties it no longer holds.
    participants: s.participants.filter((p) => !e.data.removedParticipants.includes(p.org))
  }),
  'participant.added': (s, e) => ({
    ...s,
    participants: [...s.participants, { org: e.data.org, necessity: e.reason, addedAt: e.recordedAt, addedBy: by(e.actor) }]
  }),
  'participant.removed': (s, e) => ({ ...s, participants: s.participants.filter((p) => p.org !== e.data.org) }),
  'phase.changed': (s, e) => ({ ...s, phase: e.data.to }),
  'objection.lodged': (s, e) => ({
    ...s,
    objections: [...s.objections, {
      objectionId: e.data.objectionId,
      subjectRef: e.data.subjectRef,
      status: 'pending',
      reason: e.reason,
      lodgedAt: e.recordedAt,
      decidedAt: null,
      decisionReason: null
    }]
  }),
  'objection.decided': (s, e) => ({
    ...s,
    objections: s.objections.map((o) => o.objectionId !== e.data.objectionId
      ? o
      : { ...o, status: e.data.upheld ? 'upheld' : 'rejected', decidedAt: e.recordedAt, decisionReason: e.reason })
  }),
  'case.closed': (s, e) => ({ ...s, phase: 'afgesloten', closedAt: e.recordedAt, closeReason: e.reason })
}

function opened (e: EventContent<'case.opened'>): LedgerCaseState {
  const d = e.data
  return {
    caseId: e.caseId,
    version: e.seq,
    route: d.route,
    phase: 'onderzoek',
    municipality: d.municipality,
    coordinator: { ...d.coordinator },
    subjects: d.subjects.map((s) => ({ ...s })),
    problems: d.problems.map((p) => ({ ...p })),
    relatedness: d.relatedness,
    seriousGrounds: [...d.seriousGrounds],
    clientInformed: d.clientInformed,
    notInformedReason: d.notInformedReason,
    scope: null,
    participants: [],
    objections: [],
    openedAt: e.recordedAt,
    closedAt: null,
    closeReason: null,
    updatedAt: e.recordedAt,
    purgedAt: null
  }
}

/** Applies one event to the state before it (null before the first event). */
export function applyEvent (state: LedgerCaseState | null, event: EventContent): LedgerCaseState {
  if (state === null) {
    if (event.type !== 'case.opened' || event.seq !== 1) throw new FoldError(`a case starts with case.opened at seq 1, got ${event.type} at ${event.seq}`)
    return opened(event as EventContent<'case.opened'>)
  }
  if (event.seq !== state.version + 1) throw new FoldError(`event seq ${event.seq} does not follow version ${state.version}`)
  if (event.type === 'case.opened') throw new FoldError('a case is opened only once')
  const step = STEPS[event.type] as Step<EventType> | undefined
  if (!step) throw new FoldError(`unknown event type ${String(event.type)}`)
  return { ...step(state, event), version: event.seq, updatedAt: event.recordedAt }
}

/** The state of a case: the fold of all its events, in seq order. */
export function fold (events: readonly EventContent[]): LedgerCaseState | null {
  return events.reduce<LedgerCaseState | null>(applyEvent, null)
}

/** The projection after the retention purge: pseudonyms, domains, parties and times stay; BSNs and words go. */
export function withoutPersonalData (state: LedgerCaseState, purgedAt: string): LedgerCaseState {
  return {
    ...state,
    subjects: state.subjects.map((s) => ({ ...s, bsn: null })),
    problems: state.problems.map((p) => ({ ...p, description: null })),
    relatedness: null,
    notInformedReason: null,
    scope: state.scope && { ...state.scope, statement: null },
    participants: state.participants.map((p) => ({ ...p, necessity: null })),
    objections: state.objections.map((o) => ({ ...o, reason: null, decisionReason: null })),
    closeReason: null,
    purgedAt
  }
}

export function isSocialDomain (domain: unknown): boolean {
  return (SOCIAL_DOMAINS as readonly unknown[]).includes(domain)
}

export function isAdjacentDomain (domain: unknown): boolean {
  return (ADJACENT_DOMAINS as readonly unknown[]).includes(domain)
}
