// npx wams <command>: one small module per command.
import { tokenCommand } from './token.ts'

const USAGE = `usage: npx wams <command>

  token --org <OIN> --roles <role,...> [--sub <id>] [--ttl <seconds>] [--aud <aud>]
        prints a bearer token signed by the dev issuer (.data/dev-issuer)
  verify --export <file.jsonl> --checkpoint <note> --key <verifier key> [--previous <note>]
         [--witness-key <witness verifier key> ...] [--min-cosignatures <n>]
        checks an audit export against a signed checkpoint (offline), and its witnesses' cosignatures
  witness --log-url <url> --log-key <verifier key> --key-file <pem> --state <file> [--token <jwt>] [--once]
        the supervisor's witness: cosigns each new checkpoint consistent with the last it cosigned
  verify-case <caseId> --token <jwt> [--ledger <url>]
        fetches a case's ledger and checks its hash chain
`

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  token: tokenCommand,
  verify: async (argv) => (await import('./verify.ts')).verifyCommand(argv),
  witness: async (argv) => (await import('./witness.ts')).witnessCommand(argv),
  'verify-case': async (argv) => (await import('./verify-case.ts')).verifyCaseCommand(argv)
}

export async function main (argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  const command = name ? commands[name] : undefined
  if (!command) {
    process.stderr.write(USAGE)
    return name === undefined || name === '--help' ? 0 : 2
  }
  try {
    return await command(rest)
  } catch (err) {
    process.stderr.write(`wams ${name}: ${(err as Error).message}\n`)
    return 2
  }
}
