// The access matrix (issue 11 item 6): who may do what, as data. Every endpoint of the three
// services (gateway, consent ledger, audit) × ten callers × three cases, each cell the status the
// caller gets and what the answer may reveal. test/access-matrix.test.ts runs every cell against
// the real services and fails when an endpoint of a built app has no row here;
// scripts/access-matrix-doc.ts renders this table into docs/access-matrix.md.
//
// The cells say what the SPEC (§5, §6) and issue 11 require, not what the code happened to do:
// where the two differ the test fails, and that is a finding, not a row to change.
import { COORDINATOR, DEMO_BSN, OIN } from '../support/parties.ts'

/** The callers, in the order of issue 11 item 6. */
export const ROLES = [
  'owner', 'coordinator', 'otherCoordinator', 'ownerProfessional', 'otherMunicipality',
  'participant', 'stranger', 'supervisor', 'unregistered', 'inactive'
] as const
export type Role = typeof ROLES[number]

export interface Caller { label: string, who: string, org: string, roles: string[], sub: string }

/** A Buurdorp coordinator: the one the other municipality's case names (no caller of the matrix). */
export const OTHER_COORDINATOR = { org: OIN.otherGemeente, sub: 'coordinator-buurdorp' } as const

export const CALLERS: Readonly<Record<Role, Caller>> = {
  owner: { label: 'owner', who: 'the college of the municipality that owns the own case (Voorbeeldstad)', org: OIN.gemeente, roles: ['college'], sub: 'college-desk' },
  coordinator: { label: 'coordinator', who: 'the coordinator the own case names (token org and sub equal its coordinator)', org: COORDINATOR.org, roles: ['coordinator'], sub: COORDINATOR.sub },
  otherCoordinator: { label: 'other coordinator of the owner', who: 'a coordinator of the owning municipality whom the case does not name', org: OIN.gemeente, roles: ['coordinator'], sub: 'coordinator-bert' },
  ownerProfessional: { label: 'professional of the owner', who: 'a professional of the owning municipality', org: OIN.gemeente, roles: ['professional'], sub: 'professional-voorbeeldstad' },
  otherMunicipality: { label: 'other municipality', who: 'the college of the other municipality (Buurdorp), which owns the other case', org: OIN.otherGemeente, roles: ['college'], sub: 'college-buurdorp' },
  participant: { label: 'participant', who: 'a professional of the police, a participant of the own case (and provider of one of its requests)', org: OIN.politie, roles: ['professional'], sub: 'pro-politie' },
  stranger: { label: 'stranger', who: 'a professional of a housing corporation, registered and active, in neither case', org: OIN.woningcorporatie, roles: ['professional'], sub: 'pro-woningcorporatie' },
  supervisor: { label: 'supervisor', who: 'a supervisor of the toezichthouder (the AP)', org: OIN.toezichthouder, roles: ['supervisor'], sub: 'ap-inspecteur' },
  unregistered: { label: 'unregistered', who: 'a validly signed token of an organisation not in the register, claiming role college', org: OIN.unregistered, roles: ['college'], sub: 'unregistered-college' },
  inactive: { label: 'inactive', who: 'a professional of a housing corporation that is in the register but not active', org: OIN.inactiveWoningcorporatie, roles: ['professional'], sub: 'pro-inactive' }
}

export const CASES = ['own', 'other', 'none'] as const
export type CaseName = typeof CASES[number]

export const CASE_INFO: Readonly<Record<CaseName, string>> = {
  own: `a case of the owner (Voorbeeldstad), route ernstig, about client ${DEMO_BSN.client} and household member ${DEMO_BSN.member}, coordinator ${COORDINATOR.sub}, with the police as participant`,
  other: `a case of the other municipality (Buurdorp), route ernstig, about its resident ${DEMO_BSN.elsewhere}, coordinator ${OTHER_COORDINATOR.sub}, no participants`,
  none: 'a case id that names no case (a random UUID)'
}

/**
 * What an answer may reveal. Each word is checked concretely by the test. The refusals are also
 * checked to be one answer, apart from the ids of the request and its audit event: "nothing" in
 * every such cell of the endpoint, whoever asks; "forbidden" and "not-resident" in every such cell
 * of one caller.
 */
export const REVEALS = {
  nothing: 'the answer for a case that does not exist, byte-identical in every such cell of the endpoint (apart from request and audit ids), no Server-Timing: nothing about the case, not even that it exists',
  forbidden: 'a refusal that does not depend on the case (the same answer for each of the caller\'s cells of the endpoint), no case content and no BSN; at the audit service a party not active in the register is refused at authentication (403 ORG_NOT_REGISTERED)',
  'not-resident': '403 SUBJECT_NOT_RESIDENT, one answer for "lives elsewhere" and "unknown to the BRP"; it does not say where the person lives',
  opened: '201 with the new case id and its Location',
  written: 'the change is recorded: 2xx with the event and the case at its next version',
  data: 'permit: exactly the requested, permitted fields',
  reasons: '403 deny with every failing reason code',
  answers: 'involvement check: per party only outcome, known and contact person',
  'reasons-per-party': 'involvement check: every party denied, with its reason codes; nobody asked',
  'case-with-bsn': 'the full case, with BSNs (the owning municipality)',
  'case-pseudonymised': 'the full case with pseudonyms, no BSN',
  'case-as-participant': 'the participant view: no BSN, no words about the person',
  history: 'the case\'s events and hash chain, with content',
  'history-without-bsn': 'the case\'s events and hash chain; events that carry a BSN without content',
  verification: 'the hash chain recomputed: valid, its length',
  'subject-cases': 'the ids of the cases that name the person, of the caller\'s own municipality (every case: the supervisor); no BSN',
  'decision-state': 'the decision facts of the case (pseudonyms, no BSN, no words about the person)',
  'all-events': 'every event that matches (the supervisor)',
  'case-events': 'every event of the case (its owning municipality), plus its own requests and what was sent to it',
  'own-events': 'only the events its organisation caused (not its attempts without standing), and the requests actually sent to it as the provider received them (caseRef, requesting organisation and party type; no case id, no person, no subject pseudonym)',
  event: 'the event in full with its inclusion proof',
  projection: 'the event as the provider received it: caseRef instead of the case id, the requesting organisation and party type instead of the person, no subject pseudonym',
  report: 'the inzage report of the person, without BSN; the request is itself audited',
  receipt: 'leaf indexes and inclusion proofs of event ids, no event content',
  checkpoint: 'a signed checkpoint',
  cosigned: 'the checkpoint with the witness\'s cosignature the log now keeps',
  proof: 'a consistency proof (hashes only)',
  export: 'the whole log as JSONL',
  rejected: 'the messages the log refused',
  public: 'the public document or status, the same for everyone'
} as const
export type Reveal = keyof typeof REVEALS

/** `<status> <reveal>`; `200|201` where either is right. */
export type Cell = `${number} ${Reveal}` | `${number}|${number} ${Reveal}`

export type Service = 'gateway' | 'consent-ledger' | 'audit'
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

interface RowBase {
  service: Service
  method: Method
  /** The route as the app registers it (printRoutes). */
  path: string
  /** Further routes the row stands for (the docs UI's static files). */
  covers?: RegExp
  what: string
}

export interface CaseRow extends RowBase {
  /** What the own, other and no case are for this endpoint. */
  target: string
  cells: Readonly<Record<Role, readonly [own: Cell, other: Cell, none: Cell]>>
}

export interface AnyCaseRow extends RowBase {
  /** The endpoint names no case: one cell per caller. */
  cells: Readonly<Record<Role, Cell>>
}

export type Row = CaseRow | AnyCaseRow

export const isCaseRow = (row: Row): row is CaseRow => 'target' in row

type Triple = readonly [Cell, Cell, Cell]

/** One cell for every caller. */
function everyone<C extends Cell | Triple> (cell: C): Record<Role, C> {
  return Object.fromEntries(ROLES.map((r) => [r, cell])) as Record<Role, C>
}

/** `rest` for every caller `some` does not name. */
function callers<C extends Cell | Triple> (some: Partial<Record<Role, C>>, rest: C): Record<Role, C> {
  return Object.fromEntries(ROLES.map((r) => [r, some[r] ?? rest])) as Record<Role, C>
}

const NOTHING: Triple = ['404 nothing', '404 nothing', '404 nothing']

/** The shell every service has: health, the OpenAPI document, its docs UI. */
function shell (service: Service): AnyCaseRow[] {
  return [
    { service, method: 'GET', path: '/health/live', what: 'liveness', cells: everyone('200 public') },
    { service, method: 'GET', path: '/health/ready', what: 'readiness', cells: everyone('200 public') },
    { service, method: 'GET', path: '/v1/openapi.json', what: 'the OpenAPI document', cells: everyone('200 public') },
    { service, method: 'GET', path: '/v1/docs/json', covers: /^\/v1\/docs(\/.*)?$/, what: 'the docs UI (every /v1/docs route)', cells: everyone('200 public') }
  ]
}

/**
 * A write to a case (SPEC §6 consent ledger): its college and its coordinator; a participant and
 * the supervisor know the case and get 403; everyone else, and everyone for no case, the 404 of a
 * case that does not exist.
 */
function write (path: string, method: Method, status: number, what: string, target: string): CaseRow {
  const ok = `${status} written` as Cell
  return {
    service: 'consent-ledger',
    method,
    path,
    what,
    target,
    cells: callers<Triple>({
      owner: [ok, '404 nothing', '404 nothing'],
      coordinator: [ok, '404 nothing', '404 nothing'],
      otherMunicipality: ['404 nothing', ok, '404 nothing'],
      participant: ['403 forbidden', '404 nothing', '404 nothing'],
      supervisor: ['403 forbidden', '403 forbidden', '404 nothing']
    }, NOTHING)
  }
}

/** Reads of the case's record (ledger, verification): its college, its coordinator, the supervisor; a participant knows the case (403). */
function recordRead (path: string, what: string, full: Reveal, supervisor: Reveal): CaseRow {
  return {
    service: 'consent-ledger',
    method: 'GET',
    path,
    what,
    target: 'the case',
    cells: callers<Triple>({
      owner: [`200 ${full}`, '404 nothing', '404 nothing'],
      coordinator: [`200 ${full}`, '404 nothing', '404 nothing'],
      otherMunicipality: ['404 nothing', `200 ${full}`, '404 nothing'],
      participant: ['403 forbidden', '404 nothing', '404 nothing'],
      supervisor: [`200 ${supervisor}`, `200 ${supervisor}`, '404 nothing']
    }, NOTHING)
  }
}

/** Only active parties of the register read the audit log: the others are refused at authentication, whatever they ask. */
const notActive = { unregistered: ['403 forbidden', '403 forbidden', '403 forbidden'], inactive: ['403 forbidden', '403 forbidden', '403 forbidden'] } as const satisfies Partial<Record<Role, Triple>>

/** Who sees which audit events (SPEC §6, issue 11 item 2), for a read filtered to one case or one person. */
function auditView (method: Method, path: string, what: string, target: string): CaseRow {
  const municipality: Triple = ['200 case-events', '200 own-events', '200 own-events']
  return {
    service: 'audit',
    method,
    path,
    what,
    target,
    cells: callers<Triple>({
      owner: municipality,
      coordinator: municipality,
      otherCoordinator: municipality,
      ownerProfessional: municipality,
      otherMunicipality: ['200 own-events', '200 case-events', '200 own-events'],
      supervisor: ['200 all-events', '200 all-events', '200 all-events'],
      ...notActive
    }, ['200 own-events', '200 own-events', '200 own-events'])
  }
}

const supervisorOnly = (cell: Cell): Record<Role, Cell> => callers<Cell>({ supervisor: cell }, '403 forbidden')

export const TABLE: readonly Row[] = [
  // ---- gateway ---------------------------------------------------------------------------------
  ...shell('gateway'),
  { service: 'gateway', method: 'GET', path: '/v1/parties', what: 'the party register (public, like the OIN register)', cells: everyone('200 public') },
  { service: 'gateway', method: 'GET', path: '/v1/policy', what: 'the rules and tables in force (public)', cells: everyone('200 public') },
  {
    service: 'gateway',
    method: 'POST',
    path: '/v1/cases/:caseId/data-requests',
    what: 'a data request: onderzoek, the GGD\'s health signal `careInvolved` about the case\'s client',
    target: 'the case named in the URL',
    // Reasons only for callers with standing: the case's municipality as college or coordinator,
    // the named coordinator, a participant, the supervisor (SPEC §6, issue 11 item 1).
    cells: callers<Triple>({
      owner: ['200 data', '404 nothing', '404 nothing'],
      coordinator: ['200 data', '404 nothing', '404 nothing'],
      otherCoordinator: ['200 data', '404 nothing', '404 nothing'],
      otherMunicipality: ['404 nothing', '200 data', '404 nothing'],
      participant: ['403 reasons', '404 nothing', '404 nothing'],
      supervisor: ['403 reasons', '403 reasons', '404 nothing']
    }, NOTHING)
  },
  {
    service: 'gateway',
    method: 'POST',
    path: '/v1/cases/:caseId/involvement-check',
    what: 'the involvement check (check op bekendheid), asking the GGD',
    target: 'the case named in the URL',
    cells: callers<Triple>({
      owner: ['200 answers', '404 nothing', '404 nothing'],
      coordinator: ['200 answers', '404 nothing', '404 nothing'],
      otherCoordinator: ['200 answers', '404 nothing', '404 nothing'],
      otherMunicipality: ['404 nothing', '200 answers', '404 nothing'],
      participant: ['200 reasons-per-party', '404 nothing', '404 nothing'],
      supervisor: ['200 reasons-per-party', '200 reasons-per-party', '404 nothing']
    }, NOTHING)
  },

  // ---- consent ledger --------------------------------------------------------------------------
  ...shell('consent-ledger'),
  {
    service: 'consent-ledger',
    method: 'POST',
    path: '/v1/cases',
    what: 'opening a case (only the college of a gemeente, for its own residents)',
    target: `own: a case about ${DEMO_BSN.client}, who lives in Voorbeeldstad; other: about ${DEMO_BSN.elsewhere}, who lives in Buurdorp; none: about a person the BRP does not know`,
    cells: callers<Triple>({
      owner: ['201 opened', '403 not-resident', '403 not-resident'],
      otherMunicipality: ['403 not-resident', '201 opened', '403 not-resident']
    }, ['403 forbidden', '403 forbidden', '403 forbidden'])
  },
  {
    service: 'consent-ledger',
    method: 'GET',
    path: '/v1/cases/:caseId',
    what: 'the case as the reader may see it',
    target: 'the case',
    cells: callers<Triple>({
      owner: ['200 case-with-bsn', '404 nothing', '404 nothing'],
      coordinator: ['200 case-with-bsn', '404 nothing', '404 nothing'],
      otherMunicipality: ['404 nothing', '200 case-with-bsn', '404 nothing'],
      participant: ['200 case-as-participant', '404 nothing', '404 nothing'],
      supervisor: ['200 case-pseudonymised', '200 case-pseudonymised', '404 nothing']
    }, NOTHING)
  },
  {
    service: 'consent-ledger',
    method: 'GET',
    path: '/v1/cases/:caseId/decision-state',
    what: 'the decision facts, for the gateway (system role) and the supervisor; refused to others before the case is looked up',
    target: 'the case',
    cells: callers<Triple>({ supervisor: ['200 decision-state', '200 decision-state', '404 nothing'] }, ['403 forbidden', '403 forbidden', '403 forbidden'])
  },
  recordRead('/v1/cases/:caseId/ledger', 'the case\'s event history with its hash chain', 'history', 'history-without-bsn'),
  recordRead('/v1/cases/:caseId/verification', 'the case\'s hash chain recomputed', 'verification', 'verification'),
  {
    service: 'consent-ledger',
    method: 'POST',
    path: '/v1/subjects/cases',
    what: 'the cases in which a person is a subject (the audit service asks it, with the caller\'s own token, before it gives a municipality an inzage report)',
    target: `own: the own case's client ${DEMO_BSN.client}; other: the other case's client ${DEMO_BSN.elsewhere}; none: a person in no case`,
    cells: callers<Triple>({
      owner: ['200 subject-cases', '200 nothing', '200 nothing'],
      coordinator: ['200 subject-cases', '200 nothing', '200 nothing'],
      otherCoordinator: ['200 subject-cases', '200 nothing', '200 nothing'],
      otherMunicipality: ['200 nothing', '200 subject-cases', '200 nothing'],
      supervisor: ['200 subject-cases', '200 subject-cases', '200 nothing']
    }, ['403 forbidden', '403 forbidden', '403 forbidden'])
  },
  {
    service: 'consent-ledger',
    method: 'POST',
    path: '/v1/case-state-leases',
    what: 'a gateway instance\'s case-state lease and the ids of changed cases (the gateway\'s system role only)',
    cells: everyone<Cell>('403 forbidden')
  },
  write('/v1/cases/:caseId/scope', 'PUT', 200, 'the client\'s scope (route hulpvraag)', 'the case (a hulpvraag case of the same owner where the write is allowed)'),
  write('/v1/cases/:caseId/participants', 'POST', 201, 'adding a participant (the GGD)', 'the case'),
  write('/v1/cases/:caseId/participants/:org', 'DELETE', 200, 'removing a participant (the police)', 'the case'),
  write('/v1/cases/:caseId/phase', 'POST', 200, 'to phase aanpak', 'the case'),
  write('/v1/cases/:caseId/close', 'POST', 200, 'closing the case', 'the case'),
  write('/v1/cases/:caseId/objections', 'POST', 201, 'lodging an objection for the client', 'the case'),
  write('/v1/cases/:caseId/objections/:objectionId/decision', 'POST', 200, 'deciding an objection', 'the case and an objection lodged in it'),

  // ---- audit -----------------------------------------------------------------------------------
  ...shell('audit'),
  { service: 'audit', method: 'GET', path: '/v1/audit/checkpoint', what: 'the latest signed checkpoint (public, like a transparency log\'s)', cells: everyone('200 public') },
  { service: 'audit', method: 'GET', path: '/v1/audit/keys', what: 'the keys to verify checkpoints (public)', cells: everyone('200 public') },
  {
    service: 'audit',
    method: 'POST',
    path: '/v1/audit/receipts',
    what: 'inclusion receipts for the producers (public)',
    target: 'own: an event of the own case; other: an event of the other case; none: an id of no event',
    cells: everyone<Triple>(['200 receipt', '200 receipt', '200 receipt'])
  },
  { service: 'audit', method: 'GET', path: '/v1/audit/consistency', what: 'a consistency proof between two tree sizes', cells: callers<Cell>({ unregistered: '403 forbidden', inactive: '403 forbidden' }, '200 proof') },
  { service: 'audit', method: 'POST', path: '/v1/audit/checkpoints', what: 'a checkpoint on demand', cells: supervisorOnly('200|201 checkpoint') },
  {
    service: 'audit',
    method: 'POST',
    path: '/v1/audit/checkpoints/:treeSize/cosignatures',
    what: 'a witness\'s cosignature of the latest checkpoint, by a witness key the log is configured with',
    cells: supervisorOnly('200|201 cosigned')
  },
  { service: 'audit', method: 'GET', path: '/console', covers: /^\/console(\/.*|\*)?$/, what: 'the supervisor\'s console (every `/console` route): static files, public like the checkpoint (every API call it makes carries the caller\'s token)', cells: everyone('200 public') },
  { service: 'audit', method: 'GET', path: '/v1/audit/rejected', what: 'the messages the log refused', cells: supervisorOnly('200 rejected') },
  { service: 'audit', method: 'GET', path: '/v1/audit/export', what: 'the log as JSONL for the offline verifier', cells: supervisorOnly('200 export') },
  auditView('GET', '/v1/audit/events', 'audit events, filtered by caseId', 'the caseId filter'),
  auditView('POST', '/v1/audit/events/search', 'audit events about a person (BSN in the body)', `own: the own case's client ${DEMO_BSN.client}; other: the other case's client ${DEMO_BSN.elsewhere}; none: a person in no case`),
  { service: 'audit', method: 'GET', path: '/v1/audit/statistics', what: 'figures (counts per day, reasons, answer times) over the decisions the caller may see in a period', cells: callers<Cell>({ supervisor: '200 all-events', unregistered: '403 forbidden', inactive: '403 forbidden' }, '200 own-events') },
  auditView('GET', '/v1/audit/stream', 'the live stream, filtered by caseId, resumed from the start of the log (Last-Event-ID)', 'the caseId filter'),
  {
    service: 'audit',
    method: 'GET',
    path: '/v1/audit/events/:eventId',
    what: 'one event with its inclusion proof',
    target: 'own: the owner\'s permitted request to the police in the own case; other: the other municipality\'s permitted request in the other case; none: an id of no event',
    cells: callers<Triple>({
      owner: ['200 event', '404 nothing', '404 nothing'],
      coordinator: ['200 event', '404 nothing', '404 nothing'],
      otherCoordinator: ['200 event', '404 nothing', '404 nothing'],
      ownerProfessional: ['200 event', '404 nothing', '404 nothing'],
      otherMunicipality: ['404 nothing', '200 event', '404 nothing'],
      participant: ['200 projection', '404 nothing', '404 nothing'],
      supervisor: ['200 event', '200 event', '404 nothing'],
      ...notActive
    }, NOTHING)
  },
  {
    service: 'audit',
    method: 'POST',
    path: '/v1/audit/subject-report',
    what: 'the inzage report of a person: the supervisor, or the owning municipality (college or coordinator) of a case that names the person according to the consent ledger',
    target: `own: the own case's client ${DEMO_BSN.client}; other: the other case's client ${DEMO_BSN.elsewhere} (whom the owner once named in a denied request); none: a person in no case`,
    cells: callers<Triple>({
      owner: ['200 report', '403 nothing', '403 nothing'],
      coordinator: ['200 report', '403 nothing', '403 nothing'],
      otherCoordinator: ['200 report', '403 nothing', '403 nothing'],
      otherMunicipality: ['403 nothing', '200 report', '403 nothing'],
      supervisor: ['200 report', '200 report', '200 report'],
      ...notActive
    }, ['403 nothing', '403 nothing', '403 nothing'])
  }
]

/** The key of a row: service, method and route. */
export const rowKey = (row: Pick<Row, 'service' | 'method' | 'path'>): string => `${row.service} ${row.method} ${row.path}`

/** A cell's statuses and its reveal. */
export function parseCell (cell: Cell): { statuses: number[], reveals: Reveal } {
  const [status, reveals] = cell.split(' ') as [string, Reveal]
  return { statuses: status.split('|').map(Number), reveals }
}

/** The cells of a row by case; a row that names no case has the same cell in each column. */
export function cellsOf (row: Row, role: Role): Record<CaseName, Cell> {
  const cells = row.cells[role]
  if (typeof cells === 'string') return { own: cells, other: cells, none: cells }
  return { own: cells[0], other: cells[1], none: cells[2] }
}
