// GET /v1/audit/export: the log as JSONL for the offline verifier (supervisor only). Each line
// carries the leaf hash the tree holds (merkle_nodes, level 0) and the event as stored, in its
// RFC 8785 form; a missing event row leaves a gap in leafIndex, which the verifier reports.
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { BadRequestError, type Pool } from '@wams/platform'
import { latestCheckpoint } from '../checkpointer.ts'
import { canonicalEventJson } from '@wams/transparency-log'
import { exportSchema } from './schemas.ts'
import { requireSupervisor, type AuditContext } from './context.ts'

const PAGE = 5000

export async function * exportLines (pool: Pool, from: number, to: number): AsyncGenerator<string> {
  let next = from
  while (next < to) {
    const { rows } = await pool.query<{ leaf_index: string, event: object | null, hash: Buffer }>({
      name: 'audit-export-page',
      text: `SELECT e.leaf_index, e.event, n.hash FROM audit_events e JOIN merkle_nodes n ON n.level = 0 AND n.idx = e.leaf_index
             WHERE e.leaf_index >= $1 AND e.leaf_index < $2 ORDER BY e.leaf_index LIMIT ${PAGE}`,
      values: [next, to]
    })
    if (rows.length === 0) return
    let chunk = ''
    for (const r of rows) {
      chunk += `{"leafIndex":${r.leaf_index},"leafHash":"${r.hash.toString('base64')}","event":${r.event === null ? 'null' : canonicalEventJson(r.event)}}\n`
    }
    yield chunk
    next = Number(rows.at(-1)!.leaf_index) + 1
    if (rows.length < PAGE) return
  }
}

export default async function exportRoutes (app: FastifyInstance, ctx: AuditContext): Promise<void> {
  app.get<{ Querystring: { from: number, to?: number } }>('/v1/audit/export', { schema: exportSchema, onRequest: app.authenticate },
    async (request, reply) => {
      requireSupervisor(ctx, request)
      const head = Number((await ctx.pool.query<{ size: string }>('SELECT size FROM tree_head WHERE id = 1')).rows[0]!.size)
      const from = request.query.from
      const to = request.query.to ?? (await latestCheckpoint(ctx.pool))?.treeSize ?? 0
      if (from > to) throw new BadRequestError(`from (${from}) is larger than to (${to})`)
      if (to > head) throw new BadRequestError(`to (${to}) is larger than the tree (${head} leaves)`)
      return reply
        .type('application/x-ndjson')
        .header('content-disposition', `attachment; filename="audit-export-${from}-${to}.jsonl"`)
        .send(Readable.from(exportLines(ctx.pool, from, to)))
    })
}
