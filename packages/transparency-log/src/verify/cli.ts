// `wams verify --export file.jsonl --checkpoint note.txt --key <verifierKey> [--previous note.txt]
// [--witness-key <vkey> ...] [--min-cosignatures N]`: the supervisor's offline check of an export
// against a signed checkpoint, and, with witness keys, that the checkpoint carries valid
// cosignatures (C2SP tlog-cosignature) of at least N of them (default: all of them), so that it is
// the history the witnesses saw and not a view shown to this verifier only. Progress goes to
// stderr, the verdict to stdout; the exit code is 0 only when everything verified.
import { createReadStream, existsSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { readLines } from './lines.ts'
import { verifyExport, type VerifyResult } from './verify-export.ts'
import { checkCosignatures, type CosignatureCheck } from '../witness/cosigned-note.ts'

const USAGE = 'usage: wams verify --export <file.jsonl> --checkpoint <note.txt> --key <verifierKey | file> [--previous <note.txt>]\n' +
  '                   [--witness-key <witness verifierKey | file> ...] [--min-cosignatures <n>] [--json]'

export interface VerifyIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
}

/** Runs the verifier; resolves to the exit code (0 verified, 1 verification failed, 2 usage or input error). */
export async function runVerify (argv: string[], io: VerifyIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let values: {
    export?: string
    checkpoint?: string
    key?: string
    previous?: string
    'witness-key'?: string[]
    'min-cosignatures'?: string
    json?: boolean
    help?: boolean
  }
  try {
    values = parseArgs({
      args: argv,
      options: {
        export: { type: 'string' },
        checkpoint: { type: 'string' },
        key: { type: 'string' },
        previous: { type: 'string' },
        'witness-key': { type: 'string', multiple: true },
        'min-cosignatures': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true
    }).values
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${USAGE}\n`)
    return 2
  }
  if (values.help) { io.stdout.write(`${USAGE}\n`); return 0 }
  if (!values.export || !values.checkpoint || !values.key) {
    io.stderr.write(`${USAGE}\n`)
    return 2
  }
  let checkpointNote: string
  let previousCheckpointNote: string | undefined
  let verifierKey = values.key
  let witnessKeys: string[] = []
  let minCosignatures = 0
  try {
    // A saved note often gains a trailing blank line (an editor, `echo`); the signed text is unchanged.
    const readNote = (file: string) => readFileSync(file, 'utf8').replace(/\n+$/, '\n')
    checkpointNote = readNote(values.checkpoint)
    if (values.previous) previousCheckpointNote = readNote(values.previous)
    // A key is `name+hash+base64`; anything else is taken as a file holding it.
    const keyOrFile = (k: string) => (!/^[^+\s]+\+[0-9a-f]{8}\+/.test(k) && existsSync(k) ? readFileSync(k, 'utf8').trim() : k)
    verifierKey = keyOrFile(verifierKey)
    witnessKeys = (values['witness-key'] ?? []).map(keyOrFile)
    minCosignatures = values['min-cosignatures'] === undefined ? witnessKeys.length : Number(values['min-cosignatures'])
    if (!Number.isSafeInteger(minCosignatures) || minCosignatures < 0 || minCosignatures > witnessKeys.length) {
      throw new Error(`--min-cosignatures must be a number from 0 to the number of --witness-key (${witnessKeys.length})`)
    }
    if (!existsSync(values.export)) throw new Error(`no such file: ${values.export}`)
  } catch (err) {
    io.stderr.write(`wams verify: ${(err as Error).message}\n`)
    return 2
  }

  const started = Date.now()
  let lastReport = 0
  const tty = io.stderr.isTTY === true
  const result = await verifyExport({
    exportLines: readLines(createReadStream(values.export)),
    checkpointNote,
    verifierKey,
    previousCheckpointNote,
    progressEvery: 50_000,
    onProgress: ({ leaves, treeSize }) => {
      const now = Date.now()
      if (now - lastReport < 500 && leaves < treeSize) return
      lastReport = now
      const pct = treeSize === 0 ? 100 : Math.floor((leaves / treeSize) * 100)
      io.stderr.write(`${tty ? '\r' : ''}wams verify: ${leaves}/${treeSize} leaves (${pct}%)${tty ? '' : '\n'}`)
    }
  })
  if (tty) io.stderr.write('\n')
  let cosignatures: CosignatureCheck | { ok: false, error: string } | undefined
  if (witnessKeys.length > 0) {
    try {
      cosignatures = checkCosignatures(checkpointNote, witnessKeys, minCosignatures)
    } catch (err) {
      cosignatures = { ok: false, error: (err as Error).message }
    }
  }
  const ok = result.ok && (cosignatures?.ok ?? true)
  io.stdout.write(values.json
    ? `${JSON.stringify({ ...result, ok, ...(cosignatures ? { cosignatures } : {}) }, null, 2)}\n`
    : summary(result, Date.now() - started) + (cosignatures ? witnessSummary(cosignatures) : ''))
  return ok ? 0 : 1
}

function witnessSummary (c: CosignatureCheck | { ok: false, error: string }): string {
  if ('error' in c) return `FAILED: the witness keys or the checkpoint's cosignatures could not be read: ${c.error}\n`
  const lines = c.witnesses.map((w) => `  ${w.witness}: ${w.status}` +
    (w.timestamp !== undefined ? ` (cosigned ${new Date(w.timestamp * 1000).toISOString()})` : '') + (w.detail ? `: ${w.detail}` : ''))
  return `${c.ok ? 'OK' : 'FAILED'}: the checkpoint carries valid cosignatures of ${c.valid} of the given witnesses; ${c.required} required\n${lines.join('\n')}\n`
}

function summary (r: VerifyResult, ms: number): string {
  if (r.ok) {
    return `OK: ${r.leavesChecked} leaves of log "${r.origin}" verified against the signed checkpoint (root ${r.rootHash})` +
      (r.previousTreeSize !== null ? `; consistent with the previous checkpoint of ${r.previousTreeSize} leaves` : '') +
      (r.purgedLeaves > 0 ? `; ${r.purgedLeaves} purged leaves checked by their hash` : '') + ` [${ms} ms]\n`
  }
  const lines = r.errors.map((e) => `  ${e.leafIndex === null ? 'log' : `leaf ${e.leafIndex}`}: ${e.problem}${e.eventId ? ` (event ${e.eventId})` : ''}: ${e.detail}`)
  const more = r.errorCount > r.errors.length ? `\n  … and ${r.errorCount - r.errors.length} more` : ''
  return `FAILED: ${r.errorCount} problem(s) in the export of log "${r.origin ?? '?'}" (checkpoint of ${r.treeSize} leaves)\n${lines.join('\n')}${more}\n`
}
