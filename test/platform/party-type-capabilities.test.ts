// The party-type capability table (SPEC §3): an allow-list beside the register. Every party type is
// decided, every capability of each; a party type nobody decided stops the load; the initial table
// reproduces SPEC §5 rule 9 and the supervisor's and the municipality's standing.
import t from 'tap'
import { partyRegister, type PartyRegister, type PartyType, type PartyTypeCapabilities } from '@wams/schemas'
import shipped from '@wams/schemas/party-type-capabilities.json' with { type: 'json' }
import {
  CAPABILITIES, indexPartyRegister, indexPartyTypeCapabilities, loadPartyRegister, PARTY_TYPES, PartyRegisterError,
  PartyTypeCapabilitiesError, shippedPartyTypeCapabilities,
} from '@wams/platform'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

type Table = { version: string; partyTypes: Record<string, Record<string, unknown>> }
const table = (): Table => structuredClone(shipped) as Table
const register = (): PartyRegister => structuredClone(partyRegister) as PartyRegister

t.test('the shipped table decides every party type and every capability', async (t) => {
  const caps = shippedPartyTypeCapabilities()
  t.same(Object.keys(caps.table.partyTypes).sort(), [...PARTY_TYPES].sort(), 'one entry per party type of the vocabulary')
  for (const type of PARTY_TYPES) {
    const entry = caps.of(type)!
    for (const capability of CAPABILITIES) t.type(entry[capability], 'boolean', `${type}.${capability} decided`)
    t.ok(Array.isArray(entry.domains), `${type}.domains decided`)
  }
  t.same(PARTY_TYPES.filter((type) => caps.grants(type, 'mayOwnCases')), ['gemeente'], 'only the gemeente owns cases')
  t.same(PARTY_TYPES.filter((type) => caps.grants(type, 'supervises')), ['toezichthouder'], 'only the toezichthouder supervises')
  t.same(PARTY_TYPES.filter((type) => !caps.grants(type, 'mayParticipate')), ['toezichthouder'], 'everyone but the supervisor may take part')
  const noSensitive = ['woningcorporatie', 'energieleverancier', 'zorgverzekeraar', 'school', 'uwv', 'toezichthouder']
  t.same(PARTY_TYPES.filter((type) => !caps.grants(type, 'mayReceiveSpecial')), noSensitive, 'SPEC rule 9: special data never to these')
  t.same(PARTY_TYPES.filter((type) => !caps.grants(type, 'mayReceiveCriminal')), noSensitive, 'SPEC rule 9: criminal data never to these')
  // SPEC rule 10's named lists are the party types that work in the category's domain.
  t.same(caps.workingIn('zorg'), ['zorgaanbieder', 'huisarts', 'ggd'], 'health (zorg)')
  t.same(caps.workingIn('oov'), ['veilig-thuis', 'politie', 'reclassering'], 'criminal and safety (oov)')
  t.same(caps.workingIn('jeugd'), ['veilig-thuis', 'jeugdhulpaanbieder'], 'youth-care (jeugd)')
  t.notOk(caps.grants('bakker', 'mayParticipate'), 'a string that is no party type is granted nothing')
  t.notOk(caps.grants(null, 'mayParticipate'), 'no party type, nothing')
})

t.test('an entry must decide every capability: none has a default', async (t) => {
  for (const capability of [...CAPABILITIES, 'domains']) {
    const partial = table()
    delete partial.partyTypes.school![capability]
    const error = t.throws(() => indexPartyTypeCapabilities(partial)) as PartyTypeCapabilitiesError
    t.type(error, PartyTypeCapabilitiesError)
    t.match(error.problems.join('\n'), new RegExp(`/partyTypes/school must have required property '${capability}'`), `${capability} left out`)
  }
  const wrong = table()
  wrong.partyTypes.school!.mayReceiveSpecial = 'no'
  t.throws(() => indexPartyTypeCapabilities(wrong), /\/partyTypes\/school\/mayReceiveSpecial must be boolean/, 'a capability is a boolean')
  const unknown = table()
  unknown.partyTypes.bakker = { ...unknown.partyTypes.school! }
  t.throws(() => indexPartyTypeCapabilities(unknown), /property name must be valid/, 'an entry for a party type outside the vocabulary')
})

t.test('a party type without capabilities does not load', async (t) => {
  // What adding a party type looks like at run time: the vocabulary (common.schema.json) has it,
  // the table does not. Here `school` plays the new party type.
  const withoutSchool = table()
  delete withoutSchool.partyTypes.school
  const error = t.throws(() => indexPartyTypeCapabilities(withoutSchool, 'caps.json')) as PartyTypeCapabilitiesError
  t.same(error.problems, ['party type school has no capabilities decided'], 'the table is refused, naming the undecided party type')

  // A table that was accepted for a vocabulary without `school` still cannot carry a register that lists one.
  const narrow = indexPartyTypeCapabilities(withoutSchool, 'caps.json', PARTY_TYPES.filter((type) => type !== 'school'))
  const school = partyRegister.parties.find((p) => p.partyType === 'school')!
  const refused = t.throws(() => indexPartyRegister(partyRegister, 'register.json', narrow)) as PartyRegisterError
  t.type(refused, PartyRegisterError)
  t.same(refused.problems, [`party ${school.oin} has party type school, which the capability table (version ${shipped.version}) does not decide`])

  // And from files, as a service starts (REGISTER_FILE, PARTY_TYPE_CAPABILITIES_FILE).
  const dir = mkdtempSync(join(tmpdir(), 'wams-caps-'))
  writeFileSync(join(dir, 'caps.json'), JSON.stringify(withoutSchool))
  t.throws(() => loadPartyRegister(undefined, join(dir, 'caps.json')), /party type school has no capabilities decided/)
})

t.test('a party type that may own cases needs a gemeentecode (residence check)', async (t) => {
  const noCode = register()
  delete (noCode.parties[0] as { gemeentecode?: string }).gemeentecode
  const error = t.throws(() => indexPartyRegister(noCode)) as PartyRegisterError
  t.match(error.problems.join('\n'), /\/parties\/0 must have required property 'gemeentecode'/, 'the schema: a gemeente carries its code')

  const ggdOwns = table()
  ggdOwns.partyTypes.ggd!.mayOwnCases = true
  const ggd = partyRegister.parties.find((p) => p.partyType === 'ggd')!
  const refused = t.throws(() => indexPartyRegister(partyRegister, 'register.json', indexPartyTypeCapabilities(ggdOwns))) as PartyRegisterError
  t.same(refused.problems, [`party ${ggd.oin} may own cases (ggd) but has no gemeentecode for the residence check`])

  const badCode = register()
  badCode.parties[0]!.gemeentecode = '99'
  t.throws(() => indexPartyRegister(badCode), /\/parties\/0\/gemeentecode must match pattern/, 'four digits')
})

t.test('the register answers from the table: can(oin, capability)', async (t) => {
  const index = indexPartyRegister(partyRegister)
  const oinOf = (type: PartyType) => partyRegister.parties.find((p) => p.partyType === type && p.active)!.oin
  t.ok(index.can(oinOf('gemeente'), 'mayOwnCases'))
  t.notOk(index.can(oinOf('ggd'), 'mayOwnCases'))
  t.ok(index.can(oinOf('toezichthouder'), 'supervises'))
  t.notOk(index.can(oinOf('toezichthouder'), 'mayParticipate'))
  const inactive = partyRegister.parties.find((p) => !p.active)!
  t.notOk(index.can(inactive.oin, 'mayParticipate'), 'an inactive party can do nothing')
  t.notOk(index.can('00000099000000009999', 'mayParticipate'), 'an unlisted one neither')
  t.equal(index.gemeentecode(oinOf('gemeente')), '9901')
  t.equal(index.gemeentecode(oinOf('ggd')), null)

  const allFalse = table()
  allFalse.partyTypes.schuldhulpverlening = { mayOwnCases: false, mayParticipate: false, mayReceiveSpecial: false, mayReceiveCriminal: false, domains: [], supervises: false }
  const nothing = indexPartyRegister(partyRegister, 'register.json', indexPartyTypeCapabilities(allFalse))
  for (const capability of CAPABILITIES) t.notOk(nothing.can(oinOf('schuldhulpverlening'), capability), `all false: not ${capability}`)
})

t.test('a TypeScript table must decide every party type and capability (checked by npm run typecheck)', async (t) => {
  const entry: PartyTypeCapabilities = { mayOwnCases: false, mayParticipate: true, mayReceiveSpecial: false, mayReceiveCriminal: false, domains: [], supervises: false }
  // @ts-expect-error -- a capability left out is a compile error
  const missingCapability: PartyTypeCapabilities = { mayOwnCases: false, mayParticipate: true, mayReceiveSpecial: false, mayReceiveCriminal: false, domains: [] }
  const { school: _school, ...withoutSchool } = Object.fromEntries(PARTY_TYPES.map((type) => [type, entry])) as Record<PartyType, PartyTypeCapabilities>
  // @ts-expect-error -- a party type left out is a compile error
  const missingPartyType: Record<PartyType, PartyTypeCapabilities> = withoutSchool
  t.ok(missingCapability && missingPartyType)
})
