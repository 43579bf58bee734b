// The live stream (server-sent events) of newly sequenced events. Each client reads through the
// same scoped query as GET /v1/audit/events, from its own position, whenever the sequencer
// (on any instance) announces a new tree size: no second implementation of the scoping or of the
// projection (a provider gets what it received, views.ts), and a client that reconnects with
// Last-Event-ID (the last leaf index it got) misses nothing.
// Heartbeat comments keep proxies from closing an idle stream; on shutdown every stream ends.
import type { ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { Pool, PoolClient, Pseudonymiser } from '@wams/platform'
import { listEvents, type EventFilters } from './event-query.ts'
import type { Scope } from './scope.ts'
import { SEQUENCED_CHANNEL } from './sequencer.ts'

const PAGE = 500
const FALLBACK_POLL_MS = 2000

interface StreamClient {
  raw: ServerResponse
  scope: Scope
  filters: EventFilters
  /** The next leaf index this client has not been sent yet (or that did not match). */
  next: number
  pumping: boolean
  again: boolean
  heartbeat: NodeJS.Timeout
}

export class StreamHub {
  private readonly clients = new Set<StreamClient>()
  private listener: PoolClient | null = null
  private head = 0
  private poll: NodeJS.Timeout | null = null
  private stopped = false

  constructor (private readonly opts: { pool: Pool, logger: Logger, heartbeatMs: number, pseudonymise: Pseudonymiser }) {}

  get size (): number { return this.clients.size }

  async start (): Promise<void> {
    this.head = await this.treeSize()
    await this.listen().catch(() => {}) // the poll below covers a missing listener
    // A lost notification (listener reconnecting) delays a client by at most this interval.
    this.poll = setInterval(() => { void this.refresh() }, FALLBACK_POLL_MS)
    this.poll.unref()
  }

  async stop (): Promise<void> {
    this.stopped = true
    if (this.poll) clearInterval(this.poll)
    for (const client of [...this.clients]) this.remove(client, true)
    const listener = this.listener
    this.listener = null
    if (listener) {
      await listener.query(`UNLISTEN ${SEQUENCED_CHANNEL}`).catch(() => {})
      listener.release()
    }
  }

  /** Serves one client on an already hijacked reply; `after` is the Last-Event-ID it resumes from. */
  async add (raw: ServerResponse, options: { scope: Scope, filters: EventFilters, after: number | null }): Promise<void> {
    const next = options.after === null ? await this.treeSize() : options.after + 1
    const client: StreamClient = {
      raw,
      scope: options.scope,
      filters: options.filters,
      next,
      pumping: false,
      again: false,
      heartbeat: setInterval(() => { if (!raw.writableEnded) raw.write(': heartbeat\n\n') }, this.opts.heartbeatMs)
    }
    this.clients.add(client)
    raw.on('close', () => this.remove(client, false))
    raw.write('retry: 3000\n: connected\n\n')
    if (this.stopped) return this.remove(client, true)
    void this.pump(client)
  }

  private remove (client: StreamClient, end: boolean): void {
    if (!this.clients.delete(client)) return
    clearInterval(client.heartbeat)
    if (end && !client.raw.writableEnded) client.raw.end()
  }

  private async treeSize (): Promise<number> {
    const { rows } = await this.opts.pool.query<{ size: string }>('SELECT size FROM tree_head WHERE id = 1')
    return Number(rows[0]!.size)
  }

  private async listen (): Promise<void> {
    const client = await this.opts.pool.connect()
    client.on('notification', (msg) => {
      const size = Number(msg.payload)
      if (Number.isSafeInteger(size) && size > this.head) this.head = size
      for (const c of this.clients) void this.pump(c)
    })
    client.on('error', () => {
      if (this.listener === client) this.listener = null
      try { client.release(true) } catch {}
    })
    await client.query(`LISTEN ${SEQUENCED_CHANNEL}`)
    this.listener = client
  }

  private async refresh (): Promise<void> {
    try {
      if (!this.listener && !this.stopped) await this.listen()
      if (this.clients.size === 0) return
      this.head = Math.max(this.head, await this.treeSize())
      for (const c of this.clients) void this.pump(c)
    } catch (err) {
      this.opts.logger.warn({ err: { message: (err as Error).message } }, 'audit stream: refresh failed')
    }
  }

  /** Sends the client everything new it may see; one pump per client at a time. */
  private async pump (client: StreamClient): Promise<void> {
    if (client.pumping) { client.again = true; return }
    client.pumping = true
    try {
      do {
        client.again = false
        if (client.next >= this.head) continue
        const headBefore = this.head
        const items = await listEvents(this.opts.pool, { scope: client.scope, pseudonymise: this.opts.pseudonymise, filters: client.filters, afterLeaf: client.next - 1, limit: PAGE })
        for (const item of items) {
          if (!this.clients.has(client)) return
          const ok = client.raw.write(`id: ${item.leafIndex}\nevent: audit-event\ndata: ${JSON.stringify(item)}\n\n`)
          if (!ok) await new Promise<void>((resolve) => { client.raw.once('drain', resolve); client.raw.once('close', resolve) })
        }
        const last = items.at(-1)?.leafIndex ?? -1
        // The query saw every leaf below headBefore (appends commit as whole prefixes), so
        // nothing matching was skipped below it; a full page means there may be more.
        client.next = items.length === PAGE ? last + 1 : Math.max(headBefore, last + 1)
        if (items.length === PAGE) client.again = true
      } while (client.again && this.clients.has(client))
    } catch (err) {
      this.opts.logger.warn({ err: { message: (err as Error).message } }, 'audit stream: could not read new events; closing the stream')
      this.remove(client, true)
    } finally {
      client.pumping = false
    }
  }
}
