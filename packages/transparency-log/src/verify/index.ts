export { verifyExport } from './verify-export.ts'
export type { VerifyError, VerifyOptions, VerifyProblem, VerifyProgress, VerifyResult } from './verify-export.ts'
export { runVerify } from './cli.ts'
export { readLines } from './lines.ts'
