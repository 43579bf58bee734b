// Entry point: read and validate the configuration, build the app, listen, shut down gracefully.
import { startFromEnvironment } from '@wams/platform'
import { readConfig } from './config.ts'
import { buildApp } from './app.ts'

await startFromEnvironment(() => readConfig(), (config) => buildApp(config))
