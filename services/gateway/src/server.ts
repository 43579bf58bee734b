// Entry point: read and validate the configuration, build the app, listen, shut down gracefully.
import { runServer } from '@wams/platform'
import { readConfig } from './config.ts'
import { buildApp } from './app.ts'

const config = readConfig()
const app = await buildApp(config)
await runServer(app, { host: config.HOST, port: config.PORT, graceMs: config.SHUTDOWN_GRACE_MS })
