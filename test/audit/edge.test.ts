// The audit service's edge (issue 8): a date the database cannot hold is a 400 problem, not a 500
// naming a PostgreSQL error code; HEAD on the live stream answers at once with the GET's status
// and headers and no body; text outside the text policy is refused like everywhere else.
import t from 'tap'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { PROBLEM_TYPE } from '@wams/platform'
import { bearer } from '../support/tokens.ts'
import { ORG, freshInfra, startAudit } from './support.ts'

const infra = await freshInfra(t, 'audit_edge')
const app = await startAudit(t, infra)
const supervisor = bearer({ org: ORG.ap, roles: ['supervisor'] })

t.test('dates the database cannot hold are a 400 problem without internals', async (t) => {
  const dates = ['0000-01-01T00:00:00Z', '2025-06-30T23:59:60Z', '2025-01-01T00:00:00%2B23:00', '2025-02-30T00:00:00Z']
  for (const date of dates) {
    for (const name of ['to', 'from']) {
      const res = await app.inject({ url: `/v1/audit/events?${name}=${date}`, headers: supervisor })
      t.equal(res.statusCode, 400, `${name}=${date}: 400`)
      t.match(res.headers['content-type'], PROBLEM_TYPE)
      t.match(res.json(), { code: 'WAMS_VALIDATION', errors: [{ in: 'querystring', pointer: `/${name}` }] })
      t.notMatch(res.body, /22008|22007|postgres|out of range|timestamptz/i, 'no database internals')
    }
  }
  const search = await app.inject({ method: 'POST', url: '/v1/audit/events/search', headers: supervisor, payload: { bsn: '999990019', to: '0000-01-01T00:00:00Z' } })
  t.equal(search.statusCode, 400, 'the search by person too')
  t.notOk(search.body.includes('999990019'))
  t.equal((await app.inject({ url: '/v1/audit/events?to=0001-01-01T00:00:00Z&from=0001-01-01T00:00:00%2B15:00', headers: supervisor })).statusCode, 200, 'the earliest storable dates are fine')
})

t.test('HEAD /v1/audit/stream answers with the GET\'s headers and no body', async (t) => {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const signal = AbortSignal.timeout(5000)
  const head = await request(`${base}/v1/audit/stream`, { method: 'HEAD', headers: supervisor, signal })
  t.equal(head.statusCode, 200)
  t.match(head.headers['content-type'], /^text\/event-stream/)
  t.equal(head.headers['api-version'], '1.0.0')
  t.equal(await head.body.text(), '', 'no body, and the answer ends')
  const unauthorised = await request(`${base}/v1/audit/stream`, { method: 'HEAD', signal })
  t.equal(unauthorised.statusCode, 401, 'HEAD is authenticated like GET')
  await unauthorised.body.dump()
  const invalid = await request(`${base}/v1/audit/stream?to=0000-01-01T00:00:00Z`, { method: 'HEAD', headers: supervisor, signal })
  t.equal(invalid.statusCode, 400, 'and validated like GET')
  await invalid.body.dump()
})

t.test('text outside the policy in a query or body: 400 naming the field', async (t) => {
  const query = await app.inject({ url: '/v1/audit/events?cursor=abc%00', headers: supervisor })
  t.equal(query.statusCode, 400)
  t.match(query.json(), { code: 'WAMS_TEXT_POLICY', errors: [{ in: 'querystring', pointer: '/cursor' }] })
  const body = await app.inject({ method: 'POST', url: '/v1/audit/subject-report', headers: supervisor, payload: { bsn: '999990019\ud800' } })
  t.equal(body.statusCode, 400)
  t.notOk(body.body.includes('999990019'), 'the value is not echoed')
})
