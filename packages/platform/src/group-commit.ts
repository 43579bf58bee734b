// Group commit (issue 13): concurrent callers share one statement, and so one commit. Each
// caller's promise settles with the write of the batch that holds its rows: resolved when it
// succeeded, rejected when it failed (then every caller in it fails). What a batch holds: whatever
// arrived before it started, at most `maxRows`; a batch starts on the next turn of the event loop
// after the first row arrived (setImmediate, no timer to wait for) when fewer than `maxInFlight`
// batches are being written, else as soon as one of them is done.

export interface GroupCommitOptions<R> {
  /** Writes one batch as one statement (all rows or none). */
  write: (rows: R[]) => Promise<void>
  /** Rows per batch at most. */
  maxRows: number
  /** Batches written at once. */
  maxInFlight: number
  /**
   * Longest wait for a place in a batch (ms): a caller still queued then is refused. Once its
   * batch is being written it waits for that batch's outcome.
   */
  maxQueueMs: number
}

interface Waiter<R> { rows: R[], resolve: () => void, reject: (err: Error) => void, timer?: NodeJS.Timeout }

export class GroupCommitQueueTimeoutError extends Error {
  constructor (ms: number) { super(`no batch took the rows within ${ms} ms`) }
}

export class GroupCommit<R> {
  private readonly opts: GroupCommitOptions<R>
  private queue: Array<Waiter<R>> = []
  private queued = 0
  private inFlight = 0
  private scheduled = false
  private closed = false
  private readonly idle: Array<() => void> = []
  /** Batches written (succeeded or failed) and rows in them, for tests and the bench. */
  readonly stats = { batches: 0, rows: 0, failed: 0, timedOut: 0 }

  constructor (options: GroupCommitOptions<R>) {
    if (options.maxRows < 1 || options.maxInFlight < 1) throw new RangeError('maxRows and maxInFlight must be at least 1')
    this.opts = options
  }

  /** Queues the rows (kept together in one batch); resolves once that batch is written. */
  add (rows: R[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('group commit closed'))
    if (rows.length === 0) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter<R> = { rows, resolve, reject }
      waiter.timer = this.deadline(waiter)
      this.queue.push(waiter)
      this.queued += rows.length
      this.schedule()
    })
  }

  /** Writes what is queued, waits for every batch, then refuses new rows. */
  async close (): Promise<void> {
    this.closed = true
    this.schedule()
    if (this.queue.length === 0 && this.inFlight === 0) return
    await new Promise<void>((resolve) => this.idle.push(resolve))
  }

  private deadline (waiter: Waiter<R>): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const at = this.queue.indexOf(waiter)
      if (at < 0) return
      this.queue.splice(at, 1)
      this.queued -= waiter.rows.length
      this.stats.timedOut++
      waiter.reject(new GroupCommitQueueTimeoutError(this.opts.maxQueueMs))
      this.settleIdle()
    }, this.opts.maxQueueMs)
    timer.unref()
    return timer
  }

  private settleIdle (): void {
    if (this.queue.length === 0 && this.inFlight === 0) for (const done of this.idle.splice(0)) done()
  }

  private schedule (): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.opts.maxInFlight) return
    this.scheduled = true
    // A full batch goes now; otherwise those who arrive in this turn of the event loop join it.
    if (this.queued >= this.opts.maxRows) queueMicrotask(() => this.flush())
    else setImmediate(() => this.flush())
  }

  private flush (): void {
    this.scheduled = false
    if (this.queue.length === 0 || this.inFlight >= this.opts.maxInFlight) return
    const batch: Array<Waiter<R>> = []
    let n = 0
    // A caller's rows stay together; the first caller goes even when it alone is over maxRows.
    while (this.queue.length > 0 && (batch.length === 0 || n + this.queue[0]!.rows.length <= this.opts.maxRows)) {
      const w = this.queue.shift()!
      if (w.timer) clearTimeout(w.timer)
      batch.push(w)
      n += w.rows.length
    }
    this.queued -= n
    this.inFlight++
    void this.write(batch, n)
    this.schedule() // more than one batch waiting and a free slot: the next one too
  }

  private async write (batch: Array<Waiter<R>>, n: number): Promise<void> {
    try {
      await this.opts.write(batch.flatMap((w) => w.rows))
      this.stats.batches++
      this.stats.rows += n
      for (const w of batch) w.resolve()
    } catch (err) {
      this.stats.batches++
      this.stats.failed++
      for (const w of batch) w.reject(err as Error)
    } finally {
      this.inFlight--
      this.schedule()
      this.settleIdle()
    }
  }
}
