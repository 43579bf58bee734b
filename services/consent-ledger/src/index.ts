export { buildApp } from './app.ts'
export { configSchema, readConfig, type Config } from './config.ts'
