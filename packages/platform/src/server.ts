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

/** A service's entry point: a configuration error ends the start with one clear line, no stack. */
export async function startFromEnvironment<C extends { HOST: string, PORT: number, SHUTDOWN_GRACE_MS: number }> (
  readConfig: () => C, buildApp: (config: C) => Promise<FastifyInstance>
): Promise<void> {
  let config: C
  try {
    config = readConfig()
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    process.exit(78) // EX_CONFIG
  }
  try {
    const app = await buildApp(config)
    await runServer(app, { host: config.HOST, port: config.PORT, graceMs: config.SHUTDOWN_GRACE_MS })
  } catch (err) {
    process.stderr.write(`start failed: ${(err as Error).message}\n`)
    process.exit(1)
  }
}
