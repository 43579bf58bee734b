// What the fault matrix and the cluster test check of the audit log after each fault: the latest
// signed checkpoint, the supervisor's export up to it, `wams verify` (the CLI, as a supervisor runs
// it) over both, consistent (--previous) with the checkpoint of the check before, and how often each
// event id stands in the export. The files are written to the stack's folder, named by the label.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { run } from './stack.ts'

export const slugOf = (name: string) => name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()

export interface Checkpoint { treeSize: number, signedNote: string }

export async function checkpointOf (auditUrl: string): Promise<Checkpoint> {
  return await (await fetch(`${auditUrl}/v1/audit/checkpoint`)).json() as Checkpoint
}

export interface LogCheckOptions {
  /** The audit service to ask, at the moment of the check (an instance that runs). */
  auditUrl: () => string
  /** Where the export and the checkpoints are written. */
  dir: string
  /** A supervisor's authorization for the export. */
  headers: Record<string, string>
}

export interface LogVerdict {
  /** How often each event id (lower case) stands in the export. */
  ids: Map<string, number>
  /** The CLI's OK / FAILED line, or its error. */
  verdict: string
  ok: boolean
  treeSize: number
}

/** A check of the log, each one consistent with the checkpoint of the one before. */
export function logCheck (options: LogCheckOptions): (label: string) => Promise<LogVerdict> {
  let previousNote: string | null = null
  return async function exportAndVerify (label) {
    const auditUrl = options.auditUrl()
    const checkpoint = await checkpointOf(auditUrl)
    const { keys } = await (await fetch(`${auditUrl}/v1/audit/keys`)).json() as { keys: Array<{ verifierKey: string }> }
    const res = await fetch(`${auditUrl}/v1/audit/export?from=0&to=${checkpoint.treeSize}`, { headers: options.headers })
    const text = await res.text()
    if (res.status !== 200) throw new Error(`export: ${res.status} ${text.slice(0, 300)}`)
    const slug = slugOf(label)
    const files = { export: join(options.dir, `export-${slug}.jsonl`), note: join(options.dir, `checkpoint-${slug}.txt`), previous: join(options.dir, `previous-${slug}.txt`) }
    writeFileSync(files.export, text)
    writeFileSync(files.note, checkpoint.signedNote)
    const args = ['packages/cli/bin/wams.js', 'verify', '--export', files.export, '--checkpoint', files.note, '--key', keys[0]!.verifierKey]
    if (previousNote !== null) {
      writeFileSync(files.previous, previousNote)
      args.push('--previous', files.previous)
    }
    let verdict: string
    let ok: boolean
    try {
      verdict = (await run(process.execPath, args, {}, 60_000)).split('\n').find((l) => /^(OK|FAILED)/.test(l)) ?? '?'
      ok = verdict.startsWith('OK')
    } catch (err) {
      verdict = (err as Error).message.slice(0, 1500)
      ok = false
    }
    previousNote = checkpoint.signedNote
    const ids = new Map<string, number>()
    for (const line of text.split('\n')) {
      if (!line) continue
      const event = (JSON.parse(line) as { event: { eventId?: string } | null }).event
      if (event?.eventId) ids.set(event.eventId.toLowerCase(), (ids.get(event.eventId.toLowerCase()) ?? 0) + 1)
    }
    return { ids, verdict, ok, treeSize: checkpoint.treeSize }
  }
}
