// Fail closed on evidence (SPEC §7, issue 8): the gateway releases personal data only while the
// audit log keeps proving that it holds the gateway's audit events. Here the log cannot be reached
// (AUDIT_URL points nowhere), so nothing gets proven: once the oldest unproven event is older than
// EVIDENCE_MAX_LAG_MS, requests are refused with 503 before anything is decided; when the proofs
// arrive, release resumes.
import t from 'tap'
import { OIN, ask, openCase, startExchange } from './helpers.ts'

async function until (what: string, fn: () => Promise<boolean>, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await fn()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

t.test('no release while the log has not proven earlier evidence', async (t) => {
  const x = await startExchange(t, 'evidence_gate', {
    env: { AUDIT_URL: 'http://127.0.0.1:9', EVIDENCE_INTERVAL_MS: '100', EVIDENCE_MAX_LAG_MS: '1000' }
  })
  const caseId = await openCase(x.ledger)
  const health = { provider: OIN.ggd, category: 'health', fields: ['careInvolved'] }

  const first = await ask(x.gateway, caseId, health)
  t.equal(first.statusCode, 200, 'released while the evidence is fresh')
  const outboxCount = async () => (await x.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE topic = 'audit'")).rows[0]!.n

  let refused = await ask(x.gateway, caseId, health)
  await until('the gate closes', async () => {
    refused = await ask(x.gateway, caseId, health)
    return refused.statusCode === 503
  })
  t.equal(refused.headers['content-type'], 'application/problem+json; charset=utf-8')
  t.equal(refused.json().code, 'EVIDENCE_BEHIND')
  t.equal(refused.json().outcome, 'error')
  t.ok(refused.json().requestId)
  t.equal(refused.headers['retry-after'], '30')
  t.notOk('data' in refused.json(), 'nothing released')
  const before = await outboxCount()
  const again = await ask(x.gateway, caseId, health)
  t.equal(again.statusCode, 503)
  t.equal(await outboxCount(), before, 'refused before anything was decided: no decision, no new event')
  const ready = await x.gateway.inject({ url: '/health/ready' })
  t.equal(ready.json().checks.evidence, 'degraded', 'readiness says why')
  t.ok(ready.json().details.evidence.unproven >= 1)

  // The proofs arrive (here: as if the reconciler had verified them): release resumes.
  await x.sql.query("UPDATE outbox SET proven_at = now() WHERE topic = 'audit'")
  await until('the gate opens', async () => (await ask(x.gateway, caseId, health)).statusCode === 200)
  t.pass('released again once the evidence is proven')
})
