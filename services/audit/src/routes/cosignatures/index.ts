// Witness cosignatures: the supervisor's witness (npx wams witness) posts the cosignature it made
// of a checkpoint; the log keeps it when it is by a key of WITNESS_KEYS and verifies, and from then
// on serves the checkpoint with it (routes/log, GET /v1/audit/checkpoint).
import type { FastifyInstance } from 'fastify'
import { storeCosignature } from '../../cosignatures.ts'
import { postCosignatureSchema, type CosignatureBody, type CosignatureParams } from './schema.ts'

export default async function cosignatureRoutes (app: FastifyInstance): Promise<void> {
  const { pool, now } = app.auditLog

  app.post<{ Params: CosignatureParams, Body: CosignatureBody }>('/v1/audit/checkpoints/:treeSize/cosignatures',
    { schema: postCosignatureSchema }, async (request, reply) => {
      app.requireSupervisor(request)
      const { stored, ...result } = await storeCosignature(pool, {
        treeSize: request.params.treeSize, line: request.body.cosignature, witnessKeys: app.witnessKeys, now: now()
      })
      return reply.code(stored ? 201 : 200).send(result)
    })
}
