// The tamper-evident log, apart from any service: the RFC 6962 Merkle tree, C2SP signed
// checkpoints, witness cosignatures and the offline verifier. The audit service writes with it;
// producers, the CLI, witnesses and supervisors check with it, so what they check does not depend
// on the system being checked.
export * from './merkle/index.ts'
export * from './signed-note.ts'
export { verifyExport, runVerify, readLines } from './verify/index.ts'
export type { VerifyError, VerifyOptions, VerifyProblem, VerifyProgress, VerifyResult } from './verify/index.ts'
export * from './witness/index.ts'
