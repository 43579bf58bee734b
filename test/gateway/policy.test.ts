// GET /v1/policy (SPEC §6): public, the rules and tables the gateway enforces, with the law version
// and the policyVersion — built from the very policy object the decisions use. Over HTTP against
// the real exchange: what it publishes is what a decision names, and a changed capability table
// changes both the published policy and the decisions.
import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { categoryTable } from '@wams/schemas'
import shippedCapabilities from '@wams/schemas/party-type-capabilities.json' with { type: 'json' }
import { policyData, rules } from '../../services/gateway/src/decision/index.ts'
import { NECESSITY, OIN, ask, callers, expectDeny, expectPermit, openCase, startExchange, startGateway } from './helpers.ts'

const x = await startExchange(t, 'gw_policy')
const { gateway, ledger, sql } = x

type Table = { version: string, partyTypes: Record<string, Record<string, unknown>> }
function capabilitiesFile (change: (partyTypes: Table['partyTypes']) => void): string {
  const table = structuredClone(shippedCapabilities) as Table
  change(table.partyTypes)
  const file = join(mkdtempSync(join(tmpdir(), 'wams-caps-')), 'party-type-capabilities.json')
  writeFileSync(file, JSON.stringify(table))
  return file
}

const getPolicy = async (app = gateway) => {
  const res = await app.inject({ method: 'GET', url: '/v1/policy' })
  return { res, body: res.json() }
}

t.test('public: no token, JSON, with the law version', async (t) => {
  const { res, body } = await getPolicy()
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /^application\/json/)
  t.ok(res.headers['api-version'], 'API-Version header')
  t.same(body.lawVersion, {
    name: 'Wet aanpak meervoudige problematiek sociaal domein (Wams)',
    reference: 'Kamerstuk 36 295',
    amendments: 'nota van wijziging 18 februari 2026',
    inForce: false
  })
  t.match(body.policyVersion, /^[0-9a-f]{64}$/)
  t.notOk(/[0-9]{9}/.test(JSON.stringify(body).replace(/[0-9a-f]{64}/g, '').replace(/[0-9]{20}/g, '')), 'no BSN-like number anywhere')
})

t.test('it is what the decision uses', async (t) => {
  const { body } = await getPolicy()
  t.equal(body.policyVersion, gateway.policy.version, 'the policy object the decisions are made against')
  t.same(body.rules.map((r: { number: number }) => r.number), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'eleven rules in order')
  for (const [i, rule] of rules.entries()) {
    t.equal(body.rules[i].rule, rule.name, `rule ${rule.id} in its own words`)
    t.same(body.rules[i].reasonCodes, rule.reasonCodes, `rule ${rule.id}: its reason codes`)
  }
  t.same(body.rules[10].recordedCodes, ['OBJECTION_PENDING_OVERRIDDEN'], 'rule 11 names what its exception records')
  t.same(body.partyTypeCapabilities, shippedCapabilities, 'the capability table, whole')
  t.same(body.domainPartyTypes, { version: policyData.domainPartyTypesVersion, domains: policyData.domainPartyTypes }, 'the involvement check\'s table')
  t.same(body.purposesPerPhase, policyData.purposesByPhase)
  t.same(body.objectionOverride, policyData.objectionOverride)
  t.equal(body.categories.length, Object.keys(categoryTable).length)
  for (const category of body.categories) {
    const info = categoryTable[category.name as keyof typeof categoryTable]
    t.same([category.domain, category.sensitivity, category.signal, category.detail], [info.domain, info.sensitivity, info.signal, info.detail], `${category.name}: domain, sensitivity, fields`)
    t.same(category.detailPartyTypes, [...gateway.policy.categories.get(category.name)!.detailPartyTypes], `${category.name}: who may ask detail, as rule 10 decides it`)
  }
  t.same(body.categories.find((c: { name: string }) => c.name === 'health').detailPartyTypes, ['zorgaanbieder', 'huisarts', 'ggd'])

  // Every decision names the version published.
  const caseId = await openCase(ledger)
  const event = await expectPermit(t, sql, await ask(gateway, caseId, { provider: OIN.ggd, category: 'health', fields: ['careInvolved'] }), ['careInvolved'])
  t.equal(event.policyVersion, body.policyVersion, 'the audit record of a decision names the published policyVersion')
})

t.test('a changed capability table changes the policyVersion, the published table and the decisions', async (t) => {
  // The school, granted special data (only) in the table the second gateway loads.
  const file = capabilitiesFile((types) => { types.school!.mayReceiveSpecial = true })
  const changed = await startGateway(t, 'gw_policy_changed', { CONSENT_LEDGER_URL: x.ledgerUrl, REGISTER_FILE: x.registerFile, PARTY_TYPE_CAPABILITIES_FILE: file })
  const before = (await getPolicy()).body
  const after = (await getPolicy(changed.gateway)).body
  t.not(after.policyVersion, before.policyVersion, 'another table, another policyVersion (the table\'s own version was not even raised)')
  t.equal(after.policyVersion, changed.gateway.policy.version)
  t.equal(after.partyTypeCapabilities.partyTypes.school.mayReceiveSpecial, true, 'the published table is the loaded one')
  t.same(after.lawVersion, before.lawVersion)

  const caseId = await openCase(ledger, { participants: [OIN.ggd, OIN.school], phase: 'aanpak' })
  const request = { provider: OIN.ggd, category: 'health', purpose: 'casusoverleg', fields: ['careInvolved'], necessity: NECESSITY }
  const denied = await expectDeny(t, sql, await ask(gateway, caseId, request, callers.professional(OIN.school)), ['CATEGORY_NOT_PERMITTED'])
  t.equal(denied.policyVersion, before.policyVersion, 'shipped table: no health data for a school')
  const permitted = await expectPermit(t, changed.sql, await ask(changed.gateway, caseId, request, callers.professional(OIN.school)), ['careInvolved'])
  t.equal(permitted.policyVersion, after.policyVersion, 'changed table: permitted, under the changed policyVersion')
})

t.test('a party type with every capability false can do nothing at the gateway', async (t) => {
  // Every yes/no capability false; it keeps its domain only because the involvement-check table names
  // it there, and the two tables must agree (the gateway refuses to start otherwise, see below).
  const file = capabilitiesFile((types) => {
    types.schuldhulpverlening = { mayOwnCases: false, mayParticipate: false, mayReceiveSpecial: false, mayReceiveCriminal: false, domains: ['schulden'], supervises: false }
  })
  const nothing = await startGateway(t, 'gw_policy_nothing', { CONSENT_LEDGER_URL: x.ledgerUrl, REGISTER_FILE: x.registerFile, PARTY_TYPE_CAPABILITIES_FILE: file })
  const caseId = await openCase(ledger, { participants: [OIN.ggd, OIN.kredietbank], phase: 'aanpak' })
  const request = { provider: OIN.ggd, category: 'health', purpose: 'casusoverleg', fields: ['careInvolved'], necessity: NECESSITY }
  await expectPermit(t, sql, await ask(gateway, caseId, request, callers.professional(OIN.kredietbank)), ['careInvolved'])
  await expectDeny(t, nothing.sql, await ask(nothing.gateway, caseId, request, callers.professional(OIN.kredietbank)), ['CATEGORY_NOT_PERMITTED', 'ROLE_NOT_PERMITTED'])
  await expectDeny(t, nothing.sql, await ask(nothing.gateway, caseId, { ...request, category: 'involvement', fields: ['known'] }, callers.professional(OIN.kredietbank)), ['ROLE_NOT_PERMITTED'])

  const undecided = capabilitiesFile((types) => { delete types.schuldhulpverlening })
  await t.rejects(startGateway(t, 'gw_policy_undecided', { CONSENT_LEDGER_URL: x.ledgerUrl, REGISTER_FILE: x.registerFile, PARTY_TYPE_CAPABILITIES_FILE: undecided }),
    /party type schuldhulpverlening has no capabilities decided/, 'a party type without capabilities: the gateway does not start')
  const disagreeing = capabilitiesFile((types) => { types.schuldhulpverlening!.domains = [] })
  await t.rejects(startGateway(t, 'gw_policy_disagree', { CONSENT_LEDGER_URL: x.ledgerUrl, REGISTER_FILE: x.registerFile, PARTY_TYPE_CAPABILITIES_FILE: disagreeing }),
    /schuldhulpverlening in schulden/, 'an involvement-check table naming a party type outside its domains: the gateway does not start')
})

t.test('documented in the OpenAPI document', async (t) => {
  const doc = (await gateway.inject({ method: 'GET', url: '/v1/openapi.json' })).json()
  // Paths are relative to the server URL /v1 (NLGov: the major version in the server URL).
  const op = (doc.paths?.['/policy'] ?? doc.paths?.['/v1/policy'])?.get
  t.ok(op, 'GET /v1/policy')
  t.equal(op?.operationId, 'getPolicy')
  t.notOk(op?.security?.length, 'no security requirement: public')
  const schema = op?.responses?.['200']?.content?.['application/json']?.schema
  t.ok(schema?.properties?.policyVersion && schema?.properties?.partyTypeCapabilities && schema?.properties?.lawVersion, 'its response schema')
})
