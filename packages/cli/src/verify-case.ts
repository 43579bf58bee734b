// npx wams verify-case <caseId>: fetches a case's ledger and checks its hash chain here, with the
// same code the ledger writes with, so a verdict does not depend on trusting the ledger service.
import { parseArgs } from 'node:util'
import { verifyChain, type ChainLink } from '@wams/platform'

export async function verifyCaseCommand (argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { token: { type: 'string' }, ledger: { type: 'string', default: process.env.CONSENT_LEDGER_URL ?? 'http://127.0.0.1:8081' } }
  })
  const caseId = positionals[0]
  if (!caseId || !/^[0-9a-f-]{36}$/i.test(caseId)) throw new Error('a case id (UUID) is required')
  const token = values.token ?? process.env.WAMS_TOKEN
  if (!token) throw new Error('--token <jwt> (or WAMS_TOKEN) is required: the college, the coordinator or the supervisor')
  const res = await fetch(`${values.ledger}/v1/cases/${caseId}/ledger`, { headers: { authorization: `Bearer ${token}` } })
  if (!res.ok) throw new Error(`the ledger answered ${res.status}: ${await res.text()}`)
  const body = await res.json() as { version: number, events: ChainLink[] }
  const result = verifyChain(body.events, { expectedLength: body.version })
  if (result.valid) {
    process.stdout.write(`case ${caseId}: chain of ${result.length} events verifies; head ${body.events.at(-1)?.hash ?? '-'}\n`)
    return 0
  }
  process.stdout.write(`case ${caseId}: chain does NOT verify: ${result.reason} at event ${result.firstInvalidSeq}\n`)
  return 1
}
