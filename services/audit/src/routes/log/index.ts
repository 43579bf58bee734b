// The log itself, in two parts. Public, like a transparency log's (publicLogRoutes): the latest
// signed checkpoint with its witnesses' cosignatures, the keys to check it, and inclusion receipts
// for the producers. For authenticated callers (logRoutes): checkpoints on demand and the rejected
// messages (supervisor), and consistency proofs. routes/index.ts puts each part in its group.
import type { FastifyInstance } from 'fastify'
import { consistencyProof } from '@wams/transparency-log'
import { latestCheckpoint, type StoredCheckpoint } from '../../checkpointer.ts'
import { PgNodeStore } from '../../pg-node-store.ts'
import { inclusionReceipts } from '../../receipts.ts'
import { cosignedNote } from '../../cosignatures.ts'
import { rejectedMessages } from '../../rejected.ts'
import { AuditRangeBeyondLogError, AuditRangeInvalidError, CheckpointNotYetSignedError } from '../../errors.ts'
import {
  consistencySchema, getCheckpointSchema, keysSchema, postCheckpointSchema, receiptsSchema, rejectedSchema,
  type ConsistencyQuery, type ReceiptsBody
} from './schema.ts'

const checkpointBody = (origin: string, c: StoredCheckpoint) => ({
  origin, treeSize: c.treeSize, rootHash: c.rootHash.toString('base64'), signedNote: c.signedNote, signedAt: c.signedAt.toISOString()
})

export async function publicLogRoutes (app: FastifyInstance): Promise<void> {
  const { pool, key, origin } = app.auditLog

  app.get('/v1/audit/checkpoint', { schema: getCheckpointSchema }, async () => {
    const checkpoint = await latestCheckpoint(pool)
    if (checkpoint === null) throw new CheckpointNotYetSignedError()
    // With the witnesses' cosignatures as further signature lines (C2SP signed-note).
    return checkpointBody(origin, { ...checkpoint, signedNote: await cosignedNote(pool, checkpoint) })
  })

  app.get('/v1/audit/keys', { schema: keysSchema }, async () => ({
    keys: [{ name: key.name, algorithm: 'Ed25519', verifierKey: key.verifierKey, publicKeyPem: key.publicKeyPem }]
  }))

  app.post<{ Body: ReceiptsBody }>('/v1/audit/receipts', { schema: receiptsSchema },
    async (request) => inclusionReceipts(pool, request.body.eventIds))
}

export default async function logRoutes (app: FastifyInstance): Promise<void> {
  const { pool, origin, checkpointer } = app.auditLog

  app.post('/v1/audit/checkpoints', { schema: postCheckpointSchema }, async (request, reply) => {
    app.requireSupervisor(request)
    const { checkpoint, created } = await checkpointer.checkpoint()
    return reply.code(created ? 201 : 200).send(checkpointBody(origin, checkpoint))
  })

  app.get('/v1/audit/rejected', { schema: rejectedSchema }, async (request) => {
    app.requireSupervisor(request)
    return rejectedMessages(pool)
  })

  app.get<{ Querystring: ConsistencyQuery }>('/v1/audit/consistency', { schema: consistencySchema },
    async (request) => {
      const { from, to } = request.query
      if (from > to) throw new AuditRangeInvalidError('from is larger than to')
      const latest = (await latestCheckpoint(pool))?.treeSize ?? 0
      if (to > latest) throw new AuditRangeBeyondLogError(`to is larger than the latest checkpoint's tree size (${latest})`)
      const proof = await consistencyProof(new PgNodeStore(pool), from, to)
      return { from, to, proof: proof.map((h) => h.toString('base64')) }
    })
}
