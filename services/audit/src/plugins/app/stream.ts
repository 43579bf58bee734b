// The live stream's hub (../../stream.ts): it follows the sequencer's announcements and serves
// every open GET /v1/audit/stream. Offline (the OpenAPI document) it does not start. Streams end
// before the server waits for open connections (preClose), else a shutdown would wait for them.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Runtime } from '@wams/platform'
import type { Config } from '../../config.ts'
import { StreamHub } from '../../stream.ts'

declare module 'fastify' {
  interface FastifyInstance {
    auditStream: StreamHub
  }
}

export interface StreamPluginOptions {
  config: Config
  runtime: Runtime
  offline: boolean
}

async function streamPlugin (app: FastifyInstance, { config, runtime, offline }: StreamPluginOptions): Promise<void> {
  const hub = new StreamHub({ pool: runtime.pool, logger: runtime.logger, heartbeatMs: config.STREAM_HEARTBEAT_MS, pseudonymise: runtime.pseudonymise })
  app.addHook('preClose', async () => { await hub.stop() })
  app.addHook('onClose', async () => { await hub.stop() })
  if (!offline) await hub.start()
  app.decorate('auditStream', hub)
}

export default fp(streamPlugin, { name: 'audit-stream' })
