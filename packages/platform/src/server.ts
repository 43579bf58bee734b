// Runs a built service: listen, and on SIGINT/SIGTERM drain in-flight requests, stop background
// work (outbox relay, consumers), flush producers and close pools, within the grace period.
import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'

export async function runServer (app: FastifyInstance, options: { host: string, port: number, graceMs: number }): Promise<void> {
  closeWithGrace({ delay: options.graceMs }, async ({ signal, err }) => {
    if (err) app.log.error({ err: { message: err.message, stack: err.stack } }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })
  await app.listen({ host: options.host, port: options.port })
}
