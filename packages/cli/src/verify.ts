// npx wams verify: the supervisor's offline verifier. The algorithm lives with the audit log it
// verifies (services/audit/src/verify); this command only hands over the arguments.
import { runVerify } from '@wams/audit/verify'

export async function verifyCommand (argv: string[]): Promise<number> {
  return runVerify(argv)
}
