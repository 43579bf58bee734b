// The supervisor of `npm start` and `npm run start:cluster`: runs each service as a child process
// in a process group of its own (scripts/lib/parent-guard.ts), writes its output in the chosen log
// format (scripts/lib/logs.ts), starts a service that dies again after 1 s, 2 s, 4 s … (at most
// 30 s; back to 1 s once it stayed up a minute; scripts/lib/supervise.ts) while the others keep
// running, and on stop ends every service with one SIGTERM, then runs the cleanups (the broker)
// in reverse order, leaving no process behind.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { restartDelayMs, STABLE_AFTER_MS } from './supervise.ts'
import { logRenderer } from './logs.ts'

/** One supervised service: its current process, or the timer that will start it again. */
interface Supervised {
  name: string
  entry: string
  port: number
  env: Record<string, string>
  proc: ChildProcess | null
  startedAt: number
  /** Deaths in a row without a stable run in between: sets the next delay. */
  failures: number
  /** Restarts so far, shown in the output. */
  restarts: number
  timer: NodeJS.Timeout | null
}

export function has (command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0
}

export class Supervisor {
  private readonly services: Supervised[] = []
  private readonly cleanups: Array<() => Promise<void> | void> = []
  private readonly starting = new Set<ChildProcess>()
  private readonly parentGuard: string
  render: ReturnType<typeof logRenderer> = logRenderer('json')
  stopping = false

  constructor (private readonly root: string, readonly log: (line: string) => void) {
    this.parentGuard = pathToFileURL(join(root, 'scripts/lib/parent-guard.ts')).href
  }

  /** Runs at stop, after the services have ended; the last added runs first. */
  onStop (cleanup: () => Promise<void> | void): void { this.cleanups.push(cleanup) }

  /** Writes a service's output line by line, in the chosen format (scripts/lib/logs.ts). */
  private pipeLines (name: string, stream: NodeJS.ReadableStream | null): void {
    let buffer = ''
    const write = (line: string) => { if (line.trim()) process.stdout.write(this.render(name, line)) }
    stream?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const line of lines) write(line)
    })
    stream?.on('end', () => { write(buffer); buffer = '' })
  }

  private spawnService (service: Supervised): void {
    // A process group of its own: only the supervisor signals it (scripts/lib/parent-guard.ts).
    const proc = spawn(process.execPath, ['--import', 'tsx', '--import', this.parentGuard, service.entry], {
      cwd: this.root,
      env: { ...process.env, ...service.env, PORT: String(service.port), WAMS_ROOT: this.root, WAMS_SUPERVISOR_PID: String(process.pid) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true
    })
    service.proc = proc
    service.startedAt = Date.now()
    this.log(`${service.name} starting (pid ${proc.pid})`)
    this.pipeLines(service.name, proc.stdout)
    this.pipeLines(service.name, proc.stderr)
    proc.on('exit', (code, signal) => {
      if (service.proc === proc) service.proc = null
      if (this.stopping) return
      // A run that lasted is not part of a crash loop: the backoff starts again at 1 s.
      if (Date.now() - service.startedAt >= STABLE_AFTER_MS) service.failures = 0
      const delay = restartDelayMs(service.failures)
      service.failures++
      service.restarts++
      this.log(`${service.name} exited (${signal ?? `code ${code}`}); restarting in ${delay / 1000} s (restart ${service.restarts})`)
      const restart = service.restarts
      service.timer = setTimeout(() => {
        service.timer = null
        if (this.stopping) return
        this.spawnService(service)
        void this.announceReady(service, restart)
      }, delay)
    })
  }

  /** Says so once a restarted service answers ready again. */
  private async announceReady (service: Supervised, restart: number): Promise<void> {
    const proc = service.proc
    // Until it answers, is replaced or the supervisor stops (both change while this waits).
    const current = () => !this.stopping && service.proc === proc && proc !== null
    while (current()) {
      try {
        const res = await fetch(`http://127.0.0.1:${service.port}/health/ready`, { signal: AbortSignal.timeout(5000) })
        if (res.ok && service.proc === proc && !this.stopping) { this.log(`${service.name} ready again (restart ${restart})`); return }
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }

  /** Starts `entry` (a service's server.ts) as `name` on `port`, supervised. */
  startService (name: string, entry: string, port: number, env: Record<string, string>): void {
    const service: Supervised = { name, entry, port, env, proc: null, startedAt: 0, failures: 0, restarts: 0, timer: null }
    this.services.push(service)
    this.spawnService(service)
  }

  async waitReady (name: string, url: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (this.stopping) throw new Error('stopped while waiting')
      try {
        const res = await fetch(url)
        if (res.ok) return
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
    throw new Error(`${name} not ready at ${url} after ${timeoutMs / 1000} s`)
  }

  /**
   * Runs a start script (a broker's) to its end in its own process group: Ctrl-C in the terminal
   * does not reach what it starts, which is stopped after the services (they leave their groups
   * and flush first). Never resolves once the supervisor stops meanwhile (stop() exits).
   */
  async runScript (args: string[], onOutput: (text: string) => void): Promise<{ status: number | null }> {
    const up = spawn('bash', args, { cwd: this.root, stdio: ['ignore', 'pipe', 'inherit'], detached: true })
    this.starting.add(up)
    up.stdout.on('data', (chunk: Buffer) => { onOutput(chunk.toString()) })
    const status = await new Promise<number | null>((resolve) => up.on('exit', (code) => resolve(code)))
    this.starting.delete(up)
    if (this.stopping) return new Promise(() => {}) // stop() runs the cleanups and exits
    return { status }
  }

  /** Runs a stop script (a broker's) to its end, its output to ours. */
  runStop (args: string[], env: Record<string, string> = {}): void {
    spawnSync('bash', args, { cwd: this.root, env: { ...process.env, ...env }, stdio: 'inherit' })
  }

  async stop (code: number): Promise<never> {
    if (this.stopping) return new Promise(() => {}) as Promise<never>
    this.stopping = true
    this.log('stopping...')
    // A service waiting to be started again is not started any more.
    for (const service of this.services) if (service.timer) { clearTimeout(service.timer); service.timer = null }
    for (const up of this.starting) {
      if (up.exitCode === null && up.signalCode === null) try { process.kill(-up.pid!, 'SIGTERM') } catch {}
    }
    await Promise.all(this.services.map(({ proc }) => new Promise<void>((resolve) => {
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve()
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15000)
      proc.once('exit', () => { clearTimeout(timer); resolve() })
      proc.kill('SIGTERM')
    })))
    for (const cleanup of this.cleanups.reverse()) await cleanup()
    this.log('stopped')
    process.exit(code)
  }
}
