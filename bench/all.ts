// A quick look at issue 13's targets: the gateway bench and the audit bench one after the other,
// with short durations, each ending with its table of targets (met / NOT met). Not part of npm test.
// Run: npm run bench [-- --profile]   (--profile is passed to the gateway bench)
// The full runs, for figures worth quoting (three runs each, the median):
//   node --import tsx bench/gateway.ts 10        # 10 s per measurement
//   node --import tsx bench/audit.ts             # 30,000 events, 200,000 exported leaves, proofs at 10⁶ leaves
//   node --import tsx bench/decision.ts          # the decision engine vs Cedar (also at the end of the gateway bench)
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = join(fileURLToPath(import.meta.url), '..')
const GATEWAY_SECONDS = process.env.BENCH_SECONDS ?? '3'
const AUDIT_EVENTS = process.env.BENCH_EVENTS ?? '5000'
const EXPORT_EVENTS = process.env.BENCH_EXPORT_EVENTS ?? '20000'

const runs: Array<[string, string[]]> = [
  // Without the decision engine vs Cedar comparison (minutes on a busy machine): bench/decision.ts.
  ['bench/gateway.ts', [GATEWAY_SECONDS, '--no-decision', ...process.argv.slice(2)]],
  // (a) the pipeline and (c) the verifier; (b), proofs at 10⁶ leaves, only in the full run.
  ['bench/audit.ts', [AUDIT_EVENTS, EXPORT_EVENTS, 'ac']]
]
let failed = 0
for (const [script, args] of runs) {
  process.stderr.write(`\n== ${script} ${args.join(' ')}\n`)
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(HERE, '..', script), ...args], { stdio: 'inherit' })
  if (run.status !== 0) failed++
}
process.exitCode = failed > 0 ? 1 : 0
