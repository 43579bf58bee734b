// The demo residents of SPEC section 6 ("Demo data") as the partner systems hold them: synthetic
// people in the fictional town of Voorbeeldstad. Each party type sees a resident from its own
// side (the energy supplier knows only its own arrears, the GGD its own contacts), and some
// parties keep working notes outside the contract, which the gateway must never pass on.
// Dates are fixed so every answer is reproducible; amounts are euro cents.
import type {
  Arrear, CategoryName, ContactPerson, CriminalData, DebtsData, EducationData, HealthData, HouseholdData, HousingData,
  IdentityData, IncomeData, InvolvementData, Party, PartyType, SafetyData, WmoSupportData, YouthCareData
} from '@wams/schemas'

export interface CategoryData {
  involvement: InvolvementData
  identity: IdentityData
  household: HouseholdData
  'wmo-support': WmoSupportData
  'youth-care': YouthCareData
  income: IncomeData
  debts: DebtsData
  housing: HousingData
  education: EducationData
  health: HealthData
  criminal: CriminalData
  safety: SafetyData
}

type ByPartyType<T> = Partial<Record<PartyType, T>>
/** A record as one party type holds it; a function when it depends on the party itself (its contact details). */
export type RecordSource<T> = T | ((party: Party) => T)

export interface Resident {
  /** Who this is in the demo story; used in messages instead of the BSN. */
  label: string
  /** OIN of the gemeente in whose municipality the demo BRP registers the resident. */
  livesIn: string
  /** The party types whose systems know the resident: every one, or these. */
  knownTo: 'every-party' | readonly PartyType[]
  records: { [C in CategoryName]?: ByPartyType<RecordSource<CategoryData[C]>> }
  /** Refusals for weighty reasons (zwaarwegende redenen), per category and party type, in plain Dutch. */
  refusals?: { [C in CategoryName]?: ByPartyType<string> }
  /** Working notes some systems add to every record they hold; not in any contract. */
  notes?: ByPartyType<Record<string, string>>
}

// --- contact persons: one professional per party type, reachable at the party itself ---

const CONTACTS: ByPartyType<{ name: string, function: string, mailbox: string }> = {
  gemeente: { name: 'Fatima el Amrani', function: 'consulent sociaal wijkteam', mailbox: 'f.elamrani' },
  zorgaanbieder: { name: 'Joost Verhoeven', function: 'regiebehandelaar ggz', mailbox: 'j.verhoeven' },
  huisarts: { name: 'Anouk Smit', function: 'huisarts', mailbox: 'a.smit' },
  ggd: { name: 'Lotte Hendriks', function: 'sociaal-verpleegkundige bemoeizorg', mailbox: 'l.hendriks' },
  'veilig-thuis': { name: 'Sanne de Wit', function: 'casemanager', mailbox: 's.dewit' },
  jeugdhulpaanbieder: { name: 'Mohamed Yilmaz', function: 'jeugdhulpverlener', mailbox: 'm.yilmaz' },
  woningcorporatie: { name: 'Kees Mulder', function: 'woonconsulent', mailbox: 'k.mulder' },
  energieleverancier: { name: 'Team Betalingsregelingen', function: 'klantenservice incasso', mailbox: 'betalingsregelingen' },
  zorgverzekeraar: { name: 'Ingrid Bos', function: 'medewerker premie-incasso', mailbox: 'i.bos' },
  school: { name: 'Erik Visser', function: 'mentor', mailbox: 'e.visser' },
  uwv: { name: 'Priya Ramdin', function: 'werkcoach', mailbox: 'p.ramdin' },
  schuldhulpverlening: { name: 'Bas van Dijk', function: 'schuldhulpverlener', mailbox: 'b.vandijk' },
  politie: { name: 'Rik Kramer', function: 'wijkagent', mailbox: 'r.kramer' },
  reclassering: { name: 'Yvonne Peters', function: 'reclasseringswerker', mailbox: 'y.peters' }
}

const domainOf = (party: Party): string =>
  `${party.name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}.example`

function contactAt (party: Party, functionOverride?: string): ContactPerson {
  const contact = CONTACTS[party.partyType] ?? { name: 'Klantcontactcentrum', function: 'klantcontact', mailbox: 'info' }
  return {
    name: contact.name,
    function: functionOverride ?? contact.function,
    phone: `088 555 ${party.oin.slice(-4)}`,
    email: `${contact.mailbox}@${domainOf(party)}`
  }
}

/** The check op bekendheid: known since a date per party type, with that party's contact person. */
function involvementSince (
  since: ByPartyType<string>, functions: ByPartyType<string> = {}
): ByPartyType<RecordSource<InvolvementData>> {
  return Object.fromEntries(Object.entries(since).map(([type, date]) => [
    type, (party: Party): InvolvementData => ({ known: true, since: date, contactPerson: contactAt(party, functions[type as PartyType]) })
  ]))
}

// --- 999990019: Marieke Bakker, single mother of two; debts, depression, an ex-partner who hit her ---

const MARIEKE_ADDRESS = { street: 'Klaproosstraat', houseNumber: 27, postalCode: '9903 KL', city: 'Voorbeeldstad' }
const mariekeIdentity: IdentityData = {
  name: { givenNames: 'Marieke Johanna', surname: 'Bakker' }, birthDate: '1986-03-14', address: MARIEKE_ADDRESS
}
const mariekeArrears = {
  huur: { creditorType: 'huur', amount: 205620, since: '2025-03-01' },
  energie: { creditorType: 'energie', amount: 48712, since: '2025-01-15' },
  zorgverzekering: { creditorType: 'zorgverzekering', amount: 83400, since: '2024-09-01' },
  belastingen: { creditorType: 'belastingen', amount: 41230, since: '2024-05-31' },
  telecom: { creditorType: 'telecom', amount: 18950, since: '2024-12-01' },
  toeslagen: { creditorType: 'toeslagen', amount: 124000, since: '2024-07-01' }
} satisfies Record<string, Arrear>

function debts (arrears: readonly Arrear[], inDebtCounselling: boolean): DebtsData {
  const list = arrears.map((a) => ({ ...a }))
  const totalArrears = list.reduce((sum, a) => sum + a.amount, 0)
  return { hasArrears: totalArrears > 0, totalArrears, arrears: list, inDebtCounselling }
}

const mariekeYouthCare: YouthCareData = {
  hasYouthCare: true,
  childProtectionOrder: false,
  measures: [{ type: 'ambulant', since: '2024-02-01', provider: 'Jeugdhulp Het Kompas' }]
}
const mariekeCriminal: CriminalData = {
  policeContacts: 3,
  probationSupervision: false,
  recentIncidents: [
    { date: '2025-02-08', type: 'huiselijk-geweld', role: 'victim', summary: 'Mishandeling door de ex-partner in de woning; aangifte opgenomen.' },
    { date: '2024-11-22', type: 'vermogen', role: 'suspect', summary: 'Winkeldiefstal van levensmiddelen ter waarde van € 38.' }
  ],
  convictions: [{ date: '2025-01-14', offence: 'vermogen', sanction: 'taakstraf' }]
}

/** The two demo municipalities (gemeenten of the register). */
export const VOORBEELDSTAD = '00000099000000000101'
export const BUURDORP = '00000099000000000102'

const marieke: Resident = {
  label: 'the demo client (Marieke Bakker)',
  livesIn: VOORBEELDSTAD,
  knownTo: 'every-party',
  records: {
    involvement: involvementSince({
      gemeente: '2022-08-01',
      zorgaanbieder: '2025-03-10',
      huisarts: '2009-06-01',
      ggd: '2025-01-28',
      'veilig-thuis': '2023-04-18',
      jeugdhulpaanbieder: '2024-02-01',
      woningcorporatie: '2014-09-01',
      energieleverancier: '2019-11-01',
      zorgverzekeraar: '2016-01-01',
      school: '2025-08-25',
      uwv: '2025-02-01',
      schuldhulpverlening: '2025-04-07',
      politie: '2023-04-18',
      reclassering: '2025-01-20'
    }, { school: 'trajectbegeleider volwassenenonderwijs', jeugdhulpaanbieder: 'jeugdhulpverlener (gezinsbegeleiding)' }),
    identity: { gemeente: mariekeIdentity },
    household: {
      gemeente: {
        size: 3,
        members: [
          { name: 'Daan Pieter Bakker', birthDate: '2011-09-02', relation: 'child' },
          { name: 'Noor Bakker', birthDate: '2017-05-21', relation: 'child' }
        ]
      }
    },
    'wmo-support': {
      gemeente: {
        hasProvision: true,
        provisions: [
          { type: 'begeleiding', form: 'zin', since: '2024-05-01' },
          { type: 'huishoudelijke-hulp', form: 'zin', since: '2023-10-15', until: '2024-10-14' }
        ]
      }
    },
    income: {
      // Bijstand from the gemeente as a supplement to a WW benefit from the UWV.
      gemeente: {
        benefitType: 'bijstand',
        benefitSince: '2022-08-01',
        sanctions: [{ date: '2024-11-01', reason: 'inlichtingenplicht', reductionPercent: 20, months: 1 }]
      },
      uwv: { benefitType: 'ww', benefitSince: '2025-02-01', sanctions: [] }
    },
    debts: {
      gemeente: debts([mariekeArrears.huur, mariekeArrears.energie, mariekeArrears.zorgverzekering, mariekeArrears.belastingen], true),
      energieleverancier: debts([mariekeArrears.energie], false),
      zorgverzekeraar: debts([mariekeArrears.zorgverzekering], true),
      schuldhulpverlening: debts(Object.values(mariekeArrears), true)
    },
    housing: { woningcorporatie: { tenant: true, rentArrears: true, evictionRisk: 'warning', arrearsMonths: 3, nuisanceReports: 2 } },
    education: {
      // An Entree course (mbo 1) as part of her route back to work.
      school: {
        enrolled: true,
        truancyReports: 1,
        school: { name: 'Scholengemeenschap De Horizon, locatie Entree', brin: '99XH', level: 'mbo' },
        attendanceRate: 0.78
      }
    },
    health: {
      zorgaanbieder: {
        careInvolved: true,
        careType: ['ggz'],
        riskIndication: 'medium',
        diagnosisSummary: 'Depressieve stoornis, matig ernstig, met angstklachten; samenhang met langdurige financiële stress en huiselijk geweld in het verleden.',
        treatmentSummary: 'Ambulante behandeling (cognitieve gedragstherapie) eens per twee weken sinds maart 2025; medicatie via de huisarts.'
      },
      huisarts: {
        careInvolved: true,
        careType: ['huisartsenzorg'],
        riskIndication: 'medium',
        diagnosisSummary: 'Depressieve klachten en slaapproblemen; verwezen naar de specialistische ggz.',
        treatmentSummary: 'Antidepressivum (SSRI) sinds januari 2025; gesprekken met de POH-ggz afgerond na de verwijzing.'
      },
      ggd: {
        careInvolved: true,
        careType: ['other'],
        riskIndication: 'low',
        diagnosisSummary: 'Geen eigen diagnose; melding bij het Meldpunt Zorg en Overlast over verwaarlozing van de post en achterstallige rekeningen.',
        treatmentSummary: 'Eenmalig huisbezoek door de sociaal-verpleegkundige; doorverwezen naar het sociaal wijkteam.'
      }
    },
    'youth-care': { 'veilig-thuis': mariekeYouthCare, jeugdhulpaanbieder: mariekeYouthCare },
    safety: {
      'veilig-thuis': {
        riskAssessment: 'medium',
        domesticViolenceReports: [
          { date: '2023-04-18', kind: 'huiselijk-geweld', role: 'victim', status: 'closed' },
          { date: '2025-02-09', kind: 'huiselijk-geweld', role: 'victim', status: 'investigating' }
        ]
      },
      politie: {
        riskAssessment: 'medium',
        domesticViolenceReports: [{ date: '2025-02-08', kind: 'huiselijk-geweld', role: 'victim', status: 'open' }]
      }
    },
    criminal: {
      politie: mariekeCriminal,
      reclassering: {
        ...mariekeCriminal,
        recentIncidents: mariekeCriminal.recentIncidents!.filter((i) => i.role === 'suspect')
      }
    }
  },
  notes: {
    zorgaanbieder: { dossierNummer: 'ZB-2025-004711' },
    woningcorporatie: { internalNote: 'Betalingsregeling voorgesteld op 12 mei; geen reactie. Niet delen met derden.' },
    schuldhulpverlening: { internalNote: 'Komt afspraken wisselend na; budgetbeheer overwegen.' },
    politie: { bvhNummer: 'PL0900-2025038471' }
  }
}

// --- 999990020: Daan Bakker (15), her son; known where a child is known ---

const daan: Resident = {
  label: 'the demo household member (Daan Bakker)',
  livesIn: VOORBEELDSTAD,
  knownTo: ['gemeente', 'school', 'ggd', 'jeugdhulpaanbieder'],
  records: {
    involvement: involvementSince(
      { gemeente: '2011-09-02', school: '2023-08-28', ggd: '2011-09-20', jeugdhulpaanbieder: '2024-02-01' },
      { ggd: 'jeugdverpleegkundige' }
    ),
    identity: {
      gemeente: { name: { givenNames: 'Daan Pieter', surname: 'Bakker' }, birthDate: '2011-09-02', address: MARIEKE_ADDRESS }
    },
    household: {
      gemeente: {
        size: 3,
        members: [
          { name: 'Marieke Johanna Bakker', birthDate: '1986-03-14', relation: 'parent' },
          { name: 'Noor Bakker', birthDate: '2017-05-21', relation: 'sibling' }
        ]
      }
    },
    'wmo-support': { gemeente: { hasProvision: false, provisions: [] } },
    income: { gemeente: { benefitType: 'none', sanctions: [] } },
    debts: { gemeente: { hasArrears: false, totalArrears: 0, arrears: [], inDebtCounselling: false } },
    education: {
      school: {
        enrolled: true,
        truancyReports: 6,
        school: { name: 'Scholengemeenschap De Horizon', brin: '99XH', level: 'vo' },
        attendanceRate: 0.83
      }
    },
    health: {
      ggd: {
        careInvolved: true,
        careType: ['other'],
        riskIndication: 'low',
        diagnosisSummary: 'Geen diagnose. Contactmoment jeugdgezondheidszorg in klas 2: somberheid, slecht slapen en schoolverzuim besproken.',
        treatmentSummary: 'Vervolggesprek met de jeugdarts gepland; de leerplichtambtenaar is met toestemming van moeder geïnformeerd.'
      }
    },
    'youth-care': {
      jeugdhulpaanbieder: {
        hasYouthCare: true,
        childProtectionOrder: false,
        measures: [{ type: 'ambulant', since: '2024-02-01', provider: 'Jeugdhulp Het Kompas' }]
      }
    }
  },
  notes: { school: { internalNote: 'Zorgleerling; bespreken in het zorg- en adviesteam van 3 juni.' } }
}

// --- 999990044: Henk van der Meer (54), lives alone; addiction, self-neglect, nuisance ---

const henkCriminal: CriminalData = {
  policeContacts: 7,
  probationSupervision: true,
  recentIncidents: [
    { date: '2025-04-03', type: 'openbare-orde', role: 'suspect', summary: 'Geluidsoverlast en bedreiging van een buurman.' },
    { date: '2025-01-19', type: 'geweld', role: 'suspect', summary: 'Duwde een medewerker van de woningcorporatie tijdens een huisbezoek.' }
  ],
  convictions: [
    { date: '2024-03-12', offence: 'geweld', sanction: 'voorwaardelijke-gevangenisstraf' },
    { date: '2022-10-05', offence: 'verkeer', sanction: 'geldboete' }
  ]
}
const henkArrears = {
  energie: { creditorType: 'energie', amount: 23100, since: '2025-02-01' },
  zorgverzekering: { creditorType: 'zorgverzekering', amount: 41700, since: '2025-01-01' },
  drinkwater: { creditorType: 'drinkwater', amount: 9840, since: '2024-12-15' },
  other: { creditorType: 'other', amount: 56000, since: '2024-06-01' }
} satisfies Record<string, Arrear>

const henk: Resident = {
  label: 'the demo resident whose care providers refuse (Henk van der Meer)',
  livesIn: VOORBEELDSTAD,
  knownTo: 'every-party',
  records: {
    involvement: involvementSince({
      gemeente: '2020-04-01',
      zorgaanbieder: '2023-05-15',
      huisarts: '1998-02-01',
      ggd: '2024-09-02',
      'veilig-thuis': '2024-07-30',
      jeugdhulpaanbieder: '2019-03-01',
      woningcorporatie: '2003-06-01',
      energieleverancier: '2012-01-01',
      zorgverzekeraar: '2006-01-01',
      school: '2022-08-29',
      uwv: '2017-01-09',
      schuldhulpverlening: '2025-03-17',
      politie: '2022-10-05',
      reclassering: '2024-03-12'
    }, { zorgaanbieder: 'ambulant begeleider verslavingszorg', school: 'trajectbegeleider volwassenenonderwijs' }),
    identity: {
      gemeente: {
        name: { givenNames: 'Hendrik Willem', surnamePrefix: 'van der', surname: 'Meer' },
        birthDate: '1971-11-03',
        address: { street: 'Molenweg', houseNumber: 3, houseNumberAddition: 'A', postalCode: '9907 BR', city: 'Voorbeeldstad' }
      }
    },
    household: { gemeente: { size: 1, members: [] } },
    'wmo-support': {
      gemeente: {
        hasProvision: true,
        provisions: [
          { type: 'begeleiding', form: 'pgb', since: '2021-02-01' },
          { type: 'hulpmiddel', form: 'zin', since: '2022-06-20' }
        ]
      }
    },
    income: {
      gemeente: { benefitType: 'bijstand', benefitSince: '2020-04-01', sanctions: [] },
      uwv: { benefitType: 'wia', benefitSince: '2019-09-01', sanctions: [] }
    },
    debts: {
      gemeente: debts([henkArrears.energie, henkArrears.zorgverzekering, henkArrears.drinkwater], false),
      energieleverancier: debts([henkArrears.energie], false),
      zorgverzekeraar: debts([henkArrears.zorgverzekering], false),
      schuldhulpverlening: debts(Object.values(henkArrears), false)
    },
    housing: { woningcorporatie: { tenant: true, rentArrears: false, evictionRisk: 'none', arrearsMonths: 0, nuisanceReports: 5 } },
    education: {
      // Stopped an Entree course in 2023; the school still holds the record of that year.
      school: {
        enrolled: false,
        truancyReports: 0,
        school: { name: 'Scholengemeenschap De Horizon, locatie Entree', brin: '99XH', level: 'mbo' },
        attendanceRate: 0.41
      }
    },
    health: {
      // Held, but refused below by the zorgaanbieder and the huisarts.
      zorgaanbieder: {
        careInvolved: true,
        careType: ['verslavingszorg', 'ggz'],
        riskIndication: 'high',
        diagnosisSummary: 'Alcoholgebruiksstoornis, ernstig; vermoeden van een persoonlijkheidsstoornis.',
        treatmentSummary: 'Klinische behandeling in 2024 voortijdig afgebroken; sindsdien wisselend contact met de ambulant begeleider.'
      },
      huisarts: {
        careInvolved: true,
        careType: ['huisartsenzorg'],
        riskIndication: 'high',
        diagnosisSummary: 'Problematisch alcoholgebruik, hypertensie, beginnende levercirrose.',
        treatmentSummary: 'Medicatie tegen hoge bloeddruk; verwijzing naar de verslavingszorg herhaald in 2025.'
      },
      ggd: {
        careInvolved: true,
        careType: ['other'],
        riskIndication: 'high',
        diagnosisSummary: 'Ernstige zelfverwaarlozing en vervuiling van de woning; vermoeden van problematisch alcoholgebruik.',
        treatmentSummary: 'Bemoeizorgtraject sinds september 2024 met wekelijkse huisbezoeken; zorg wordt afgehouden.'
      }
    },
    'youth-care': {
      'veilig-thuis': { hasYouthCare: false, childProtectionOrder: false, measures: [] },
      jeugdhulpaanbieder: { hasYouthCare: false, childProtectionOrder: false, measures: [] }
    },
    safety: {
      'veilig-thuis': {
        riskAssessment: 'low',
        domesticViolenceReports: [{ date: '2024-07-30', kind: 'other', role: 'involved', status: 'closed' }]
      },
      politie: { riskAssessment: 'medium', domesticViolenceReports: [] }
    },
    criminal: {
      politie: henkCriminal,
      reclassering: { ...henkCriminal, recentIncidents: henkCriminal.recentIncidents!.filter((i) => i.type === 'geweld') }
    }
  },
  refusals: {
    health: {
      zorgaanbieder: 'Medisch beroepsgeheim: de cliënt heeft uitdrukkelijk geen toestemming gegeven, en de regiebehandelaar ' +
        'heeft afgewogen dat het delen van behandelgegevens niet nodig is om ernstig gevaar af te wenden. Wij overleggen ' +
        'graag met de coördinator zonder medische gegevens te delen.',
      huisarts: 'Medisch beroepsgeheim: de huisarts verstrekt zonder toestemming van de patiënt geen medische gegevens, en er is ' +
        'geen conflict van plichten dat doorbreking rechtvaardigt. De patiënt is gevraagd zelf contact op te nemen met de coördinator.'
    }
  },
  notes: {
    zorgaanbieder: { dossierNummer: 'ZB-2023-001932' },
    woningcorporatie: { internalNote: 'Vervuiling van de woning gemeld door de buren; schouw gepland.' },
    politie: { bvhNummer: 'PL0900-2025041190' }
  }
}

// --- 999990032: known to no party ---

const unknown: Resident = { label: 'the demo resident no party knows', livesIn: VOORBEELDSTAD, knownTo: [], records: {} }

// --- 999990056: Sanne Bakker (34), Marieke's sister in Buurdorp; known like her, lives in the other municipality ---

const SANNE_ADDRESS = { street: 'Dorpsstraat', houseNumber: 12, postalCode: '9911 AB', city: 'Buurdorp' }

const sanne: Resident = {
  ...marieke,
  label: 'the demo client who lives in the other municipality (Sanne Bakker)',
  livesIn: BUURDORP,
  records: {
    ...marieke.records,
    identity: { gemeente: { name: { givenNames: 'Sanne Maria', surname: 'Bakker' }, birthDate: '1991-07-30', address: SANNE_ADDRESS } },
    household: { gemeente: { size: 1, members: [] } }
  }
}

/** The demo residents by BSN (test BSNs that pass the eleven-test). */
export const residents: ReadonlyMap<string, Resident> = new Map([
  ['999990019', marieke],
  ['999990020', daan],
  ['999990032', unknown],
  ['999990044', henk],
  ['999990056', sanne]
])
