// Case states kept in memory under a lease from the consent ledger (issue 13): a decision on a
// case this instance read before needs no round trip to the ledger, and still sees every change
// the ledger acknowledged before the decision began (SPEC §6, read-after-write).
//
// The ledger side is services/consent-ledger/src/case-state-leases.ts. Here:
//  - one long poll at a time renews the lease and brings the ids of changed cases; their copies are
//    dropped *before* the next poll confirms them, and the ledger acknowledges a change to its
//    writer only after every live lease confirmed it (or ran out);
//  - the lease counts from when the poll was *sent*, less a margin, so this instance stops using
//    its copies before the ledger stops waiting for it; with no valid lease, every read goes to the
//    ledger as before (and fails closed when the ledger cannot answer);
//  - a read is kept only when it was sent under a valid lease and no change notice, reset or lapse
//    came between sending it and keeping it (the generation), so an answer from before a change
//    can never be kept after that change was confirmed. Unknown cases (null) are never kept.
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from 'pino'
import { Pool } from 'undici'
import type { CaseState } from '@wams/schemas'
import type { CaseStateClient } from './case-state-client.ts'
import { deepFreeze } from '@wams/platform'

export interface CaseStateLeaseOptions {
  /** The ledger's base URL (CONSENT_LEDGER_URL). */
  baseUrl: string
  /** Reads that miss go here: one GET of the decision state. */
  inner: CaseStateClient
  /** The gateway's bearer token for the ledger (role `gateway`). */
  token: () => string
  /** At most this many case states in memory; the oldest kept goes first. */
  maxEntries: number
  log: Logger
}

export interface CaseStateLeaseStats { hits: number, misses: number, kept: number, dropped: number, leased: boolean }

interface LeaseAnswer { seq: number, caseIds: string[], reset: boolean, leaseMs: number }

export class LeasedCaseStates implements CaseStateClient {
  readonly instanceId = randomUUID()
  private readonly entries = new Map<string, CaseState>()
  private leaseUntil = 0
  private generation = 0
  private stopped = false
  private readonly pollPool: Pool
  private readonly path: string
  private readonly running: Promise<void>
  private readonly counts = { hits: 0, misses: 0, kept: 0, dropped: 0 }
  private pollAbort = new AbortController()

  constructor (private readonly opts: CaseStateLeaseOptions) {
    const base = new URL(opts.baseUrl)
    this.path = `${base.pathname.replace(/\/$/, '')}/v1/case-state-leases`
    // Its own connection: a held poll must not take one of the reads'.
    this.pollPool = new Pool(base.origin, { connections: 1, connect: { timeout: 2000, rejectUnauthorized: true }, keepAliveTimeout: 30_000 })
    this.running = this.pollLoop()
  }

  stats (): CaseStateLeaseStats {
    return { ...this.counts, leased: performance.now() < this.leaseUntil }
  }

  async get (caseId: string, trace: Parameters<CaseStateClient['get']>[1]): Promise<CaseState | null> {
    const sentAt = performance.now()
    const leased = sentAt < this.leaseUntil
    if (leased) {
      const kept = this.entries.get(caseId)
      if (kept !== undefined) { this.counts.hits++; return kept }
    } else if (this.entries.size > 0) {
      this.dropAll() // the lease lapsed: nothing kept under it may be used again
    }
    this.counts.misses++
    const generation = this.generation
    const state = await this.opts.inner.get(caseId, trace)
    if (state !== null && leased && generation === this.generation && performance.now() < this.leaseUntil) {
      if (this.entries.size >= this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value!)
      this.entries.set(caseId, deepFreeze(state))
      this.counts.kept++
    }
    return state
  }

  async close (): Promise<void> {
    this.stopped = true
    this.pollAbort.abort()
    await this.running
    this.dropAll()
    await Promise.all([this.pollPool.close(), this.opts.inner.close()])
  }

  private dropAll (): void {
    this.counts.dropped += this.entries.size
    this.entries.clear()
    this.generation++
  }

  private async pollLoop (): Promise<void> {
    let acked: number | null = null
    let failures = 0
    while (!this.stopped) {
      const sentAt = performance.now()
      try {
        const answer = await this.poll(acked)
        const now = performance.now()
        // A lapse between two leases: what was kept before it may have missed a change.
        if (now >= this.leaseUntil) this.dropAll()
        if (answer.reset) this.dropAll()
        else if (answer.caseIds.length > 0) {
          for (const id of answer.caseIds) if (this.entries.delete(id)) this.counts.dropped++
          this.generation++
        }
        acked = answer.seq
        // The ledger counts from when it received the poll, after sentAt; the margin covers clocks
        // that run at slightly different rates.
        this.leaseUntil = sentAt + answer.leaseMs - Math.max(100, answer.leaseMs / 10)
        failures = 0
      } catch (err) {
        if (this.stopped) break
        failures++
        if (failures === 1 || failures % 50 === 0) {
          // Before the first lease (the ledger still starting beside us) this is no news.
          const level = acked === null ? 'info' : 'warn'
          this.opts.log[level]({ err: { message: (err as Error).message }, failures }, 'case-state lease not renewed; reading every case state from the ledger')
        }
        await sleep(Math.min(1000, 50 * 2 ** Math.min(failures, 5)), undefined, { signal: this.pollAbort.signal }).catch(() => {})
      }
    }
  }

  private async poll (ackedSeq: number | null): Promise<LeaseAnswer> {
    const res = await this.pollPool.request({
      method: 'POST',
      path: this.path,
      headers: { authorization: `Bearer ${this.opts.token()}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ instanceId: this.instanceId, ackedSeq }),
      signal: this.pollAbort.signal,
      headersTimeout: 30_000,
      bodyTimeout: 30_000
    })
    if (res.statusCode !== 200) {
      await res.body.dump()
      throw new Error(`lease poll answered ${res.statusCode}`)
    }
    const body = await res.body.json() as Partial<LeaseAnswer>
    if (!Number.isSafeInteger(body.seq) || !Array.isArray(body.caseIds) || typeof body.reset !== 'boolean' ||
      !Number.isSafeInteger(body.leaseMs) || (body.leaseMs ?? 0) <= 0 || !body.caseIds.every((id) => typeof id === 'string')) {
      throw new Error('lease poll answer outside the contract')
    }
    return body as LeaseAnswer
  }
}
