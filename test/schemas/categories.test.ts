// The category schemas are the contract with partner systems (SPEC section 4): they must
// compile for a partner's plain ajv set-up, carry a level on every field, and give
// exactly the field table of the SPEC, which the decision engine reads from them.
import t from 'tap'
import { readdirSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { CATEGORY_NAMES, categorySchemas, categoryTable, type CategoryName } from '@wams/schemas'

function partnerAjv (options: ConstructorParameters<typeof Ajv2020>[0] = {}) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, ...options })
  addFormats.default(ajv)
  ajv.addKeyword({ keyword: 'x-level', schemaType: 'string', metaSchema: { enum: ['signal', 'detail'] } })
  ajv.addKeyword({ keyword: 'x-domain', schemaType: 'string' })
  ajv.addKeyword({ keyword: 'x-sensitivity', schemaType: 'string', metaSchema: { enum: ['ordinary', 'special', 'criminal'] } })
  return ajv
}

// SPEC section 4, transcribed.
const SPEC_TABLE: Record<CategoryName, { domain: string; sensitivity: string; signal: string[]; detail: string[] }> = {
  involvement: { domain: 'own', sensitivity: 'ordinary', signal: ['known', 'since', 'contactPerson'], detail: [] },
  identity: { domain: 'wmo', sensitivity: 'ordinary', signal: ['name', 'birthDate'], detail: ['address'] },
  household: { domain: 'wmo', sensitivity: 'ordinary', signal: ['size'], detail: ['members'] },
  'wmo-support': { domain: 'wmo', sensitivity: 'ordinary', signal: ['hasProvision'], detail: ['provisions'] },
  'youth-care': { domain: 'jeugd', sensitivity: 'ordinary', signal: ['hasYouthCare', 'childProtectionOrder'], detail: ['measures'] },
  income: { domain: 'participatie', sensitivity: 'ordinary', signal: ['benefitType'], detail: ['benefitSince', 'sanctions'] },
  debts: { domain: 'schulden', sensitivity: 'ordinary', signal: ['hasArrears', 'totalArrears'], detail: ['arrears', 'inDebtCounselling'] },
  housing: { domain: 'wonen', sensitivity: 'ordinary', signal: ['tenant', 'rentArrears', 'evictionRisk'], detail: ['arrearsMonths', 'nuisanceReports'] },
  education: { domain: 'onderwijs', sensitivity: 'ordinary', signal: ['enrolled', 'truancyReports'], detail: ['school', 'attendanceRate'] },
  health: { domain: 'zorg', sensitivity: 'special', signal: ['careInvolved', 'careType', 'riskIndication'], detail: ['diagnosisSummary', 'treatmentSummary'] },
  criminal: { domain: 'oov', sensitivity: 'criminal', signal: ['policeContacts', 'probationSupervision'], detail: ['recentIncidents', 'convictions'] },
  safety: { domain: 'oov', sensitivity: 'criminal', signal: ['riskAssessment'], detail: ['domesticViolenceReports'] },
}

// A complete, realistic partner answer per category: proves each schema can be satisfied.
const SAMPLES: Record<CategoryName, Record<string, unknown>> = {
  involvement: { known: true, since: '2023-09-01', contactPerson: { name: 'Sanne de Vries', function: 'casemanager', phone: '+31 70 123 4567', email: 'sanne.devries@example.nl' } },
  identity: {
    name: { givenNames: 'Johannes Petrus', surnamePrefix: 'van der', surname: 'Berg' },
    birthDate: '1981-04-17',
    address: { street: 'Lindelaan', houseNumber: 12, houseNumberAddition: 'A', postalCode: '1234 AB', city: 'Voorbeeldstad' },
  },
  household: { size: 3, members: [{ name: 'Maria van der Berg', birthDate: '1983-02-02', relation: 'partner' }, { name: 'Tim van der Berg', relation: 'child' }] },
  'wmo-support': { hasProvision: true, provisions: [{ type: 'begeleiding', form: 'zin', since: '2024-01-15' }] },
  'youth-care': { hasYouthCare: true, childProtectionOrder: false, measures: [{ type: 'ambulant', since: '2024-05-01', provider: 'Jeugdhulp Het Kompas' }] },
  income: { benefitType: 'bijstand', benefitSince: '2022-11-01', sanctions: [{ date: '2024-03-01', reason: 'inlichtingenplicht', reductionPercent: 20, months: 1 }] },
  debts: { hasArrears: true, totalArrears: 184_250, arrears: [{ creditorType: 'energie', amount: 61_000, since: '2024-02-01' }], inDebtCounselling: false },
  housing: { tenant: true, rentArrears: true, evictionRisk: 'warning', arrearsMonths: 3, nuisanceReports: 2 },
  education: { enrolled: true, truancyReports: 4, school: { name: 'Scholengemeenschap De Horizon', brin: '12AB', level: 'vo' }, attendanceRate: 0.82 },
  health: { careInvolved: true, careType: ['ggz'], riskIndication: 'medium', diagnosisSummary: 'Depressieve klachten.', treatmentSummary: 'Ambulante behandeling, wekelijks.' },
  criminal: {
    policeContacts: 2,
    probationSupervision: false,
    recentIncidents: [{ date: '2025-01-12', type: 'openbare-orde', role: 'suspect' }],
    convictions: [{ date: '2023-06-30', offence: 'vermogen', sanction: 'taakstraf' }],
  },
  safety: { riskAssessment: 'high', domesticViolenceReports: [{ date: '2024-12-24', kind: 'huiselijk-geweld', role: 'victim', status: 'investigating' }] },
}

t.test('the schemas are exactly the categories of the SPEC', async (t) => {
  t.same([...CATEGORY_NAMES].sort(), Object.keys(SPEC_TABLE).sort(), 'category names')
  const files = readdirSync(new URL('../../schemas/categories/', import.meta.url)).filter((f) => f.endsWith('.schema.json'))
  t.same(files.sort(), CATEGORY_NAMES.map((c) => `${c}.schema.json`).sort(), 'one schema file per category, no others')
})

t.test('every category schema compiles with a plain ajv 2020 in strict mode', async (t) => {
  for (const name of CATEGORY_NAMES) {
    t.doesNotThrow(() => partnerAjv().compile(categorySchemas[name]), name)
  }
})

t.test('every field carries x-level signal or detail', async (t) => {
  for (const name of CATEGORY_NAMES) {
    const properties = (categorySchemas[name] as { properties: Record<string, Record<string, unknown>> }).properties
    t.ok(Object.keys(properties).length > 0, `${name} has fields`)
    for (const [field, schema] of Object.entries(properties)) {
      t.ok(schema['x-level'] === 'signal' || schema['x-level'] === 'detail', `${name}.${field}`)
    }
  }
})

t.test('the category table read from the schemas is the table of SPEC section 4', async (t) => {
  for (const name of CATEGORY_NAMES) {
    const { domain, sensitivity, signal, detail } = categoryTable[name]
    t.same({ domain, sensitivity, signal, detail }, SPEC_TABLE[name], name)
  }
})

t.test('a realistic partner answer validates', async (t) => {
  for (const name of CATEGORY_NAMES) {
    const validate = partnerAjv().compile(categorySchemas[name])
    t.ok(validate(SAMPLES[name]), `${name} ${JSON.stringify(validate.errors)}`)
    const allFields = [...categoryTable[name].signal, ...categoryTable[name].detail].sort()
    t.same(Object.keys(SAMPLES[name]).sort(), allFields, `${name} sample uses every field`)
  }
})

t.test('an answer outside the contract does not validate', async (t) => {
  const invalid: [CategoryName, Record<string, unknown>, string][] = [
    ['debts', { totalArrears: 1842.5 }, 'money as a fraction instead of cents'],
    ['debts', { totalArrears: '1842,50' }, 'money as a string'],
    ['identity', { birthDate: '17-04-1981' }, 'a date not in ISO 8601 form'],
    ['health', { riskIndication: 'very high' }, 'a value outside the enum'],
    ['identity', { address: { street: 'Lindelaan', houseNumber: 12, postalCode: '1234 AB' } }, 'a nested object missing a required field'],
    ['education', { attendanceRate: 82 }, 'a rate outside 0..1'],
    ['involvement', { known: 'ja' }, 'a boolean as a string'],
  ]
  for (const [name, data, why] of invalid) {
    t.notOk(partnerAjv().compile(categorySchemas[name])(data), `${name}: ${why}`)
  }
})

t.test('unknown extra properties are accepted and can be dropped at every level', async (t) => {
  // The gateway compiles with removeAdditional: 'all', so nothing outside the contract is passed on.
  const validate = partnerAjv({ removeAdditional: 'all' }).compile(categorySchemas.identity)
  const answer = {
    name: { surname: 'Berg', bsn: '999990019' },
    birthDate: '1981-04-17',
    internalNote: 'niet delen',
  }
  t.ok(validate(answer), 'validates')
  t.same(answer, { name: { surname: 'Berg' }, birthDate: '1981-04-17' }, 'extras removed, top level and nested')
})
