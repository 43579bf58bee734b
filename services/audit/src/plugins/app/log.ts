// The log's moving parts: the consumer that stores the events of the audit topic, the sequencer
// that appends them to the one Merkle tree (one instance at a time) and signs the periodic
// checkpoints, the checkpointer (also on demand), and the retention purge the sequencer runs.
// Offline (the OpenAPI document) nothing starts. Closed with the app: the consumer leaves the
// group (its batch in hand committed), the sequencer hands over its lock; then the runtime's pool.
import { randomUUID } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { ConsumedMessage, Pool, Runtime, Subscription } from '@wams/platform'
import type { Config } from '../../config.ts'
import { AuditStore, type StoreStats } from '../../store.ts'
import { Sequencer } from '../../sequencer.ts'
import { TreeAppender } from '../../tree-appender.ts'
import { Checkpointer } from '../../checkpointer.ts'
import { purgeExpired, type PurgeResult } from '../../retention.ts'
import type { SigningKey } from '../../signing-key.ts'

declare module 'fastify' {
  interface FastifyInstance {
    auditLog: {
      pool: Pool
      key: SigningKey
      /** The log's origin line of its checkpoints (AUDIT_LOG_ORIGIN). */
      origin: string
      stats: StoreStats
      sequencer: Sequencer
      checkpointer: Checkpointer
      /** How often a checkpoint is signed when the log grew (the Retry-After of an event not yet covered). */
      checkpointIntervalMs: number
      /** The clock of the retention purge and of reports. */
      now: () => Date
      /** Runs the retention purge now, with the app's clock. */
      purgeExpired: () => Promise<PurgeResult>
    }
  }
}

export interface LogPluginOptions {
  config: Config
  runtime: Runtime
  key: SigningKey
  now: () => Date
  /** Called after a consumed batch is committed to the database and before its offsets are (tests crash here). */
  afterStore?: ((messages: ConsumedMessage[]) => Promise<void> | void) | undefined
  offline: boolean
}

async function logPlugin (app: FastifyInstance, { config, runtime, key, now, afterStore, offline }: LogPluginOptions): Promise<void> {
  const { pool, logger } = runtime
  const instanceId = `${config.SERVICE_NAME}-${randomUUID().slice(0, 8)}`
  const tree = new TreeAppender()
  const store = new AuditStore({ pool, logger, instanceId, tree, afterCommit: afterStore })
  const checkpointer = new Checkpointer({ pool, key, origin: config.AUDIT_LOG_ORIGIN, logger, now })
  const purge = () => purgeExpired(pool, { now: now(), retentionDays: config.AUDIT_RETENTION_DAYS })
  const sequencer = new Sequencer({
    pool,
    logger,
    tree,
    checkpointer,
    checkpointIntervalMs: config.CHECKPOINT_INTERVAL_MS,
    purgeIntervalMs: config.RETENTION_INTERVAL_MS,
    purge: async () => {
      const result = await purge()
      if (result.events > 0) logger.info({ events: result.events }, 'audit: retention purge dropped the content of expired events')
    }
  })

  let subscription: Subscription | null = null
  // Added before anything starts: a start that fails half-way is stopped by closing the app.
  app.addHook('onClose', async () => {
    await subscription?.stop()
    await sequencer.stop()
  })
  if (!offline) {
    sequencer.start()
    // Every instance is a member of the one group: Kafka splits the partitions between them.
    subscription = await runtime.broker.consume({
      groupId: `${config.KAFKA_TOPIC_PREFIX}wams-audit`,
      topics: ['audit'],
      handle: (messages) => store.handle(messages)
    })
  }

  app.decorate('auditLog', {
    pool,
    key,
    origin: config.AUDIT_LOG_ORIGIN,
    stats: store.stats,
    sequencer,
    checkpointer,
    checkpointIntervalMs: config.CHECKPOINT_INTERVAL_MS,
    now,
    purgeExpired: purge
  })
}

export default fp(logPlugin, { name: 'audit-log' })
