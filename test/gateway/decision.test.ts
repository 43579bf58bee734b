// The decision rules of SPEC section 5, rule by rule: for each reason code a request
// denied with exactly that code next to a minimally different request that is permitted.
// Fixtures use the real party register and case states that validate against the
// consent ledger's contract.
import t from 'tap'
import { partyRegister, type CaseState, type PartyType } from '@wams/schemas'
import { indexPartyRegister, indexPartyTypeCapabilities } from '@wams/platform'
import {
  register, policy, oinOf, INACTIVE, GEMEENTE, BUURDORP, GGD, HUISARTS, ZORGAANBIEDER, POLITIE, VEILIG_THUIS, JEUGDHULP, WONINGCORPORATIE, UWV, TOEZICHTHOUDER, UNLISTED, CLIENT, MEMBER, STRANGER, COORDINATOR, participant, caseState, request,
} from '../support/decision-fixtures.ts'
import {
  createPolicy,
  decide,
  policyData,
  REASON_CODES,
  rules,
  type DecisionContext,
  type PolicyData,
  type ReasonCode,
} from '../../services/gateway/src/decision/index.ts'

/** The coordinator, in phase aanpak, preparing a case conference. */
function conferenceRequest (changes: Partial<DecisionContext> = {}, caseChanges: Partial<CaseState> = {}): DecisionContext {
  return request({
    requester: { ...COORDINATOR, roles: ['coordinator'] },
    caseState: caseState({ phase: 'aanpak', ...caseChanges }),
    purpose: 'casusoverleg',
    ...changes,
  })
}

/** The test object tap passes to a subtest (the last overload of t.test takes only the callback). */
type Test = Parameters<Parameters<typeof t.test>[0]>[0]

const seen = new Set<ReasonCode>()

function denies (tt: Test, ctx: DecisionContext, expected: ReasonCode[], message: string, against = policy) {
  const decision = decide(ctx, against)
  for (const code of decision.reasons) seen.add(code)
  tt.equal(decision.outcome, 'deny', `${message}: denied`)
  tt.same(decision.reasons, expected, `${message}: reasons`)
  tt.same(decision.releaseFields, [], `${message}: nothing released`)
}

function permits (tt: Test, ctx: DecisionContext, message: string, against = policy) {
  const decision = decide(ctx, against)
  tt.equal(decision.outcome, 'permit', message)
  tt.same(decision.reasons, [], `${message}: no reasons`)
}

function withPartyActivated (oin: string) {
  return createPolicy({
    register: indexPartyRegister({
      ...partyRegister,
      version: `${partyRegister.version}+activated`,
      parties: partyRegister.parties.map((p) => (p.oin === oin ? { ...p, active: true } : p)),
    }),
  })
}

t.test('a lawful request is permitted with exactly the requested fields', async (t) => {
  const decision = decide(request({ fields: ['careInvolved', 'riskIndication', 'careInvolved'] }), policy)
  t.same(decision, {
    outcome: 'permit',
    reasons: [],
    recorded: [],
    releaseFields: ['careInvolved', 'riskIndication'],
    legalBasis: 'Wams art. 2.4 (onderzoek); AVG art. 6 lid 1 sub e; AVG art. 9 lid 2 sub g',
    policyVersion: policy.version,
  })
})

t.test('rule 1: requester and provider are active parties in the register', async (t) => {
  // An inactive party as the named coordinator, asking a participant for involvement.
  const fromInactive = request({
    requester: { org: INACTIVE, sub: 'coordinator-kees', roles: ['coordinator'] },
    caseState: caseState({ phase: 'aanpak', coordinator: { org: INACTIVE, sub: 'coordinator-kees' } }),
    purpose: 'coordinatie',
    category: 'involvement',
    fields: ['known', 'contactPerson'],
  })
  denies(t, fromInactive, ['REQUESTER_NOT_REGISTERED'], 'inactive requester')
  permits(t, fromInactive, 'the same request once the party is active', withPartyActivated(INACTIVE))
  denies(
    t,
    {
      ...fromInactive,
      requester: { org: UNLISTED, sub: 'coordinator-kees', roles: ['coordinator'] },
      caseState: caseState({ phase: 'aanpak', coordinator: { org: UNLISTED, sub: 'coordinator-kees' } }),
    },
    ['REQUESTER_NOT_REGISTERED'],
    'unlisted requester'
  )

  const toInactive = request({ provider: INACTIVE, category: 'housing', fields: ['tenant', 'evictionRisk'] })
  denies(t, toInactive, ['PROVIDER_NOT_REGISTERED'], 'inactive provider')
  permits(t, toInactive, 'the same request once the provider is active', withPartyActivated(INACTIVE))
  denies(t, request({ provider: UNLISTED }), ['PROVIDER_NOT_REGISTERED'], 'unlisted provider (no CATEGORY_NOT_SUPPLIED on top)')
})

t.test('rule 2: the case exists and is not closed', async (t) => {
  denies(t, request({ caseState: null }), ['CASE_NOT_FOUND'], 'no case')
  permits(t, request(), 'with the case')

  const closed = request({ caseState: caseState({ phase: 'afgesloten', closedAt: '2025-06-01T12:00:00Z' }) })
  // No purpose fits phase afgesloten, so rule 4 fails as well.
  denies(t, closed, ['CASE_CLOSED', 'PURPOSE_NOT_IN_PHASE'], 'closed case')
  denies(t, request({ caseState: caseState({ closedAt: '2025-06-01T12:00:00Z' }) }), ['CASE_CLOSED'], 'a closing time alone closes the case')
})

t.test('without a case only the rules that do not need one report', async (t) => {
  // Everything that depends on the case is wrong here too, yet only CASE_NOT_FOUND says so.
  denies(
    t,
    request({ caseState: null, subjectRef: STRANGER, purpose: 'coordinatie', fields: ['diagnosisSummary'] }),
    ['CASE_NOT_FOUND'],
    'case-dependent failures are not reported'
  )
  denies(
    t,
    request({
      caseState: null,
      requester: { org: oinOf('school'), sub: 'mentor', roles: ['professional'] },
      provider: GGD,
      category: 'health',
      fields: ['careInvolved', 'bloodGroup'],
      necessity: 'nodig',
    }),
    ['CASE_NOT_FOUND', 'CATEGORY_NOT_PERMITTED', 'NECESSITY_NOT_STATED', 'FIELD_UNKNOWN'],
    'rules 1, 7, 9 (party type) and 10 (necessity, fields) still report'
  )
  denies(
    t,
    request({ caseState: null, provider: UNLISTED, requester: { org: TOEZICHTHOUDER, sub: 'inspecteur', roles: ['supervisor'] } }),
    ['PROVIDER_NOT_REGISTERED', 'CASE_NOT_FOUND', 'CATEGORY_NOT_PERMITTED', 'ROLE_NOT_PERMITTED'],
    'register and supervisor checks still report (the capability table grants the toezichthouder no health data and no personal data)'
  )
  denies(t, request({ caseState: null, provider: GGD, category: 'housing', fields: ['tenant'] }), ['CASE_NOT_FOUND', 'CATEGORY_NOT_SUPPLIED'], 'rule 7 still reports')
})

t.test('rule 3: the subject is a client or household member of the case', async (t) => {
  denies(t, request({ subjectRef: STRANGER }), ['SUBJECT_NOT_IN_CASE'], 'a person outside the case')
  permits(t, request({ subjectRef: MEMBER }), 'a household member')
})

t.test('rule 4: the purpose fits the phase', async (t) => {
  const inAanpak = caseState({ phase: 'aanpak' })
  denies(t, request({ caseState: inAanpak }), ['PURPOSE_NOT_IN_PHASE'], 'onderzoek in phase aanpak')
  permits(t, request(), 'onderzoek in phase onderzoek')

  const coordination = request({ requester: { ...COORDINATOR, roles: ['coordinator'] }, purpose: 'coordinatie' })
  denies(t, coordination, ['PURPOSE_NOT_IN_PHASE'], 'coordinatie in phase onderzoek')
  permits(t, { ...coordination, caseState: inAanpak }, 'coordinatie in phase aanpak')
  permits(t, { ...coordination, caseState: inAanpak, purpose: 'casusoverleg' }, 'casusoverleg in phase aanpak')
})

t.test('rule 5: the requester may act for the purpose', async (t) => {
  denies(t, request({ requester: { org: GEMEENTE, sub: 'medewerker', roles: ['professional'] } }), ['ROLE_NOT_PERMITTED'], 'onderzoek by the municipality without a municipal role')
  permits(t, request({ requester: { org: GEMEENTE, sub: 'medewerker', roles: ['professional', 'coordinator'] } }), 'onderzoek by the municipality as coordinator')
  denies(t, request({ requester: { org: BUURDORP, sub: 'college-buurdorp', roles: ['college'] } }), ['ROLE_NOT_PERMITTED'], 'onderzoek by the college of another gemeente')

  const byGgd = conferenceRequest({ requester: { org: GGD, sub: 'arts-mira', roles: ['professional'] }, provider: HUISARTS })
  permits(t, byGgd, 'casusoverleg by a participant')
  denies(t, { ...byGgd, purpose: 'coordinatie' }, ['ROLE_NOT_PERMITTED'], 'coordinatie by a participant')
  denies(t, { ...byGgd, requester: { org: ZORGAANBIEDER, sub: 'arts-mira', roles: ['professional'] } }, ['ROLE_NOT_PERMITTED'], 'casusoverleg by a non-participant')

  const byColleague = conferenceRequest({ purpose: 'coordinatie', requester: { org: GEMEENTE, sub: 'coordinator-piet', roles: ['coordinator'] } })
  denies(t, byColleague, ['ROLE_NOT_PERMITTED'], 'coordinatie by a colleague of the coordinator')
  permits(t, { ...byColleague, requester: { ...COORDINATOR, roles: ['coordinator'] } }, 'coordinatie by the coordinator the case names')
})

t.test('rule 6: the provider is involved', async (t) => {
  const askPolice = conferenceRequest({ provider: POLITIE, category: 'involvement', fields: ['known', 'since'] })
  denies(t, askPolice, ['PROVIDER_NOT_PARTICIPANT'], 'casusoverleg with a provider that is not a participant')
  permits(t, conferenceRequest({ provider: POLITIE, category: 'involvement', fields: ['known', 'since'] }, { participants: [participant(POLITIE)] }), 'the same provider as a participant')
  permits(t, request({ provider: POLITIE, category: 'involvement', fields: ['known'], caseState: caseState({ participants: [] }) }), 'onderzoek may ask any registered party')
  permits(t, conferenceRequest({ provider: GEMEENTE, category: 'identity', fields: ['name', 'birthDate'] }, { participants: [] }), 'the case’s own municipality is always involved')
})

t.test('rule 7: the provider supplies the category', async (t) => {
  denies(t, request({ provider: GGD, category: 'housing', fields: ['tenant'] }), ['CATEGORY_NOT_SUPPLIED'], 'housing from the GGD')
  permits(t, request({ provider: WONINGCORPORATIE, category: 'housing', fields: ['tenant'] }), 'housing from the woningcorporatie')
})

t.test('rule 8: route hulpvraag stays inside the client’s scope', async (t) => {
  const scope = { domains: ['zorg', 'wmo'], parties: [GGD, GEMEENTE], withdrawn: false, recordedAt: '2025-03-02T14:00:00Z' } as const
  const hulpvraag = (changes: Partial<CaseState> = {}) =>
    caseState({ route: 'hulpvraag', seriousGrounds: [], scope: { ...scope, domains: [...scope.domains], parties: [...scope.parties] }, ...changes })

  permits(t, request({ caseState: hulpvraag() }), 'provider and domain in scope')
  denies(t, request({ caseState: hulpvraag(), provider: HUISARTS }), ['OUTSIDE_CLIENT_SCOPE'], 'provider outside the scope')
  denies(t, request({ caseState: hulpvraag({ scope: { ...scope, domains: ['wmo'], parties: [GGD] } }) }), ['OUTSIDE_CLIENT_SCOPE'], 'domain outside the scope')
  permits(t, request({ caseState: hulpvraag({ scope: { ...scope, domains: ['wmo'], parties: [GGD] } }), category: 'involvement', fields: ['known'] }), 'involvement needs only the provider in scope')
  denies(t, request({ caseState: hulpvraag(), provider: HUISARTS, category: 'involvement', fields: ['known'] }), ['OUTSIDE_CLIENT_SCOPE'], 'involvement from a provider outside the scope')
  denies(t, request({ caseState: hulpvraag({ scope: null }) }), ['OUTSIDE_CLIENT_SCOPE'], 'no scope recorded yet')
  denies(t, request({ caseState: hulpvraag({ scope: { ...scope, domains: ['zorg'], parties: [GGD], withdrawn: true } }) }), ['OUTSIDE_CLIENT_SCOPE'], 'a withdrawn scope')
  permits(t, request({ caseState: caseState({ scope: null }) }), 'route ernstig has no client scope')
})

t.test('rule 9: special and criminal data are not for everyone', async (t) => {
  const barred: PartyType[] = ['woningcorporatie', 'energieleverancier', 'zorgverzekeraar', 'school', 'uwv']
  for (const partyType of barred) {
    const org = oinOf(partyType)
    const ctx = conferenceRequest({ requester: { org, sub: 'medewerker', roles: ['professional'] } }, { participants: [participant(GGD), participant(org)] })
    denies(t, ctx, ['CATEGORY_NOT_PERMITTED'], `health data to a ${partyType}`)
    permits(t, { ...ctx, category: 'involvement', fields: ['known'] }, `involvement to a ${partyType}`)
  }
  permits(
    t,
    conferenceRequest({ requester: { org: ZORGAANBIEDER, sub: 'medewerker', roles: ['professional'] } }, { participants: [participant(GGD), participant(ZORGAANBIEDER)] }),
    'health data to a zorgaanbieder'
  )

  const criminal = (seriousGrounds: CaseState['seriousGrounds']) =>
    request({ provider: POLITIE, category: 'criminal', fields: ['policeContacts', 'probationSupervision'], caseState: caseState({ seriousGrounds }) })
  denies(t, criminal(['zorgmijding', 'teloorgang']), ['CATEGORY_NOT_PERMITTED'], 'criminal data without ground overlast or veiligheid')
  permits(t, criminal(['zorgmijding', 'overlast']), 'criminal data with ground overlast')
  permits(t, criminal(['veiligheid']), 'criminal data with ground veiligheid')
  denies(
    t,
    request({ provider: POLITIE, category: 'safety', fields: ['riskAssessment'], caseState: caseState({ seriousGrounds: ['teloorgang'] }) }),
    ['CATEGORY_NOT_PERMITTED'],
    'safety is criminal data too'
  )
  const hulpvraagWithPolice = caseState({
    route: 'hulpvraag',
    seriousGrounds: [],
    scope: { domains: ['oov'], parties: [POLITIE], withdrawn: false, recordedAt: '2025-03-02T14:00:00Z' },
  })
  denies(t, request({ provider: POLITIE, category: 'criminal', fields: ['policeContacts'], caseState: hulpvraagWithPolice }), ['CATEGORY_NOT_PERMITTED'], 'criminal data in route hulpvraag, even in scope')

  const school = oinOf('school')
  denies(
    t,
    conferenceRequest(
      { requester: { org: school, sub: 'mentor', roles: ['professional'] }, provider: POLITIE, category: 'criminal', fields: ['policeContacts'] },
      { seriousGrounds: ['zorgmijding'], participants: [participant(POLITIE), participant(school)] }
    ),
    ['CATEGORY_NOT_PERMITTED'],
    'both parts fail: the code once'
  )

  const bySupervisor = conferenceRequest(
    { requester: { org: TOEZICHTHOUDER, sub: 'inspecteur', roles: ['supervisor'] }, category: 'involvement', fields: ['known'] },
    { participants: [participant(GGD), participant(TOEZICHTHOUDER)] }
  )
  denies(t, bySupervisor, ['ROLE_NOT_PERMITTED'], 'the toezichthouder never receives personal data')
  permits(
    t,
    conferenceRequest({ requester: { org: HUISARTS, sub: 'huisarts-jan', roles: ['professional'] }, category: 'involvement', fields: ['known'] }),
    'the same request by a care participant'
  )
})

/** The policy with the capability table changed by `change` (the register as shipped). */
function withCapabilities (change: (partyTypes: Record<string, Record<string, unknown>>) => void, data: PolicyData = policyData) {
  const table = structuredClone(register.capabilities.table) as unknown as { version: string; partyTypes: Record<string, Record<string, unknown>> }
  change(table.partyTypes)
  return createPolicy({ register: indexPartyRegister(partyRegister, 'test', indexPartyTypeCapabilities(table)), data })
}

t.test('rule 9 is an allow-list: the capability table decides, party type by party type', async (t) => {
  const kredietbank = oinOf('schuldhulpverlening')
  const asKredietbank = (category: string, fields: string[], provider = GGD) => conferenceRequest(
    { requester: { org: kredietbank, sub: 'schuldhulpverlener', roles: ['professional'] }, provider, category, fields },
    { participants: [participant(GGD), participant(POLITIE), participant(kredietbank)], seriousGrounds: ['veiligheid'] }
  )
  permits(t, asKredietbank('health', ['careInvolved']), 'granted mayReceiveSpecial: health to a participating schuldhulpverlening')
  permits(t, asKredietbank('criminal', ['policeContacts'], POLITIE), 'granted mayReceiveCriminal: criminal data too')

  const noSpecial = withCapabilities((types) => { types.schuldhulpverlening!.mayReceiveSpecial = false })
  denies(t, asKredietbank('health', ['careInvolved']), ['CATEGORY_NOT_PERMITTED'], 'mayReceiveSpecial withdrawn', noSpecial)
  permits(t, asKredietbank('criminal', ['policeContacts'], POLITIE), 'criminal data is its own capability', noSpecial)
  const noCriminal = withCapabilities((types) => { types.schuldhulpverlening!.mayReceiveCriminal = false })
  denies(t, asKredietbank('safety', ['riskAssessment'], POLITIE), ['CATEGORY_NOT_PERMITTED'], 'mayReceiveCriminal withdrawn: no safety data', noCriminal)
  permits(t, asKredietbank('health', ['careInvolved']), 'special data still', noCriminal)
  const schoolMayHaveHealth = withCapabilities((types) => { types.school!.mayReceiveSpecial = true })
  const school = oinOf('school')
  permits(
    t,
    conferenceRequest({ requester: { org: school, sub: 'mentor', roles: ['professional'] } }, { participants: [participant(GGD), participant(school)] }),
    'a grant in the table, and only that, lets health data go to a school',
    schoolMayHaveHealth
  )

  // A party type with every capability false can do nothing: no special data, no personal data at all.
  // (It works in no domain, so the involvement check may not name it either: the tables must agree.)
  const nothing = withCapabilities((types) => {
    types.schuldhulpverlening = { mayOwnCases: false, mayParticipate: false, mayReceiveSpecial: false, mayReceiveCriminal: false, domains: [], supervises: false }
  }, { ...policyData, domainPartyTypes: { ...policyData.domainPartyTypes, schulden: [] } })
  t.throws(() => withCapabilities((types) => { types.schuldhulpverlening!.domains = [] }), /schuldhulpverlening in schulden/, 'tables that disagree stop the start')
  denies(t, asKredietbank('health', ['careInvolved']), ['CATEGORY_NOT_PERMITTED', 'ROLE_NOT_PERMITTED'], 'all false: special data refused, and personal data at all', nothing)
  denies(t, asKredietbank('involvement', ['known']), ['ROLE_NOT_PERMITTED'], 'all false: not even involvement', nothing)
  t.not(nothing.version, policy.version, 'another table, another policyVersion')
})

t.test('rule 10: detail fields of health, criminal, safety and youth-care follow the domains of the capability table', async (t) => {
  for (const [category, types] of [['health', ['zorgaanbieder', 'huisarts', 'ggd']], ['criminal', ['veilig-thuis', 'politie', 'reclassering']], ['safety', ['veilig-thuis', 'politie', 'reclassering']], ['youth-care', ['veilig-thuis', 'jeugdhulpaanbieder']]] as const) {
    t.same([...policy.categories.get(category)!.detailPartyTypes].sort(), [...types].sort(), `${category}: SPEC's list, from the table`)
    t.equal(policy.categories.get(category)!.detailPartyTypesFrom, 'domain')
  }
  t.equal(policy.categories.get('housing')!.detailPartyTypesFrom, 'suppliers', 'other categories: the party types that supply them')
  const veiligThuisInZorg = withCapabilities((types) => { (types['veilig-thuis']!.domains as string[]).push('zorg') })
  const detail = conferenceRequest(
    { requester: { org: VEILIG_THUIS, sub: 'casemanager', roles: ['professional'] }, fields: ['diagnosisSummary'] },
    { participants: [participant(GGD), participant(VEILIG_THUIS)] }
  )
  denies(t, detail, ['FIELD_NOT_NECESSARY'], 'veilig-thuis does not work in zorg: no health detail')
  permits(t, detail, 'once the table says it works in zorg, it may', veiligThuisInZorg)
})

t.test('rule 10: necessity', async (t) => {
  denies(t, request({ necessity: '   Signalen van zorgen   ' }), ['NECESSITY_NOT_STATED'], '19 characters after trimming')
  permits(t, request({ necessity: 'Signalen van zorgen.' }), '20 characters')
  denies(t, request({ necessity: '' }), ['NECESSITY_NOT_STATED'], 'no statement')

  denies(t, request({ fields: ['careInvolved', 'bloodGroup'] }), ['FIELD_UNKNOWN'], 'a field the category does not have')
  denies(t, request({ fields: ['careInvolved', 'tenant'] }), ['FIELD_UNKNOWN'], 'a field of another category')
  denies(t, request({ fields: [] }), ['FIELD_UNKNOWN'], 'no fields named')
  permits(t, request({ fields: ['careInvolved'] }), 'known fields')

  denies(t, request({ fields: ['careInvolved', 'diagnosisSummary'] }), ['FIELD_NOT_NECESSARY'], 'a detail field for onderzoek')
  denies(
    t,
    request({ requester: { ...COORDINATOR, roles: ['coordinator'] }, fields: ['diagnosisSummary'] }),
    ['FIELD_NOT_NECESSARY'],
    'a detail field for onderzoek, even by the coordinator'
  )
  permits(t, conferenceRequest({ fields: ['careInvolved', 'diagnosisSummary'] }), 'a detail field for the coordinator in casusoverleg')

  const asParticipant = (org: string, changes: Partial<DecisionContext>, participants: string[]) =>
    conferenceRequest({ requester: { org, sub: 'professional-x', roles: ['professional'] }, ...changes }, { participants: participants.map(participant) })
  permits(t, asParticipant(HUISARTS, { fields: ['diagnosisSummary'] }, [GGD, HUISARTS]), 'health detail to a huisarts participant')
  denies(t, asParticipant(POLITIE, { fields: ['diagnosisSummary'] }, [GGD, POLITIE]), ['FIELD_NOT_NECESSARY'], 'health detail to a police participant')

  const safetyDetail = { provider: POLITIE, category: 'safety', fields: ['domesticViolenceReports'] }
  permits(t, asParticipant(VEILIG_THUIS, safetyDetail, [POLITIE, VEILIG_THUIS]), 'safety detail to Veilig Thuis')
  denies(t, asParticipant(JEUGDHULP, safetyDetail, [POLITIE, JEUGDHULP]), ['FIELD_NOT_NECESSARY'], 'safety detail to a youth-care participant')

  // Categories the policy data does not list: the party types that supply the category.
  const incomeDetail = { provider: GEMEENTE, category: 'income', fields: ['benefitType', 'sanctions'] }
  permits(t, asParticipant(UWV, incomeDetail, [UWV]), 'income detail to the UWV, which supplies income')
  denies(t, asParticipant(WONINGCORPORATIE, incomeDetail, [WONINGCORPORATIE]), ['FIELD_NOT_NECESSARY'], 'income detail to a woningcorporatie')
})

t.test('rule 11: no pending or upheld objection', async (t) => {
  const objection = (subjectRef: string, status: 'pending' | 'upheld' | 'rejected') => ({
    objectionId: '0195f3a9-1d2e-7f00-8c3b-4a5d6e7f8091',
    subjectRef,
    status,
  })
  denies(t, request({ caseState: caseState({ objections: [objection(CLIENT, 'pending')] }) }), ['OBJECTION_PENDING'], 'a pending objection')
  denies(t, request({ caseState: caseState({ objections: [objection(CLIENT, 'upheld')] }) }), ['OBJECTION_UPHELD'], 'an upheld objection')
  permits(t, request({ caseState: caseState({ objections: [objection(CLIENT, 'rejected')] }) }), 'a rejected objection')
  permits(t, request({ caseState: caseState({ objections: [objection(MEMBER, 'pending')] }) }), 'another subject’s objection')
})

t.test('every failing rule is reported, in rule order', async (t) => {
  denies(
    t,
    request({ subjectRef: STRANGER, requester: { org: GEMEENTE, sub: 'medewerker', roles: ['professional'] }, necessity: 'even kijken' }),
    ['SUBJECT_NOT_IN_CASE', 'ROLE_NOT_PERMITTED', 'NECESSITY_NOT_STATED'],
    'three rules fail'
  )
})

t.test('legal basis names the articles for the kind of data', async (t) => {
  t.equal(decide(request({ provider: GEMEENTE, category: 'identity', fields: ['name'] }), policy).legalBasis, 'Wams art. 2.4 (onderzoek); AVG art. 6 lid 1 sub e')
  t.equal(
    decide(request({ provider: POLITIE, category: 'criminal', fields: ['policeContacts'] }), policy).legalBasis,
    'Wams art. 2.4 (onderzoek); AVG art. 6 lid 1 sub e; AVG art. 10 / UAVG art. 33'
  )
  t.equal(decide(conferenceRequest(), policy).legalBasis, 'Wams art. 2.6 (casusoverleg); AVG art. 6 lid 1 sub e; AVG art. 9 lid 2 sub g')
  t.equal(decide(request({ purpose: 'nieuwsgierigheid' }), policy).outcome, 'deny', 'an unknown purpose is denied')
})

t.test('policyVersion is stable and follows the policy', async (t) => {
  t.match(policy.version, /^[0-9a-f]{64}$/)
  t.equal(createPolicy({ register: indexPartyRegister(partyRegister) }).version, policy.version, 'same inputs, same version')
  t.equal(decide(request(), policy).policyVersion, policy.version, 'every decision names it')

  const reordered = Object.fromEntries(Object.entries(policyData).reverse()) as unknown as PolicyData
  t.equal(createPolicy({ register, data: reordered }).version, policy.version, 'key order does not matter')

  const stricter: PolicyData = { ...policyData, minNecessityLength: 40 }
  t.not(createPolicy({ register, data: stricter }).version, policy.version, 'a changed threshold changes it')
  const fewerByDomain: PolicyData = { ...policyData, detailByDomainCategories: ['health', 'criminal', 'safety'] }
  t.not(createPolicy({ register, data: fewerByDomain }).version, policy.version, 'a changed matrix changes it')
  const table = structuredClone(register.capabilities.table) as { version: string, partyTypes: Record<string, { domains: string[] }> }
  table.partyTypes['veilig-thuis']!.domains.push('zorg')
  const widerHealth = indexPartyRegister(partyRegister, 'test', indexPartyTypeCapabilities(table))
  t.not(createPolicy({ register: widerHealth }).version, policy.version, 'a changed capability table changes it, also without a new table version')
  t.not(withPartyActivated(INACTIVE).version, policy.version, 'a new register version changes it')
})

t.test('the rule set is the table of SPEC section 5', async (t) => {
  t.same(rules.map((r) => r.id), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'eleven rules in order')
  t.same(new Set(rules.flatMap((r) => r.reasonCodes)), new Set(REASON_CODES), 'every reason code belongs to a rule')
})

t.test('every reason code of the contract was produced above', async (t) => {
  t.same([...REASON_CODES].filter((code) => !seen.has(code)), [])
})
