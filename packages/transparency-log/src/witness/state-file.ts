// The witness's memory: per log (origin) the size and root hash of the checkpoint it cosigned last.
// It is what makes a restarted witness still refuse a rollback or a split view, so it is written
// atomically (a temporary file, fsync, rename, fsync of the folder: a crash leaves the old or the
// new state, never half of one), and a state file that cannot be read stops the witness instead of
// letting it start over with no memory. One process at a time holds it (a lock file with its pid).
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

export interface LogState {
  treeSize: number
  /** Base64 SHA-256 root hash. */
  rootHash: string
  /** POSIX seconds of the cosignature. */
  cosignedAt: number
}

export interface WitnessState {
  version: 1
  /** By origin line. */
  logs: Record<string, LogState>
}

export function emptyState (): WitnessState {
  return { version: 1, logs: {} }
}

/** Reads the state; a missing file is a witness that cosigned nothing yet; anything unreadable throws. */
export function readState (file: string): WitnessState {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState()
    throw err
  }
  let state: unknown
  try {
    state = JSON.parse(text)
  } catch {
    throw new Error(`witness state ${file} is not JSON: refusing to start without the witness's memory`)
  }
  if (!isState(state)) throw new Error(`witness state ${file} is not a witness state (version 1): refusing to start without it`)
  return state
}

/** Replaces the state file atomically and durably. */
export function writeState (file: string, state: WitnessState): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`)
  const fd = openSync(tmp, 'w', 0o600)
  try {
    writeSync(fd, `${JSON.stringify(state, null, 2)}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
  const dir = openSync(dirname(file), 'r')
  try {
    fsyncSync(dir)
  } finally {
    closeSync(dir)
  }
}

/** Takes `<file>.lock` for this process; throws when a live process holds it. Returns its release. */
export function lockState (file: string): () => void {
  const lock = `${file}.lock`
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 })
      return () => rmSync(lock, { force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err
      const holder = Number(readFileSync(lock, 'utf8').trim())
      if (Number.isSafeInteger(holder) && holder > 0 && alive(holder)) {
        throw new Error(`witness state ${file} is in use by process ${holder}${holder === process.pid ? ' (this one)' : ''} (${lock})`)
      }
      rmSync(lock, { force: true }) // left by a process that is gone
    }
  }
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function isState (value: unknown): value is WitnessState {
  if (typeof value !== 'object' || value === null) return false
  const { version, logs } = value as { version?: unknown, logs?: unknown }
  if (version !== 1 || typeof logs !== 'object' || logs === null || Array.isArray(logs)) return false
  return Object.values(logs).every((l: unknown) => {
    const s = l as Partial<LogState> | null
    return s !== null && typeof s === 'object' && Number.isSafeInteger(s.treeSize) && (s.treeSize ?? -1) >= 0 &&
      typeof s.rootHash === 'string' && Buffer.from(s.rootHash, 'base64').length === 32 && Number.isSafeInteger(s.cosignedAt)
  })
}
