export { buildApp, API_VERSION, type BuildOptions } from './app.ts'
export { configSchema, readConfig, type Config } from './config.ts'
export type { PartnerFault, PartnerFaults } from './faults.ts'
