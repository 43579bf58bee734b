// npx wams verify: the supervisor's offline verifier. The algorithm lives in the transparency-log
// package (packages/transparency-log), which depends on nothing of the system it checks.
import { runVerify } from '@wams/transparency-log/verify'

export async function verifyCommand (argv: string[]): Promise<number> {
  return runVerify(argv)
}
