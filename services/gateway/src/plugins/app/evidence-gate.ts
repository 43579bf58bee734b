// Fail closed on evidence (SPEC §7): personal data leave only while the audit log keeps proving
// that it holds the gateway's audit events. When an evidence alarm stands, or the oldest event
// not yet proven is older than EVIDENCE_MAX_LAG_MS, data requests and involvement checks get 503
// with Retry-After before anything is decided or sent to a partner (EvidenceBehindError).
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { withProblemMembers, type Runtime } from '@wams/platform'
import { EvidenceBehindError } from '../../errors.ts'

declare module 'fastify' {
  interface FastifyInstance {
    requireEvidence: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

const RETRY_AFTER_S = 30

async function evidenceGate (app: FastifyInstance, { runtime }: { runtime: Runtime }): Promise<void> {
  app.decorate('requireEvidence', async (request: FastifyRequest, reply: FastifyReply) => {
    if (runtime.evidence.releasable) return
    const status = runtime.evidence.status()
    request.log.error({ unproven: status.unproven, oldestUnprovenMs: status.oldestUnprovenMs, alarmed: status.alarmed },
      'evidence behind: refusing to release personal data')
    reply.header('retry-after', String(RETRY_AFTER_S))
    throw withProblemMembers(new EvidenceBehindError(), { requestId: request.id, outcome: 'error' })
  })
}

export default fp(evidenceGate, { name: 'wams-evidence-gate' })
