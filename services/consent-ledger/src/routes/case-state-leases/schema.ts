// POST /v1/case-state-leases: a gateway instance's lease on the case states it keeps in memory
// (../../case-state-leases.ts). Holds case ids and numbers, never personal data.
import { problems, security, uuid } from '../cases/schema.ts'

export interface LeasePollBody { instanceId: string, ackedSeq: number | null }

export const leasePollSchema = {
  tags: ['cases'],
  operationId: 'pollCaseStateLease',
  summary: 'Renew a gateway instance\'s case-state lease and learn which cases changed',
  description: 'Role gateway only. Renews the instance\'s lease for leaseMs from when the ledger received the poll, confirms that the instance dropped its copies of every case changed up to ackedSeq (null: a new instance, which holds none), and answers the cases changed since, waiting up to CASE_STATE_LEASE_HOLD_MS (half a second by default) for news when there is none. A change of a case is acknowledged to its writer only after every live lease confirmed it or ran out, so a decision that starts after the acknowledgement never sees the state before it. A POST that is not a creation answers 200 (documented deviation): it renews a lease and carries the confirmation in its body.',
  security,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['instanceId', 'ackedSeq'],
    properties: {
      instanceId: { ...uuid, description: 'The gateway instance, a random UUID per process start' },
      ackedSeq: { type: ['integer', 'null'], minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Every change up to this number was dropped from the instance\'s memory; null for a new instance' }
    }
  },
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['seq', 'caseIds', 'reset', 'leaseMs'],
      properties: {
        seq: { type: 'integer', minimum: 0, description: 'The newest change this answer covers; confirm it as ackedSeq in the next poll' },
        caseIds: { type: 'array', items: uuid, description: 'Cases changed after ackedSeq: drop their copies before confirming' },
        reset: { type: 'boolean', description: 'True when the instance is too far behind to be told case by case: drop every copy' },
        leaseMs: { type: 'integer', minimum: 1, description: 'How long the lease runs from when the ledger received the poll' }
      }
    },
    ...problems(400, 401, 403, 415)
  }
} as const
