export { buildApp, API_VERSION, type BuildOptions } from './app.ts'
export { configSchema, readConfig, type Config } from './config.ts'
export { verifyExport, runVerify, readLines } from '@wams/transparency-log'
export type { VerifyError, VerifyOptions, VerifyProblem, VerifyProgress, VerifyResult } from '@wams/transparency-log'
