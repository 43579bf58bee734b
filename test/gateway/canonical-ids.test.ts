// Identifiers in one canonical form (issue 11 item 5, found by the fuzz suite): the standard uuid
// format also accepts `urn:uuid:…` and upper case, which then travelled to the consent ledger
// (a 500 there, a 503 here) or would be recorded as typed. Now each is a 400 at the edge, before
// anything is decided or recorded.
import t from 'tap'
import { OIN, callers, openCase, startExchange } from './helpers.ts'

t.test('a case id that is not a canonical lower-case UUID is a 400 at the edge', async (t) => {
  const x = await startExchange(t, 'canonical_ids')
  const caseId = await openCase(x.ledger)
  const before = (await x.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]!.n
  for (const id of [`urn:uuid:${caseId}`, caseId.toUpperCase(), `{${caseId}}`]) {
    const res = await x.gateway.inject({
      method: 'POST',
      url: `/v1/cases/${encodeURIComponent(id)}/data-requests`,
      headers: callers.college(),
      payload: { provider: OIN.ggd, subject: '999990019', category: 'health', purpose: 'onderzoek', fields: ['careInvolved'], necessity: 'Nodig om vast te stellen welke zorg er al is.' }
    })
    t.equal(res.statusCode, 400, `gateway: ${id.slice(0, 12)}…`)
    t.match(res.headers['content-type'], 'application/problem+json')
    const ledger = await x.ledger.inject({ url: `/v1/cases/${encodeURIComponent(id)}`, headers: callers.college() })
    t.equal(ledger.statusCode, 400, `ledger: ${id.slice(0, 12)}…`)
  }
  const after = (await x.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]!.n
  t.equal(after, before, 'nothing decided, nothing recorded')
  const ok = await x.gateway.inject({
    method: 'POST',
    url: `/v1/cases/${caseId}/data-requests`,
    headers: callers.college(),
    payload: { provider: OIN.ggd, subject: '999990019', category: 'health', purpose: 'onderzoek', fields: ['careInvolved'], necessity: 'Nodig om vast te stellen welke zorg er al is.' }
  })
  t.equal(ok.statusCode, 200, 'the canonical id works')
})
