// The consent ledger reads the party-type capability table (an allow-list): mayOwnCases decides who
// opens a case, mayParticipate who may be added, named in a client's scope or coordinate. A party
// type with every capability false can do nothing here; one the table does not decide stops the start.
import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import shipped from '@wams/schemas/party-type-capabilities.json' with { type: 'json' }
import { buildApp, readConfig } from '../../services/consent-ledger/src/index.ts'
import { OIN, callers, ernstigBody, hulpvraagBody, openCase, startLedger } from './helpers.ts'

const NECESSITY = 'Nodig om de schulden en de hulp thuis samen aan te pakken.'
type Table = { version: string, partyTypes: Record<string, Record<string, unknown>> }

function tableFile (change: (partyTypes: Table['partyTypes']) => void): string {
  const table = structuredClone(shipped) as Table
  change(table.partyTypes)
  const file = join(mkdtempSync(join(tmpdir(), 'wams-caps-')), 'party-type-capabilities.json')
  writeFileSync(file, JSON.stringify(table))
  return file
}

const ALL_FALSE = { mayOwnCases: false, mayParticipate: false, mayReceiveSpecial: false, mayReceiveCriminal: false, domains: [], supervises: false }

const shippedLedger = await startLedger(t, 'ledger_caps_shipped')

t.test('with the shipped table the schuldhulpverlening takes part', async (t) => {
  const { caseId } = await openCase(shippedLedger.app, ernstigBody())
  const res = await shippedLedger.app.inject({ method: 'POST', url: `/v1/cases/${caseId}/participants`, headers: callers.college(), payload: { org: OIN.kredietbank, necessity: NECESSITY } })
  t.equal(res.statusCode, 201)
})

t.test('a party type with every capability false can do nothing in a case', async (t) => {
  const file = tableFile((types) => { types.schuldhulpverlening = { ...ALL_FALSE } })
  const { app } = await startLedger(t, 'ledger_caps_false', { env: { PARTY_TYPE_CAPABILITIES_FILE: file } })
  const { caseId } = await openCase(app, ernstigBody())
  const participant = await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/participants`, headers: callers.college(), payload: { org: OIN.kredietbank, necessity: NECESSITY } })
  t.equal(participant.statusCode, 400)
  t.equal(participant.json().code, 'PARTY_TYPE_NOT_ALLOWED', 'not added as participant')

  const { caseId: hulpvraag } = await openCase(app, hulpvraagBody())
  const scope = await app.inject({
    method: 'PUT',
    url: `/v1/cases/${hulpvraag}/scope`,
    headers: callers.college(),
    payload: { domains: ['schulden'], parties: [OIN.kredietbank], statement: 'De kredietbank mag meedoen van mij.' }
  })
  t.equal(scope.statusCode, 400, 'not in a client\'s scope')
  t.equal(scope.json().errors[0].pointer, '/parties/0')

  const coordinated = await app.inject({ method: 'POST', url: '/v1/cases', headers: callers.college(), payload: ernstigBody({ coordinator: { org: OIN.kredietbank, sub: 'schuldhulpverlener' } }) })
  t.equal(coordinated.statusCode, 400)
  t.ok(coordinated.json().errors.some((e: { code: string }) => e.code === 'COORDINATOR_NOT_REGISTERED'), 'no coordinator of its organisation')
})

t.test('who opens a case and who supervises come from the table', async (t) => {
  const noOwner = tableFile((types) => { types.gemeente!.mayOwnCases = false })
  const { app } = await startLedger(t, 'ledger_caps_owner', { env: { PARTY_TYPE_CAPABILITIES_FILE: noOwner } })
  const res = await app.inject({ method: 'POST', url: '/v1/cases', headers: callers.college(), payload: hulpvraagBody() })
  t.equal(res.statusCode, 403, 'a gemeente the table does not let own cases opens none')

  const noSupervisor = tableFile((types) => { types.toezichthouder!.supervises = false })
  const ledger = await startLedger(t, 'ledger_caps_supervisor', { env: { PARTY_TYPE_CAPABILITIES_FILE: noSupervisor } })
  const { caseId } = await openCase(ledger.app, hulpvraagBody())
  const read = await ledger.app.inject({ method: 'GET', url: `/v1/cases/${caseId}/ledger`, headers: callers.supervisor() })
  t.equal(read.statusCode, 404, 'without `supervises` the toezichthouder has no standing in a case')
  const { caseId: shippedCase } = await openCase(shippedLedger.app, hulpvraagBody())
  t.equal((await shippedLedger.app.inject({ method: 'GET', url: `/v1/cases/${shippedCase}/ledger`, headers: callers.supervisor() })).statusCode, 200, 'with it (shipped table), it has')
})

t.test('a table that leaves a party type undecided stops the start', async (t) => {
  const file = tableFile((types) => { delete types.schuldhulpverlening })
  await t.rejects(buildApp(readConfig({ PARTY_TYPE_CAPABILITIES_FILE: file, LOG_LEVEL: 'silent' })), /party type schuldhulpverlening has no capabilities decided/)
})
