// GET /v1/audit/export: the log as JSONL for the offline verifier (supervisor only), leaves
// [from, to) streamed page by page (../../export-lines.ts).
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { latestCheckpoint } from '../../checkpointer.ts'
import { exportLines } from '../../export-lines.ts'
import { AuditRangeBeyondLogError, AuditRangeInvalidError } from '../../errors.ts'
import { exportSchema, type ExportQuery } from './schema.ts'

export default async function exportRoutes (app: FastifyInstance): Promise<void> {
  const { pool } = app.auditLog

  app.get<{ Querystring: ExportQuery }>('/v1/audit/export', { schema: exportSchema },
    async (request, reply) => {
      app.requireSupervisor(request)
      const head = Number((await pool.query<{ size: string }>('SELECT size FROM tree_head WHERE id = 1')).rows[0]!.size)
      const from = request.query.from
      const to = request.query.to ?? (await latestCheckpoint(pool))?.treeSize ?? 0
      if (from > to) throw new AuditRangeInvalidError('from is larger than to')
      if (to > head) throw new AuditRangeBeyondLogError(`to is larger than the tree (${head} leaves)`)
      return reply
        .type('application/x-ndjson')
        .header('content-disposition', `attachment; filename="audit-export-${from}-${to}.jsonl"`)
        .send(Readable.from(exportLines(pool, from, to)))
    })
}
