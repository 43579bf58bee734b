// Who may do what (services/consent-ledger/src/access.ts), as a table: each kind of caller × each
// endpoint, on a fresh case each time so that writes do not depend on each other. 404 for callers
// who have no relation to the case (they do not learn it exists), 403 for those who know it but may
// not do this, 401 without a token. Then what each reader sees: BSNs only for the municipality.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { PROBLEM_TYPE, verifyChain, type ChainLink } from '@wams/platform'
import { BSN, OIN, callers, hulpvraagBody, openCase, startLedger } from './helpers.ts'

const { app } = await startLedger(t, 'ledger_authorisation')

interface Fixture { caseId: string, objectionId: string }

/** A hulpvraag case with a scope, the zorgaanbieder as participant and a pending objection. */
async function fixture (app: FastifyInstance): Promise<Fixture> {
  const { caseId } = await openCase(app, hulpvraagBody())
  const headers = callers.college()
  await app.inject({ method: 'PUT', url: `/v1/cases/${caseId}/scope`, headers, payload: { domains: ['wmo', 'schulden'], parties: [OIN.zorgaanbieder, OIN.woningcorporatie], statement: 'Zorg en corporatie mogen meedoen.' } })
  await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/participants`, headers, payload: { org: OIN.zorgaanbieder, necessity: 'Nodig voor het afstemmen van de thuiszorg.' } })
  const objection = await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/objections`, headers, payload: { subject: BSN.member, reason: 'Ik maak bezwaar tegen delen.' } })
  if (objection.statusCode !== 201) throw new Error(objection.body)
  return { caseId, objectionId: objection.json().objectionId }
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'
interface Endpoint { name: string, method: Method, url: (f: Fixture) => string, payload?: Record<string, unknown>, ok: number }

const endpoints: Endpoint[] = [
  { name: 'GET case', method: 'GET', url: (f) => `/v1/cases/${f.caseId}`, ok: 200 },
  { name: 'GET decision-state', method: 'GET', url: (f) => `/v1/cases/${f.caseId}/decision-state`, ok: 200 },
  { name: 'GET ledger', method: 'GET', url: (f) => `/v1/cases/${f.caseId}/ledger`, ok: 200 },
  { name: 'GET verification', method: 'GET', url: (f) => `/v1/cases/${f.caseId}/verification`, ok: 200 },
  { name: 'PUT scope', method: 'PUT', url: (f) => `/v1/cases/${f.caseId}/scope`, payload: { domains: ['wmo'], parties: [OIN.zorgaanbieder], statement: 'Alleen de zorg nog.' }, ok: 200 },
  { name: 'POST participant', method: 'POST', url: (f) => `/v1/cases/${f.caseId}/participants`, payload: { org: OIN.woningcorporatie, necessity: 'Nodig vanwege de huurachterstand.' }, ok: 201 },
  { name: 'DELETE participant', method: 'DELETE', url: (f) => `/v1/cases/${f.caseId}/participants/${OIN.zorgaanbieder}`, ok: 200 },
  { name: 'POST phase', method: 'POST', url: (f) => `/v1/cases/${f.caseId}/phase`, payload: { phase: 'aanpak' }, ok: 200 },
  { name: 'POST close', method: 'POST', url: (f) => `/v1/cases/${f.caseId}/close`, payload: { reason: 'Afgerond.' }, ok: 200 },
  { name: 'POST objection', method: 'POST', url: (f) => `/v1/cases/${f.caseId}/objections`, payload: { subject: BSN.client, reason: 'Ook ik maak bezwaar.' }, ok: 201 },
  { name: 'POST objection decision', method: 'POST', url: (f) => `/v1/cases/${f.caseId}/objections/${f.objectionId}/decision`, payload: { upheld: true, reason: 'Toegewezen.' }, ok: 200 }
]

// Expected status per caller, in the order of `endpoints`: 'ok' is the endpoint's success status.
type Cell = 'ok' | 401 | 403 | 404
const all = (cell: Cell): Cell[] => endpoints.map(() => cell)
const stranger: Cell[] = [404, 403, 404, 404, 404, 404, 404, 404, 404, 404, 404]
const matrix: Array<{ caller: string, headers: () => Record<string, string>, expect: Cell[] }> = [
  //                                                                   case   decision ledger verify scope  add    remove phase  close  object decide
  { caller: 'college of the municipality', headers: callers.college, expect: ['ok', 403, 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'] },
  { caller: 'the case\'s coordinator', headers: callers.coordinator, expect: ['ok', 403, 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'] },
  { caller: 'supervisor of the toezichthouder', headers: callers.supervisor, expect: ['ok', 'ok', 'ok', 'ok', 403, 403, 403, 403, 403, 403, 403] },
  { caller: 'participant', headers: callers.participant, expect: ['ok', 403, 403, 403, 403, 403, 403, 403, 403, 403, 403] },
  { caller: 'gateway', headers: callers.gateway, expect: [403, 'ok', 403, 403, 403, 403, 403, 403, 403, 403, 403] },
  { caller: 'another coordinator of the same gemeente', headers: callers.otherCoordinator, expect: stranger },
  { caller: 'college of another gemeente', headers: callers.otherCollege, expect: stranger },
  { caller: 'a party that does not participate', headers: callers.nonParticipant, expect: stranger },
  { caller: 'role supervisor of a party that is not the toezichthouder', headers: callers.fakeSupervisor, expect: stranger },
  { caller: 'no token', headers: () => ({}), expect: all(401) }
]

for (const row of matrix) {
  t.test(row.caller, async (t) => {
    for (const [i, endpoint] of endpoints.entries()) {
      const f = await fixture(app)
      const res = await app.inject({
        method: endpoint.method, url: endpoint.url(f), headers: row.headers(), ...(endpoint.payload ? { payload: endpoint.payload } : {})
      })
      const cell = row.expect[i]!
      const status = cell === 'ok' ? endpoint.ok : cell
      t.equal(res.statusCode, status, `${endpoint.name} → ${status}`)
      if (status >= 400) t.match(res.headers['content-type'], PROBLEM_TYPE, `${endpoint.name}: problem+json`)
      if (cell !== 'ok' && endpoint.method !== 'GET') {
        const version = (await app.inject({ method: 'GET', url: `/v1/cases/${f.caseId}/decision-state`, headers: callers.gateway() })).json().version
        t.equal(version, 4, `${endpoint.name}: nothing was recorded`)
      }
    }
  })
}

t.test('an unknown case is 404 for everyone who may read cases at all', async (t) => {
  const url = '/v1/cases/00000000-0000-4000-8000-000000000000'
  for (const headers of [callers.college(), callers.supervisor(), callers.participant()]) {
    t.equal((await app.inject({ method: 'GET', url, headers })).statusCode, 404)
  }
  t.equal((await app.inject({ method: 'POST', url: `${url}/close`, headers: callers.college(), payload: { reason: 'x' } })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: `${url}/decision-state`, headers: callers.gateway() })).statusCode, 404)
})

t.test('what each reader sees: BSNs only for the municipality, words only for municipality and supervisor', async (t) => {
  const f = await fixture(app)
  const read = (headers: Record<string, string>) => app.inject({ method: 'GET', url: `/v1/cases/${f.caseId}`, headers })

  for (const headers of [callers.college(), callers.coordinator()]) {
    const res = await read(headers)
    t.equal(res.json().view, 'full')
    t.same(res.json().subjects.map((s: { bsn: string }) => s.bsn), [BSN.client, BSN.member])
  }

  const supervisor = await read(callers.supervisor())
  t.equal(supervisor.json().view, 'full')
  t.notOk(supervisor.body.includes(BSN.client) || supervisor.body.includes(BSN.member), 'the supervisor sees no BSN')
  t.ok(supervisor.json().subjects.every((s: Record<string, unknown>) => !('bsn' in s) && typeof s.subjectRef === 'string'))
  t.match(supervisor.json(), { relatedness: /schulden/, objections: [{ reason: 'Ik maak bezwaar tegen delen.' }] }, 'but the full facts of the case')

  const participant = await read(callers.participant())
  const view = participant.json()
  t.equal(view.view, 'participant')
  for (const hidden of [BSN.client, BSN.member, 'Huurachterstand', 'Door de schulden', 'Ik maak bezwaar', 'Zorg en corporatie', 'thuiszorg']) {
    t.notOk(participant.body.includes(hidden), `a participant does not see "${hidden}"`)
  }
  t.same(view.problems, [{ domain: 'schulden' }, { domain: 'wmo' }], 'only the domains of the problems')
  t.match(view.objections, [{ status: 'pending' }], 'the status of objections, not their reasons')
  t.same(Object.keys(view.objections[0]).sort(), ['decidedAt', 'lodgedAt', 'objectionId', 'status', 'subjectRef'])

  const ledger = await app.inject({ method: 'GET', url: `/v1/cases/${f.caseId}/ledger`, headers: callers.supervisor() })
  t.notOk(ledger.body.includes(BSN.client) || ledger.body.includes(BSN.member), 'no BSN in the supervisor\'s ledger either')
  t.equal(ledger.json().events[0].content, null, 'the opening event, which holds BSNs, comes without content')
  t.match(verifyChain(ledger.json().events), { valid: true, length: 4 }, 'and the supervisor can still verify the chain')
  const owners = await app.inject({ method: 'GET', url: `/v1/cases/${f.caseId}/ledger`, headers: callers.college() })
  t.ok(owners.json().events[0].content.data.subjects.length === 2, 'the municipality sees the full ledger')
})

t.test('a BSN typed into a free text reaches the municipality as typed, never the supervisor', async (t) => {
  const typed = '999990019'
  const { caseId } = await openCase(app, hulpvraagBody())
  const headers = callers.college()
  await app.inject({ method: 'PUT', url: `/v1/cases/${caseId}/scope`, headers, payload: { domains: ['wmo'], parties: [OIN.zorgaanbieder], statement: 'Zorg mag meedoen.' } })
  const participant = await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/participants`, headers, payload: { org: OIN.zorgaanbieder, necessity: `Nodig voor de thuiszorg van BSN ${typed}.` } })
  t.equal(participant.statusCode, 201, participant.body)
  const objection = await app.inject({ method: 'POST', url: `/v1/cases/${caseId}/objections`, headers, payload: { subject: BSN.member, reason: `Bezwaar namens ${typed}.` } })
  t.equal(objection.statusCode, 201, objection.body)

  const own = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers })
  t.match(own.json(), { participants: [{ necessity: /BSN 999990019/ }], objections: [{ reason: /999990019/ }] }, 'the municipality sees what was typed')
  const supervisor = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}`, headers: callers.supervisor() })
  t.notOk(supervisor.body.includes(typed), 'the supervisor\'s view holds no typed BSN')
  t.match(supervisor.json(), { participants: [{ necessity: 'Nodig voor de thuiszorg van BSN [bsn].' }], objections: [{ reason: 'Bezwaar namens [bsn].' }] }, 'masked, the rest of the text kept')

  const ledger = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}/ledger`, headers: callers.supervisor() })
  t.notOk(ledger.body.includes(typed), 'nor does the supervisor\'s ledger')
  const events = ledger.json().events as Array<ChainLink & { type: string }>
  t.equal(events.find((e) => e.type === 'participant.added')?.content, null, 'the event with the typed BSN comes without content')
  t.match(verifyChain(events), { valid: true }, 'and the chain still verifies')
  const owners = await app.inject({ method: 'GET', url: `/v1/cases/${caseId}/ledger`, headers })
  t.ok(owners.body.includes(typed), 'the municipality\'s ledger is as recorded')
})
