// The scenario of the fault matrix and the cluster test: producers that prove their evidence fast,
// an ernstig case opened by the college of the gemeente, and the request it may make (the GGD's
// careInvolved of the client); the supervisor exports the log.
import { NECESSITY, ernstigCase } from '../gateway/helpers.ts'
import { DEMO_BSN, OIN } from '../support/parties.ts'
import { bearer } from '../support/tokens.ts'

/** The fault is injected this long after the load started. */
export const INJECT_AT_MS = 4_000
/** A request of the load not answered within this long counts as an error. */
export const REQUEST_TIMEOUT_MS = 30_000

/** Environment of every producer and the audit service: evidence and checkpoints every 300 ms. */
export function producerEnv (maxLagMs: number) {
  return {
    EVIDENCE_INTERVAL_MS: '300',
    EVIDENCE_REPUBLISH_MS: '3000',
    EVIDENCE_MAX_ATTEMPTS: '5',
    EVIDENCE_MAX_LAG_MS: String(maxLagMs),
    CHECKPOINT_INTERVAL_MS: '300',
    OUTBOX_RETENTION_MS: '86400000'
  }
}

export const college = bearer({ org: OIN.gemeente, roles: ['college'], sub: 'college-desk', ttlSeconds: 3600 })
export const supervisor = bearer({ org: OIN.toezichthouder, roles: ['supervisor'], sub: 'supervisor-ap', ttlSeconds: 3600 })

/** Permitted for the case's college: the answer is a 200 with an auditEventId. */
export const PERMITTED_REQUEST = {
  provider: OIN.ggd, subject: DEMO_BSN.client, category: 'health', purpose: 'onderzoek', fields: ['careInvolved'], necessity: NECESSITY
}

/** Opens an ernstig case at the consent ledger; its id. */
export async function openCase (ledgerUrl: string): Promise<string> {
  const opened = await fetch(`${ledgerUrl}/v1/cases`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...college }, body: JSON.stringify(ernstigCase())
  })
  if (opened.status !== 201) throw new Error(`opening the case: ${opened.status} ${await opened.text()}`)
  return (await opened.json() as { caseId: string }).caseId
}
