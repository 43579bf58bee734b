// npx wams witness: the supervisor's witness of the audit log (C2SP tlog-witness, tlog-cosignature).
// It holds its own Ed25519 key (created in --key-file on first use) and its memory (--state: the
// checkpoint it cosigned last), polls the log, and cosigns each new checkpoint that is signed by the
// log's key (--log-key) and consistent with the one it cosigned before; a rollback, a split view or
// an inconsistent proof is refused and reported on stderr (and kept in <state>.evidence.jsonl).
// It prints its verifier key first: verifiers pass it to `wams verify --witness-key`, the audit
// service takes it in WITNESS_KEYS. With --once: one round, exit 0 (cosigned or nothing new),
// 1 (refused), 2 (an error).
import { existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { Witness, loadOrCreateCosigner, parseVerifierKey } from '@wams/transparency-log'
import { witnessRound, type RoundResult } from './witness-round.ts'

const USAGE = 'usage: wams witness --log-url <audit base url> --log-key <verifier key | file> --key-file <witness key PEM> --state <file>\n' +
  '                    [--name <witness name>] [--origin <checkpoint origin>] [--token <jwt | file>] [--interval <ms>] [--once]'

export interface WitnessIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  /** Stops the polling loop (default: SIGINT or SIGTERM). */
  signal?: AbortSignal
}

export async function witnessCommand (argv: string[], io: WitnessIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'log-url': { type: 'string', default: process.env.AUDIT_URL ?? 'http://127.0.0.1:8082' },
      'log-key': { type: 'string' },
      'key-file': { type: 'string' },
      state: { type: 'string' },
      name: { type: 'string', default: 'wams.example/witness' },
      origin: { type: 'string' },
      token: { type: 'string' },
      interval: { type: 'string', default: '10000' },
      once: { type: 'boolean', default: false }
    },
    strict: true
  })
  const logKeyArg = values['log-key']
  if (!logKeyArg || !values['key-file'] || !values.state) throw new Error(`--log-key, --key-file and --state are required\n${USAGE}`)
  const interval = Number(values.interval)
  if (!Number.isSafeInteger(interval) || interval < 100) throw new Error('--interval is a number of milliseconds, at least 100')
  const logKey = /^[^+\s]+\+[0-9a-f]{8}\+/.test(logKeyArg) || !existsSync(logKeyArg) ? logKeyArg : readFileSync(logKeyArg, 'utf8').trim()
  const origin = values.origin ?? parseVerifierKey(logKey).name
  const tokenArg = values.token ?? process.env.WAMS_TOKEN
  if (!tokenArg) throw new Error('--token <jwt | file> (or WAMS_TOKEN) is required: a supervisor\'s token, for the consistency proofs and to hand in cosignatures')
  // A file is read each round, so a token can be renewed while the witness runs.
  const token = () => (existsSync(tokenArg) ? readFileSync(tokenArg, 'utf8').trim() : tokenArg)

  const { cosigner, created } = loadOrCreateCosigner(values['key-file'], values.name)
  if (created) io.stderr.write(`wams witness: created a new witness key in ${values['key-file']}\n`)
  const witness = Witness.open({ cosigner, logs: [{ origin, verifierKey: logKey }], stateFile: values.state })
  try {
    io.stdout.write(`witness key: ${witness.verifierKey}\n` +
      '  (verifiers: wams verify --witness-key <this>; the audit service: WITNESS_KEYS)\n')
    const last = witness.stateOf(origin)
    io.stdout.write(`log "${origin}": ${last ? `cosigned ${last.treeSize} leaves last` : 'nothing cosigned yet'}\n`)
    const round = () => witnessRound({ witness, logUrl: values['log-url'], token })
    if (values.once) return report(await round(), io)
    await loop(round, interval, io)
    return 0
  } finally {
    witness.close()
  }
}

async function loop (round: () => Promise<RoundResult>, interval: number, io: WitnessIo): Promise<void> {
  const stop = io.signal ?? stopSignal()
  let previous = ''
  while (!stop.aborted) {
    try {
      const result = await round()
      // A refusal, or nothing new, is reported once, not every round while the log serves the same.
      const seen = result.status === 'refused' ? `refused ${result.note}` : result.status === 'up-to-date' ? `up-to-date ${result.treeSize}` : result.status
      if (result.status === 'cosigned' || seen !== previous) report(result, io)
      previous = seen
    } catch (err) {
      io.stderr.write(`wams witness: ${(err as Error).message}\n`)
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, interval)
      stop.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
    })
  }
}

function report (result: RoundResult, io: WitnessIo): number {
  switch (result.status) {
    case 'cosigned':
      io.stdout.write(`cosigned "${result.origin}" at ${result.treeSize} leaves (root ${result.rootHash})\n`)
      return 0
    case 'up-to-date':
      io.stdout.write(`"${result.origin}" at ${result.treeSize} leaves: cosigned already\n`)
      return 0
    case 'no-checkpoint':
      io.stdout.write('the log has not signed a checkpoint yet\n')
      return 0
    case 'refused':
      io.stderr.write(`wams witness: REFUSED (${result.refusal.reason}): ${result.refusal.message}\n`)
      return 1
  }
}

function stopSignal (): AbortSignal {
  const controller = new AbortController()
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => controller.abort())
  return controller.signal
}
