// The AMvB register as data: the initial register and the loader the gateway relies on.
import t from 'tap'
import { partyRegister, type PartyRegister, type PartyType } from '@wams/schemas'
import { indexPartyRegister, PartyRegisterError } from '@wams/platform'

const PARTY_TYPES: PartyType[] = [
  'gemeente', 'zorgaanbieder', 'huisarts', 'ggd', 'veilig-thuis', 'jeugdhulpaanbieder', 'woningcorporatie',
  'energieleverancier', 'zorgverzekeraar', 'school', 'uwv', 'schuldhulpverlening', 'politie', 'reclassering', 'toezichthouder',
]

const copy = (): PartyRegister => structuredClone(partyRegister) as PartyRegister

t.test('the initial register', async (t) => {
  const register = indexPartyRegister(partyRegister)
  for (const type of PARTY_TYPES) {
    t.ok(register.parties.some((p) => p.partyType === type && p.active), `an active ${type}`)
  }
  t.equal(register.parties.filter((p) => p.partyType === 'gemeente' && p.active).length, 2, 'two gemeenten')
  t.equal(register.parties.filter((p) => !p.active).length, 1, 'one inactive party')
  for (const party of register.parties) {
    t.match(party.oin, /^00000099[0-9]{12}$/, `${party.name}: a test OIN`)
    t.equal(party.baseUrl, `http://127.0.0.1:8090/partners/${party.oin}`, `${party.name}: demo partner path`)
    if (party.partyType === 'toezichthouder') t.same(party.categories, [], 'the toezichthouder supplies nothing')
    else t.ok(party.categories.includes('involvement'), `${party.name} supplies involvement`)
  }
})

t.test('the index answers who is active and who supplies what', async (t) => {
  const register = indexPartyRegister(partyRegister)
  const inactive = register.parties.find((p) => !p.active)!
  t.equal(register.byOin.get(inactive.oin), inactive, 'an inactive party is listed')
  t.equal(register.active(inactive.oin), undefined, 'but not active')
  const ggd = register.parties.find((p) => p.partyType === 'ggd')!
  t.equal(register.active(ggd.oin), ggd)
  t.ok(register.supplies(ggd.oin, 'health'))
  t.notOk(register.supplies(ggd.oin, 'housing'))
  t.notOk(register.supplies('00000099000000009999', 'health'), 'an unlisted party supplies nothing')
})

t.test('the register in force cannot change under the gateway', async (t) => {
  const source = copy()
  const register = indexPartyRegister(source)
  source.parties[0]!.active = false
  t.ok(register.active(source.parties[0]!.oin), 'a change to the source object does not reach the index')
  t.throws(() => {
    (register.parties[0] as { active: boolean }).active = false
  }, TypeError)
})

t.test('an invalid register is refused with every problem', async (t) => {
  const bad = copy()
  bad.parties[0]!.oin = '12345';
  (bad.parties[1] as { partyType: string }).partyType = 'bakker'
  const error = t.throws(() => indexPartyRegister(bad)) as PartyRegisterError
  t.type(error, PartyRegisterError)
  t.equal(error.problems.length, 2, JSON.stringify(error.problems))
  t.match(error.problems.join('\n'), /\/parties\/0\/oin/)
  t.match(error.problems.join('\n'), /\/parties\/1\/partyType/)

  const duplicate = copy()
  duplicate.parties[1]!.oin = duplicate.parties[0]!.oin
  const duplicateError = t.throws(() => indexPartyRegister(duplicate)) as PartyRegisterError
  t.same(duplicateError.problems, [`OIN ${duplicate.parties[0]!.oin} is listed more than once`], 'duplicate OINs')
})
