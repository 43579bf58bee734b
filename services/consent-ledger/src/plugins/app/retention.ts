// The retention purge job: every PURGE_INTERVAL_MS, the personal data of cases closed longer than
// RETENTION_DAYS ago are removed (app.consentLedger.purgeExpired, ../../retention.ts). It stops,
// and a running purge finishes, before the runtime (pool, broker) closes. Not registered offline.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { schedulePurge } from '../../retention.ts'

async function retentionPlugin (app: FastifyInstance, { intervalMs }: { intervalMs: number }): Promise<void> {
  const stopPurge = schedulePurge(async () => {
    const { purged } = await app.consentLedger.purgeExpired()
    if (purged.length > 0) app.log.info({ cases: purged.length }, 'retention purge: personal data of closed cases removed')
  }, intervalMs, (err) => app.log.error({ err: { message: err.message } }, 'retention purge failed; will retry'))
  app.addHook('onClose', async () => { await stopPurge() })
}

export default fp(retentionPlugin, { name: 'consent-ledger-retention', dependencies: ['consent-ledger-ledger'] })
