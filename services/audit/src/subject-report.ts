// The data-subject access report (inzage, GDPR art. 15): every disclosure about one person, every
// request for their data that was refused (with the provider's own reason where it refused), and
// every event of a case about them (a case opened in which they are a client or household member,
// its scope, participants, phases, their objections, its closing), in words a resident
// understands: who, when, which kind of data and which items, why, and on what legal basis.
// Access: the supervisor (everything), or the college or coordinator of a municipality that has a
// case in which the person is a subject — according to the consent ledger, which the route asks
// (ledger-client.ts), not according to which pseudonyms the log's events name (a denied request
// naming a BSN would do) — and then what that municipality may see: its cases, its own requests.
// A resident's own request goes through that municipality's portal, which authenticates the
// resident.
//
// Exception (UAVG art. 41): while a case of route `ernstig` stands (is not closed) with
// `clientInformed: false`, a report asked by a municipality leaves every event of that case out,
// and says so only in `withheld` — a count for the municipality, never to be shown to the
// resident. The supervisor always sees everything. The audit log knows cases only from the case
// events on its topic: route and clientInformed travel in their typed detail (CaseEventDetail).
import type { Pool, PartyRegisterIndex, Principal } from '@wams/platform'
import { seesAll, type Scope } from './scope.ts'
import { visibility } from './views.ts'

export type Language = 'nl' | 'en'

type Text = Record<Language, string>

const CATEGORY: Record<string, Text> = {
  involvement: { nl: 'of u bij hen bekend bent', en: 'whether they know you' },
  identity: { nl: 'uw identiteitsgegevens', en: 'your identity details' },
  household: { nl: 'uw huishouden', en: 'your household' },
  'wmo-support': { nl: 'uw Wmo-ondersteuning', en: 'your social support (Wmo)' },
  'youth-care': { nl: 'jeugdhulp', en: 'youth care' },
  income: { nl: 'uw inkomen en uitkering', en: 'your income and benefits' },
  debts: { nl: 'uw schulden', en: 'your debts' },
  housing: { nl: 'uw woonsituatie', en: 'your housing' },
  education: { nl: 'school en opleiding', en: 'school and education' },
  health: { nl: 'uw gezondheid', en: 'your health' },
  criminal: { nl: 'justitiële gegevens (politie en reclassering)', en: 'police and probation records' },
  safety: { nl: 'veiligheid (zoals huiselijk geweld)', en: 'safety (such as domestic violence)' }
}

const FIELD: Record<string, Text> = {
  known: { nl: 'of u bekend bent', en: 'whether you are known' },
  since: { nl: 'sinds wanneer', en: 'since when' },
  contactPerson: { nl: 'de contactpersoon', en: 'the contact person' },
  name: { nl: 'naam', en: 'name' },
  birthDate: { nl: 'geboortedatum', en: 'date of birth' },
  address: { nl: 'adres', en: 'address' },
  size: { nl: 'grootte van het huishouden', en: 'household size' },
  members: { nl: 'leden van het huishouden', en: 'household members' },
  hasProvision: { nl: 'of u een voorziening heeft', en: 'whether you have a provision' },
  provisions: { nl: 'welke voorzieningen', en: 'which provisions' },
  hasYouthCare: { nl: 'of er jeugdhulp is', en: 'whether there is youth care' },
  childProtectionOrder: { nl: 'of er een kinderbeschermingsmaatregel is', en: 'whether there is a child protection order' },
  measures: { nl: 'welke maatregelen', en: 'which measures' },
  benefitType: { nl: 'soort uitkering', en: 'type of benefit' },
  benefitSince: { nl: 'uitkering sinds', en: 'benefit since' },
  sanctions: { nl: 'sancties', en: 'sanctions' },
  hasArrears: { nl: 'of er achterstanden zijn', en: 'whether there are arrears' },
  totalArrears: { nl: 'totaal aan achterstanden', en: 'total arrears' },
  arrears: { nl: 'de achterstanden', en: 'the arrears' },
  inDebtCounselling: { nl: 'of u in de schuldhulpverlening zit', en: 'whether you are in debt counselling' },
  tenant: { nl: 'of u huurder bent', en: 'whether you are a tenant' },
  rentArrears: { nl: 'huurachterstand', en: 'rent arrears' },
  evictionRisk: { nl: 'risico op huisuitzetting', en: 'risk of eviction' },
  arrearsMonths: { nl: 'aantal maanden achterstand', en: 'months in arrears' },
  nuisanceReports: { nl: 'meldingen van overlast', en: 'nuisance reports' },
  enrolled: { nl: 'of er een inschrijving is', en: 'whether enrolled' },
  truancyReports: { nl: 'meldingen van verzuim', en: 'truancy reports' },
  school: { nl: 'welke school', en: 'which school' },
  attendanceRate: { nl: 'aanwezigheid', en: 'attendance' },
  careInvolved: { nl: 'of u zorg krijgt', en: 'whether you receive care' },
  careType: { nl: 'soort zorg', en: 'type of care' },
  riskIndication: { nl: 'inschatting van risico', en: 'risk indication' },
  diagnosisSummary: { nl: 'samenvatting van de diagnose', en: 'summary of the diagnosis' },
  treatmentSummary: { nl: 'samenvatting van de behandeling', en: 'summary of the treatment' },
  policeContacts: { nl: 'contacten met de politie', en: 'police contacts' },
  probationSupervision: { nl: 'reclasseringstoezicht', en: 'probation supervision' },
  recentIncidents: { nl: 'recente incidenten', en: 'recent incidents' },
  convictions: { nl: 'veroordelingen', en: 'convictions' },
  riskAssessment: { nl: 'risicotaxatie', en: 'risk assessment' },
  domesticViolenceReports: { nl: 'meldingen van huiselijk geweld', en: 'domestic violence reports' }
}

const PURPOSE: Record<string, Text> = {
  onderzoek: { nl: 'onderzoek of een gecoördineerde aanpak voor u nodig is', en: 'investigating whether you need a coordinated approach' },
  casusoverleg: { nl: 'overleg tussen de betrokken organisaties over de hulp aan u', en: 'a case conference of the organisations helping you' },
  coordinatie: { nl: 'het afstemmen van de hulp aan u', en: 'coordinating the help you get' }
}

const PARTY_TYPE: Record<string, Text> = {
  gemeente: { nl: 'gemeente', en: 'municipality' },
  zorgaanbieder: { nl: 'zorgaanbieder', en: 'care provider' },
  huisarts: { nl: 'huisarts', en: 'general practitioner' },
  ggd: { nl: 'GGD', en: 'public health service (GGD)' },
  'veilig-thuis': { nl: 'Veilig Thuis', en: 'Veilig Thuis (domestic violence and child abuse centre)' },
  jeugdhulpaanbieder: { nl: 'jeugdhulpaanbieder', en: 'youth care provider' },
  woningcorporatie: { nl: 'woningcorporatie', en: 'housing association' },
  energieleverancier: { nl: 'energieleverancier', en: 'energy supplier' },
  zorgverzekeraar: { nl: 'zorgverzekeraar', en: 'health insurer' },
  school: { nl: 'school', en: 'school' },
  uwv: { nl: 'UWV', en: 'UWV (employee insurance agency)' },
  schuldhulpverlening: { nl: 'schuldhulpverlening', en: 'debt counselling service' },
  politie: { nl: 'politie', en: 'police' },
  reclassering: { nl: 'reclassering', en: 'probation service' },
  toezichthouder: { nl: 'toezichthouder', en: 'supervisory authority' }
}

// Why a request was refused by the rules (SPEC section 5), for a resident.
const REASON: Record<string, Text> = {
  REQUESTER_NOT_REGISTERED: { nl: 'de vragende organisatie mag niet meedoen', en: 'the asking organisation is not allowed to take part' },
  PROVIDER_NOT_REGISTERED: { nl: 'de gevraagde organisatie mag niet meedoen', en: 'the organisation asked is not allowed to take part' },
  CASE_NOT_FOUND: { nl: 'er was geen aanpak (zaak) voor u', en: 'there was no coordinated approach (case) for you' },
  CASE_CLOSED: { nl: 'uw aanpak was al afgesloten', en: 'your coordinated approach was already closed' },
  SUBJECT_NOT_IN_CASE: { nl: 'u hoort niet bij deze aanpak', en: 'you are not part of this coordinated approach' },
  PURPOSE_NOT_IN_PHASE: { nl: 'het doel paste niet bij de fase van de aanpak', en: 'the purpose did not fit the stage of the approach' },
  ROLE_NOT_PERMITTED: { nl: 'de vrager had niet de juiste rol', en: 'the person asking did not have the right role' },
  PROVIDER_NOT_PARTICIPANT: { nl: 'de gevraagde organisatie is niet betrokken bij uw aanpak', en: 'the organisation asked is not involved in your approach' },
  CATEGORY_NOT_SUPPLIED: { nl: 'de organisatie levert dit soort gegevens niet', en: 'the organisation does not supply this kind of data' },
  OUTSIDE_CLIENT_SCOPE: { nl: 'u had hiervoor geen toestemming gegeven in uw keuze wie mag meedoen', en: 'it was outside what you agreed to' },
  CATEGORY_NOT_PERMITTED: { nl: 'deze gegevens mogen niet naar deze organisatie', en: 'this data may not go to this organisation' },
  NECESSITY_NOT_STATED: { nl: 'er was niet uitgelegd waarom het nodig was', en: 'it was not explained why it was needed' },
  FIELD_UNKNOWN: { nl: 'er werd iets gevraagd dat niet bestaat', en: 'something was asked that does not exist' },
  FIELD_NOT_NECESSARY: { nl: 'er werd meer gevraagd dan nodig', en: 'more was asked than needed' },
  OBJECTION_PENDING: { nl: 'u heeft bezwaar gemaakt en dat loopt nog', en: 'you objected and the objection is pending' },
  OBJECTION_UPHELD: { nl: 'uw bezwaar is toegewezen', en: 'your objection was upheld' },
  // Recorded with a permit (rule 11's exception), not a refusal. The stated reason is not shown: it may be about someone else.
  OBJECTION_PENDING_OVERRIDDEN: {
    nl: 'gedeeld ondanks uw lopende bezwaar, omdat het nodig was om een ander te beschermen (AVG art. 18 lid 2)',
    en: 'shared despite your pending objection, because it was needed to protect another person (GDPR art. 18(2))'
  }
}

// What happened in a case about the person (consent-ledger events).
const CASE_EVENT: Record<string, Text> = {
  'case.opened': { nl: 'opende een gecoördineerde aanpak (zaak) waarin u {role} bent', en: 'opened a coordinated approach (case) in which you are {role}' },
  'scope.recorded': { nl: 'legde vast welke organisaties en domeinen in de aanpak mogen meedoen', en: 'recorded which organisations and domains are in scope of the approach' },
  'participant.added': { nl: 'voegde een organisatie toe aan de aanpak', en: 'added an organisation to the approach' },
  'participant.removed': { nl: 'haalde een organisatie uit de aanpak', en: 'removed an organisation from the approach' },
  'phase.changed': { nl: 'bracht de aanpak in een volgende fase', en: 'moved the approach to its next stage' },
  'objection.lodged': { nl: 'legde uw bezwaar vast', en: 'recorded your objection' },
  'objection.decided': { nl: 'besliste op uw bezwaar', en: 'decided on your objection' },
  'case.closed': { nl: 'sloot de aanpak af', en: 'closed the approach' },
  'case.purged': { nl: 'verwijderde de persoonsgegevens van de aanpak na afloop van de bewaartermijn', en: 'deleted the personal data of the approach after the retention period' }
}

const ROLE: Record<string, Text> = {
  client: { nl: 'de cliënt', en: 'the client' },
  'household-member': { nl: 'lid van het huishouden', en: 'a member of the household' }
}

const T = {
  permit: { nl: 'gedeeld', en: 'shared' },
  refused: { nl: 'niet gedeeld: de organisatie weigerde (bijvoorbeeld vanwege het medisch beroepsgeheim)', en: 'not shared: the organisation refused (for example because of medical confidentiality)' },
  deny: { nl: 'niet gedeeld: het verzoek mocht niet volgens de regels', en: 'not shared: the rules did not allow the request' },
  unknownParty: { nl: 'een onbekende organisatie', en: 'an unknown organisation' },
  system: { nl: 'het systeem (bewaartermijn)', en: 'the system (retention period)' },
  noBasis: { nl: 'niet vastgelegd', en: 'not recorded' }
} satisfies Record<string, Text>

export interface ReportEntry {
  eventId: string
  leafIndex: number | null
  time: string
  outcome: 'permit' | 'refused' | 'deny'
  requester: { org: string | null, name: string, partyType: string | null }
  provider: { org: string | null, name: string, partyType: string | null }
  category: string | null
  categoryText: string
  fields: string[]
  fieldsText: string[]
  purpose: string | null
  purposeText: string
  legalBasis: string | null
  reasons: string[]
  /** The provider's own reason when it refused (the gateway's detail.providerReason). */
  providerReason: string | null
  /** The whole entry as one sentence. */
  text: string
}

/** An event of a case about the person (consent ledger). */
export interface CaseEntry {
  eventId: string
  leafIndex: number | null
  time: string
  eventType: string
  /** The person's role in the case: client or household-member. */
  role: string | null
  by: { org: string | null, name: string, partyType: string | null }
  legalBasis: string | null
  text: string
}

/**
 * What the report leaves out under UAVG art. 41, for the municipality only: the resident never
 * sees this part (a portal shows summary, disclosures, refusals and caseEvents). Always present,
 * so its presence says nothing; zero for the supervisor, who sees everything.
 */
export interface Withheld {
  events: number
  cases: number
  basis: string
}

export interface SubjectReport {
  language: Language
  generatedAt: string
  summary: string
  disclosures: ReportEntry[]
  refusals: ReportEntry[]
  caseEvents: CaseEntry[]
  withheld: Withheld
}

export const WITHHELD_BASIS = 'UAVG art. 41: events of a case of route ernstig whose client is not informed (clientInformed false) and that is not closed; for the municipality only, never to be shown to the resident'

/**
 * Who may ask for a report: the supervisor, for anyone ('all'); the college or coordinator of a
 * party type that may own cases (capability table: the gemeente), for a person the consent ledger
 * says is a subject of one of its municipality's cases ('ledger': the route asks); nobody else.
 */
export function reportAccess (principal: Principal, scope: Scope): 'all' | 'ledger' | 'none' {
  if (seesAll(scope)) return 'all'
  if (scope.grants.has('own-cases') && principal.roles.some((r) => r === 'college' || r === 'coordinator')) return 'ledger'
  return 'none'
}

interface Row {
  event_type: string
  case_id: string | null
  /** Seen in full; false: only as the provider it was sent to (views.ts). */
  full_view: boolean
  event: {
    eventId: string,
    time: string,
    outcome: ReportEntry['outcome'],
    actor: { org: string | null, partyType: string | null }
    provider: string | null,
    category: string | null,
    purpose: string | null,
    legalBasis: string | null
    fieldsRequested: string[],
    fieldsReleased: string[],
    reasons: string[],
    detail?: { providerReason?: unknown, eventType?: unknown, subjectRole?: unknown }
  }
  leaf_index: string | null
}

/**
 * The cases among `caseIds` that the UAVG art. 41 exception covers now: the latest case event the
 * log holds for the case says route ernstig and clientInformed false, and it is not the closing
 * (or the purge) of the case.
 */
export async function withheldCases (pool: Pool, caseIds: readonly string[]): Promise<Set<string>> {
  if (caseIds.length === 0) return new Set()
  const { rows } = await pool.query<{ case_id: string }>(
    `SELECT case_id FROM (
       SELECT DISTINCT ON (e.case_id) e.case_id, e.event->'detail' AS d
       FROM audit_events e
       WHERE e.case_id = ANY($1::text[]) AND e.event_type = 'case.event' AND e.event IS NOT NULL
       ORDER BY e.case_id, (e.event->'detail'->>'version')::bigint DESC, e.seq DESC) latest
     WHERE d->>'route' = 'ernstig' AND d->>'clientInformed' = 'false' AND d->>'eventType' NOT IN ('case.closed', 'case.purged')`,
    [[...caseIds]])
  return new Set(rows.map((r) => r.case_id))
}

export async function subjectReport (pool: Pool, options: {
  register: PartyRegisterIndex, scope: Scope, subjectRef: string, language: Language, now: Date
}): Promise<SubjectReport> {
  const { register, language } = options
  // Content of purged events is gone (subject_ref too): the report covers the retention period.
  // The visibility of every other read (views.ts); a row the municipality sees only as the provider
  // the request was sent to carries no reason codes (on a permit they tell of a pending objection),
  // as in its provider view; the rest of an entry (who asked, what, why) is what it received.
  const params: unknown[] = [options.subjectRef]
  const seen = visibility(options.scope, params)
  const { rows: all } = await pool.query<Row>(
    `SELECT e.event_type, e.case_id, e.event, e.leaf_index, ${seen.full} AS full_view FROM audit_events e
     WHERE e.subject_ref = $1 AND e.event IS NOT NULL AND ${seen.where}
       AND ((e.event_type IN ('data-request.decision', 'involvement-check.decision') AND e.outcome IN ('permit', 'refused', 'deny'))
            OR e.event_type = 'case.event')
     ORDER BY e.time, e.seq`, params)
  // UAVG art. 41: only a municipality's report leaves cases out; the supervisor sees everything.
  const caseIds = [...new Set(all.map((r) => r.case_id).filter((c): c is string => c !== null))]
  const held = seesAll(options.scope) ? new Set<string>() : await withheldCases(pool, caseIds)
  const rows = all.filter((r) => r.case_id === null || !held.has(r.case_id))

  const when = new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Amsterdam' })
  const party = (org: string | null) => {
    const p = org ? register.get(org) : undefined
    return { org, name: p?.name ?? T.unknownParty[language], partyType: p?.partyType ?? null }
  }
  const typeOf = (p: { partyType: string | null }) => (p.partyType ? ` (${PARTY_TYPE[p.partyType]?.[language] ?? p.partyType})` : '')

  const entries = rows.filter((r) => r.event_type !== 'case.event').map(({ event: stored, leaf_index: leafIndex, full_view: full }): ReportEntry => {
    const e = full ? stored : { ...stored, reasons: [] }
    const requester = party(e.actor.org)
    const provider = party(e.provider)
    const fields = e.outcome === 'permit' ? e.fieldsReleased : e.fieldsRequested
    const fieldsText = fields.map((f) => FIELD[f]?.[language] ?? f)
    const categoryText = (e.category ? CATEGORY[e.category]?.[language] : undefined) ?? e.category ?? ''
    const purposeText = (e.purpose ? PURPOSE[e.purpose]?.[language] : undefined) ?? e.purpose ?? ''
    const reasonsText = e.reasons.map((r) => REASON[r]?.[language] ?? r)
    const date = when.format(new Date(e.time))
    const basis = e.legalBasis ?? T.noBasis[language]
    // The field the gateway writes (DecisionDetail.providerReason), BSN-masked at the source.
    const providerReason = e.outcome === 'refused' && typeof e.detail?.providerReason === 'string' ? e.detail.providerReason : null
    const why = reasonsText.length ? ` (${reasonsText.join('; ')})` : providerReason ? ` (${providerReason})` : ''
    const text = language === 'nl'
      ? `Op ${date} vroeg ${requester.name}${typeOf(requester)} aan ${provider.name}${typeOf(provider)} gegevens over ${categoryText}` +
        (fieldsText.length ? ` (${fieldsText.join(', ')})` : '') + `. Resultaat: ${T[e.outcome][language]}${why}. Doel: ${purposeText}. Wettelijke grondslag: ${basis}.`
      : `On ${date}, ${requester.name}${typeOf(requester)} asked ${provider.name}${typeOf(provider)} for data about ${categoryText}` +
        (fieldsText.length ? ` (${fieldsText.join(', ')})` : '') + `. Result: ${T[e.outcome][language]}${why}. Purpose: ${purposeText}. Legal basis: ${basis}.`
    return {
      eventId: e.eventId,
      leafIndex: leafIndex === null ? null : Number(leafIndex),
      time: e.time,
      outcome: e.outcome,
      requester,
      provider,
      category: e.category,
      categoryText,
      fields,
      fieldsText,
      purpose: e.purpose,
      purposeText,
      legalBasis: e.legalBasis,
      reasons: e.reasons,
      providerReason,
      text
    }
  })

  const caseEvents = rows.filter((r) => r.event_type === 'case.event').map(({ event: e, leaf_index: leafIndex }): CaseEntry => {
    const eventType = typeof e.detail?.eventType === 'string' ? e.detail.eventType : 'case.event'
    const role = typeof e.detail?.subjectRole === 'string' ? e.detail.subjectRole : null
    const by = e.actor.org === null ? { org: null, name: T.system[language], partyType: null } : party(e.actor.org)
    const what = (CASE_EVENT[eventType]?.[language] ?? eventType).replace('{role}', role ? ROLE[role]?.[language] ?? role : '')
    const date = when.format(new Date(e.time))
    const basis = e.legalBasis ?? T.noBasis[language]
    const text = language === 'nl'
      ? `Op ${date} ${what.split(' ')[0]} ${by.name}${typeOf(by)} ${what.split(' ').slice(1).join(' ')}. Wettelijke grondslag: ${basis}.`
      : `On ${date}, ${by.name}${typeOf(by)} ${what}. Legal basis: ${basis}.`
    return { eventId: e.eventId, leafIndex: leafIndex === null ? null : Number(leafIndex), time: e.time, eventType, role, by, legalBasis: e.legalBasis, text }
  })

  const disclosures = entries.filter((e) => e.outcome === 'permit')
  const refusals = entries.filter((e) => e.outcome !== 'permit')
  const summary = language === 'nl'
    ? `Gegevens over u zijn ${disclosures.length} keer gedeeld. ${refusals.length} keer is om gegevens gevraagd zonder dat ze zijn gedeeld. ` +
      `In een gecoördineerde aanpak over u is ${caseEvents.length} keer iets vastgelegd.`
    : `Data about you was shared ${disclosures.length} time(s). ${refusals.length} request(s) for your data did not lead to sharing. ` +
      `${caseEvents.length} event(s) were recorded in a coordinated approach about you.`
  const heldRows = all.filter((r) => r.case_id !== null && held.has(r.case_id))
  return {
    language,
    generatedAt: options.now.toISOString(),
    summary,
    disclosures,
    refusals,
    caseEvents,
    withheld: { events: heldRows.length, cases: new Set(heldRows.map((r) => r.case_id)).size, basis: WITHHELD_BASIS }
  }
}
