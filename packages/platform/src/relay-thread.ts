// The outbox relay on a thread of its own (OUTBOX_RELAY_THREAD, default on). Publishing costs
// CPU per event and per batch — kafkajs encodes, checksums and copies every message, the relay
// reads and marks its rows — and on the thread that serves requests it competed with every
// request (issue 13: the gateway's thread is what limits its throughput, while the machine's
// other core has room). The worker (relay-worker.ts) holds its own pool and producer and runs
// the same OutboxRelay; it talks to nothing here but this object, so what it does is exactly
// what the relay does in process: leadership by advisory lock, publish, then mark.
//
// The worker is part of the process: it dies with it. When it dies alone (an error nobody
// caught), it is started again after a backoff, and lastError says so meanwhile (readiness);
// rows wait in the outbox, as they do while Kafka is away.
import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import type { Pool } from './database.ts'
import type { BrokerSettings } from './kafka.ts'
import { pendingOutboxRows } from './outbox.ts'

/** What a service needs of its relay, in process or on a thread. */
export interface Relay {
  readonly isLeader: boolean
  readonly lastError: Error | null
  start: () => void
  /** Publishes what is pending, then stops. */
  stop: () => Promise<void>
  /** Rows were committed by this process without a NOTIFY: publish them without waiting for a poll. */
  wake: () => void
  /** Rows not yet acknowledged by Kafka. */
  pending: () => Promise<number>
}

/** What the worker is started with (structured-cloned: no functions, no logger). */
export interface RelayWorkerData {
  databaseUrl: string
  broker: Omit<BrokerSettings, 'logger'>
  lingerMs: number
  service: string
  logLevel: string
}

/** The worker's state, posted when it changes. */
export interface RelayWorkerState { isLeader: boolean, lastError: string | null }

// The worker's module is TypeScript like the rest: the thread first registers tsx's loader,
// which a worker does not inherit from the process, then imports it.
const WORKER_URL = new URL('./relay-worker.ts', import.meta.url)
const BOOTSTRAP = new URL(`data:text/javascript,${encodeURIComponent(
  `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(WORKER_URL.href)})`)}`)
// The process's flags without its preloads (--import, --require, --loader): they are the
// process's own (a parent guard, a test runner's hooks, tsx itself) and run before the bootstrap
// could load TypeScript.
const PRELOADS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader'])
const WORKER_EXEC_ARGV = process.execArgv.filter((arg, i, all) =>
  !PRELOADS.has(arg) && !PRELOADS.has(all[i - 1] ?? '') && ![...PRELOADS].some((p) => arg.startsWith(`${p}=`)))

const RESTART_MIN_MS = 1000
const RESTART_MAX_MS = 15_000
const STOP_MS = 15_000
const WAKE_EVERY_MS = 10

export class RelayThread implements Relay {
  private worker: Worker | null = null
  private state: RelayWorkerState = { isLeader: false, lastError: null }
  private crashed: Error | null = null
  private running = false
  private restartMs = RESTART_MIN_MS
  private restartTimer: NodeJS.Timeout | null = null
  private stopped: Promise<void> | null = null
  private lastWake = -Infinity

  constructor (private readonly opts: { data: RelayWorkerData, pool: Pool, logger: Logger }) {}

  get isLeader (): boolean { return this.worker !== null && this.state.isLeader }

  get lastError (): Error | null {
    if (this.crashed) return this.crashed
    return this.state.lastError === null ? null : new Error(this.state.lastError)
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.spawn()
  }

  wake (): void {
    // One message per commit cost the request thread about 1 % at full load; the relay lingers
    // between batches anyway, so a wake within WAKE_EVERY_MS of the last one adds nothing.
    const now = performance.now()
    if (this.worker === null || now - this.lastWake < WAKE_EVERY_MS) return
    this.lastWake = now
    this.worker.postMessage('wake')
  }

  async stop (): Promise<void> {
    this.running = false
    if (this.restartTimer) clearTimeout(this.restartTimer)
    const worker = this.worker
    if (worker === null) return
    this.stopped ??= new Promise<void>((resolve) => {
      // The worker publishes what is pending and ends; one that does not end in time is ended.
      const timer = setTimeout(() => { void worker.terminate() }, STOP_MS)
      worker.once('exit', () => { clearTimeout(timer); resolve() })
      worker.postMessage('stop')
    })
    await this.stopped
  }

  pending (): Promise<number> { return pendingOutboxRows(this.opts.pool) }

  private spawn (): void {
    const worker = new Worker(BOOTSTRAP, { workerData: this.opts.data, execArgv: WORKER_EXEC_ARGV })
    this.worker = worker
    this.stopped = null
    worker.on('message', (state: RelayWorkerState) => {
      this.state = state
      // A thread that runs and reports no error: the crash is history, and so is its backoff.
      if (state.lastError === null && this.crashed) { this.crashed = null; this.restartMs = RESTART_MIN_MS }
    })
    worker.on('error', (err) => {
      this.crashed = err
      this.opts.logger.error({ err: { message: err.message } }, 'outbox relay thread failed; it is started again')
    })
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null
      this.state = { isLeader: false, lastError: this.state.lastError }
      if (!this.running) return
      this.crashed ??= new Error(`the outbox relay thread exited (${code})`)
      this.restartTimer = setTimeout(() => { this.restartTimer = null; if (this.running) this.spawn() }, this.restartMs)
      this.restartTimer.unref()
      this.restartMs = Math.min(this.restartMs * 2, RESTART_MAX_MS)
    })
  }

  /** Tests: ends the worker as a crash would. */
  async crashForTest (): Promise<void> {
    await this.worker?.terminate()
  }
}
