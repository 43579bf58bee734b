// The rate limit's count shared by every gateway instance: one fixed window per key (the
// organisation) in Redis, counted by one atomic script, so two replicas behind a load balancer
// allow the limit once, not twice. It is a store for @fastify/rate-limit (its `store` option).
//
// Redis is not allowed to stop the exchange: a command that fails or does not answer within the
// timeout is counted in the instance's own window instead (fail open to the local count: at most
// instances × the limit while Redis is away), and the switch both ways is logged once. While
// disconnected, commands fail at once (no offline queue) and the client reconnects in the background.
import { Redis } from 'ioredis'
import type { FastifyBaseLogger } from 'fastify'
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'

/** INCR, and the window's expiry set by the first request of a window (or repaired when missing). */
const INCREMENT = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { current, ttl }
`

export interface WindowCount {
  /** Requests in the current window, this one included. */
  current: number
  /** Milliseconds until the window ends. */
  ttl: number
  /** Whether it was counted in Redis (false: in this instance's fallback window). */
  shared: boolean
}

/** Fixed windows in this instance's memory: the fallback. Bounded: expired windows are dropped first, then the oldest. */
export class LocalWindows {
  readonly #windows = new Map<string, { count: number, resetAt: number }>()
  readonly #maxKeys: number

  constructor (maxKeys = 100_000) {
    this.#maxKeys = maxKeys
  }

  increment (key: string, windowMs: number, now = Date.now()): { current: number, ttl: number } {
    let window = this.#windows.get(key)
    if (window === undefined || window.resetAt <= now) {
      this.#windows.delete(key)
      if (this.#windows.size >= this.#maxKeys) this.#evict(now)
      window = { count: 0, resetAt: now + windowMs }
      this.#windows.set(key, window)
    }
    window.count++
    return { current: window.count, ttl: window.resetAt - now }
  }

  #evict (now: number): void {
    for (const [key, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(key)
    for (const key of this.#windows.keys()) {
      if (this.#windows.size < this.#maxKeys) break
      this.#windows.delete(key)
    }
  }
}

export interface SharedCounterOptions {
  url: string
  /** Key prefix in Redis (e.g. per deployment, or per test run). */
  prefix: string
  /** Longest wait for Redis per request before the local count is used. */
  timeoutMs: number
  log: FastifyBaseLogger
}

type RedisWithScript = Redis & { wamsRateLimit: (key: string, windowMs: number) => Promise<[number, number]> }

export class SharedCounter {
  readonly redis: RedisWithScript
  readonly #prefix: string
  readonly #local = new LocalWindows()
  readonly #log: FastifyBaseLogger
  #degraded = false

  constructor (options: SharedCounterOptions) {
    this.#prefix = options.prefix
    this.#log = options.log
    this.redis = new Redis(options.url, {
      lazyConnect: true,
      // While disconnected a command fails at once instead of waiting in a queue.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(options.timeoutMs, 1000),
      // Reconnect in the background, forever, at most every two seconds.
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2000),
      connectionName: 'wams-gateway-rate-limit'
    }) as RedisWithScript
    this.redis.defineCommand('wamsRateLimit', { numberOfKeys: 1, lua: INCREMENT })
    // Connection errors are seen through the commands (and logged once per switch); without a
    // listener ioredis would print every reconnection attempt.
    this.redis.on('error', () => {})
    this.redis.on('ready', () => this.#shared())
  }

  /**
   * Connects, waiting at most `waitMs`: when Redis cannot be reached (or does not answer) now, the
   * instance starts on its own count (logged) and the client keeps trying in the background.
   */
  async connect (waitMs: number): Promise<void> {
    const connecting = this.redis.connect()
    connecting.catch(() => {})
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${waitMs} ms`)), waitMs)
    })
    try {
      await Promise.race([connecting, late])
    } catch (err) {
      this.#fallback(err as Error)
    } finally {
      clearTimeout(timer)
    }
  }

  /** Whether counting is on this instance's fallback (Redis did not answer the last time). */
  get degraded (): boolean {
    return this.#degraded
  }

  async increment (key: string, windowMs: number): Promise<WindowCount> {
    try {
      const [current, ttl] = await this.redis.wamsRateLimit(this.#prefix + key, windowMs)
      this.#shared()
      return { current, ttl, shared: true }
    } catch (err) {
      this.#fallback(err as Error)
      return { ...this.#local.increment(key, windowMs), shared: false }
    }
  }

  async close (): Promise<void> {
    if (this.redis.status === 'ready') {
      await this.redis.quit().catch(() => this.redis.disconnect())
    } else {
      this.redis.disconnect()
    }
  }

  #fallback (err: Error): void {
    if (this.#degraded) return
    this.#degraded = true
    this.#log.warn({ err: { message: err.message } }, 'rate limit: Redis does not answer; counting per instance until it does (fail open)')
  }

  #shared (): void {
    if (!this.#degraded) return
    this.#degraded = false
    this.#log.info('rate limit: Redis answers again; the count is shared by all instances')
  }
}

/** The store class @fastify/rate-limit instantiates (`store` option), counting through `counter`. */
export function sharedStore (counter: SharedCounter, prefix = ''): FastifyRateLimitStoreCtor {
  return class SharedStore implements FastifyRateLimitStore {
    incr (key: string, callback: Parameters<FastifyRateLimitStore['incr']>[1], timeWindow: number): void {
      counter.increment(prefix + key, timeWindow).then(({ current, ttl }) => callback(null, { current, ttl }), callback)
    }

    /** A route with its own limit counts under its own key. (The plugin passes its merged parameters with `routeInfo`.) */
    child (routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      const route = (routeOptions as unknown as { routeInfo?: { method?: string, url?: string } }).routeInfo
      const Child = sharedStore(counter, `${prefix}${route?.method ?? ''}${route?.url ?? ''}:`)
      return new Child({})
    }
  }
}
