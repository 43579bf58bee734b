// The log itself: the latest signed checkpoint and the keys to check it (both public, like a
// transparency log's), checkpoints on demand (supervisor), and consistency proofs.
import type { FastifyInstance } from 'fastify'
import { BadRequestError, NotFoundError } from '@wams/platform'
import { latestCheckpoint, type StoredCheckpoint } from '../checkpointer.ts'
import { consistencyProof } from '@wams/transparency-log'
import { PgNodeStore } from '../pg-node-store.ts'
import { consistencySchema, getCheckpointSchema, keysSchema, postCheckpointSchema, receiptsSchema, rejectedSchema } from './schemas.ts'
import { inclusionReceipts } from '../receipts.ts'
import { rejectedMessages } from '../rejected.ts'
import { requireSupervisor, type AuditContext } from './context.ts'

export default async function logRoutes (app: FastifyInstance, ctx: AuditContext): Promise<void> {
  const body = (c: StoredCheckpoint) => ({
    origin: ctx.origin, treeSize: c.treeSize, rootHash: c.rootHash.toString('base64'), signedNote: c.signedNote, signedAt: c.signedAt.toISOString()
  })

  app.get('/v1/audit/checkpoint', { schema: getCheckpointSchema }, async () => {
    const checkpoint = await latestCheckpoint(ctx.pool)
    if (checkpoint === null) throw new NotFoundError('The log has not signed a checkpoint yet')
    return body(checkpoint)
  })

  app.post('/v1/audit/checkpoints', { schema: postCheckpointSchema, onRequest: app.authenticate }, async (request, reply) => {
    requireSupervisor(ctx, request)
    const { checkpoint, created } = await ctx.checkpointer.checkpoint()
    return reply.code(created ? 201 : 200).send(body(checkpoint))
  })

  app.get('/v1/audit/keys', { schema: keysSchema }, async () => ({
    keys: [{ name: ctx.key.name, algorithm: 'Ed25519', verifierKey: ctx.key.verifierKey, publicKeyPem: ctx.key.publicKeyPem }]
  }))

  app.post<{ Body: { eventIds: string[] } }>('/v1/audit/receipts', { schema: receiptsSchema },
    async (request) => inclusionReceipts(ctx.pool, request.body.eventIds))

  app.get('/v1/audit/rejected', { schema: rejectedSchema, onRequest: app.authenticate }, async (request) => {
    requireSupervisor(ctx, request)
    return rejectedMessages(ctx.pool)
  })

  app.get<{ Querystring: { from: number, to: number } }>('/v1/audit/consistency', { schema: consistencySchema, onRequest: app.authenticate },
    async (request) => {
      const { from, to } = request.query
      if (from > to) throw new BadRequestError('from is larger than to')
      const latest = (await latestCheckpoint(ctx.pool))?.treeSize ?? 0
      if (to > latest) throw new BadRequestError(`to is larger than the latest checkpoint's tree size (${latest})`)
      const proof = await consistencyProof(new PgNodeStore(ctx.pool), from, to)
      return { from, to, proof: proof.map((h) => h.toString('base64')) }
    })
}
