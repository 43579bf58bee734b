// The partner tokens are signed on a worker thread of their own (PARTNER_TOKEN_THREAD, default
// on). Each partner call carries an Ed25519 token bound to its requestId (signing-key.ts), and
// signing it was the largest single item on the thread that serves requests (about 7 % of it at
// full load, issue 13), while the machine's other core had room. A request asks for its token as
// soon as it arrives, so the signature is made while the gateway decides.
//
// A token is never lost to the thread: when it is not running (not yet started, died, stopped),
// or dies with requests in hand, those are signed here, in process, with the same key.
import type { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import { startTsWorker } from '@wams/platform'

/** What the worker is started with. */
export interface TokenSignerWorkerData { keyPem: string, iss: string, org: string, ttlS: number }
export interface TokenRequest { id: number, provider: string, requestId: string }
export interface TokenAnswer { id: number, token: string }

const WORKER_URL = new URL('./token-signer-worker.ts', import.meta.url)
const RESTART_MS = 1000

export class TokenSignerThread {
  private worker: Worker | null = null
  private nextId = 0
  private readonly pending = new Map<number, { provider: string, requestId: string, resolve: (token: string) => void }>()
  private running = false
  private restartTimer: NodeJS.Timeout | null = null

  constructor (private readonly opts: {
    data: TokenSignerWorkerData
    /** The same token, signed in this thread (when the worker is not there). */
    local: (provider: string, requestId: string) => string
    logger: Logger
  }) {}

  start (): void {
    if (this.running) return
    this.running = true
    this.spawn()
  }

  /** The token for one partner call; never rejects (signed here when the thread is not there). */
  sign (provider: string, requestId: string): Promise<string> {
    const worker = this.worker
    if (worker === null) return Promise.resolve().then(() => this.opts.local(provider, requestId))
    return new Promise<string>((resolve) => {
      const id = this.nextId++
      this.pending.set(id, { provider, requestId, resolve })
      worker.postMessage({ id, provider, requestId } satisfies TokenRequest)
    })
  }

  async stop (): Promise<void> {
    this.running = false
    if (this.restartTimer) clearTimeout(this.restartTimer)
    const worker = this.worker
    this.worker = null
    this.signPendingHere()
    await worker?.terminate()
  }

  private spawn (): void {
    const worker = startTsWorker(WORKER_URL, this.opts.data)
    // The thread must not keep the process alive on its own.
    worker.unref()
    this.worker = worker
    worker.on('message', ({ id, token }: TokenAnswer) => {
      const entry = this.pending.get(id)
      if (entry === undefined) return
      this.pending.delete(id)
      entry.resolve(token)
    })
    worker.on('error', (err) => {
      this.opts.logger.error({ err: { message: err.message } }, 'partner token thread failed; signing in process until it is started again')
    })
    worker.on('exit', () => {
      if (this.worker !== worker) return
      this.worker = null
      this.signPendingHere()
      if (!this.running) return
      this.restartTimer = setTimeout(() => { this.restartTimer = null; if (this.running) this.spawn() }, RESTART_MS)
      this.restartTimer.unref()
    })
  }

  private signPendingHere (): void {
    for (const [id, entry] of this.pending) {
      this.pending.delete(id)
      entry.resolve(this.opts.local(entry.provider, entry.requestId))
    }
  }

  /** Tests: ends the worker as a crash would. */
  async crashForTest (): Promise<void> {
    await this.worker?.terminate()
  }
}
