// A bounded, open-loop steady load of permitted data requests: one request every 1000/rate ms for
// `durationMs`, each on its own (no waiting for earlier answers), each bounded in time. Every
// answer is kept: status, problem code, auditEventId, and the time from sending to the answer.

export interface Answer {
  /** ms since the load started, when the request was sent. */
  sentAt: number
  /** Epoch ms when the answer (or the error) came. */
  answeredAt: number
  ms: number
  /** HTTP status, or 'ERR' when no answer came (connection refused or reset, timeout). */
  status: number | 'ERR'
  code: string | null
  auditEventId: string | null
  /** The gateway's own account (Server-Timing): ms per stage (ledger, decide, partner, audit). */
  stages: Record<string, number> | null
}

/** "ledger;dur=1.20, partner;dur=3.40" → { ledger: 1.2, partner: 3.4 } */
export function parseServerTiming (header: string | null): Record<string, number> | null {
  if (!header) return null
  const stages: Record<string, number> = {}
  for (const part of header.split(',')) {
    const m = /^\s*([^;\s]+)\s*;\s*dur=([0-9.]+)/.exec(part)
    if (m) stages[m[1]!] = Number(m[2])
  }
  return stages
}

export interface LoadOptions {
  url: string
  headers: Record<string, string>
  body: unknown
  ratePerSecond: number
  durationMs: number
  /** Per request. */
  timeoutMs: number
}

export interface Load {
  /** Epoch ms the load started. */
  startedAt: number
  /** Resolves when the last request has its answer. */
  done: Promise<Answer[]>
}

export function startLoad (options: LoadOptions): Load {
  const startedAt = Date.now()
  const t0 = performance.now()
  const total = Math.round(options.ratePerSecond * options.durationMs / 1000)
  const interval = 1000 / options.ratePerSecond
  const payload = JSON.stringify(options.body)
  const pending: Array<Promise<Answer>> = []

  const one = async (): Promise<Answer> => {
    const sent = performance.now()
    const sentAt = sent - t0
    try {
      const res = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: payload,
        signal: AbortSignal.timeout(options.timeoutMs)
      })
      const text = await res.text()
      const ms = performance.now() - sent
      let body: { code?: unknown, auditEventId?: unknown } = {}
      try { body = JSON.parse(text) as typeof body } catch {}
      return {
        sentAt,
        answeredAt: Date.now(),
        ms,
        status: res.status,
        code: typeof body.code === 'string' ? body.code : null,
        auditEventId: typeof body.auditEventId === 'string' ? body.auditEventId : null,
        stages: parseServerTiming(res.headers.get('server-timing'))
      }
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name
      return { sentAt, answeredAt: Date.now(), ms: performance.now() - sent, status: 'ERR', code: cause, auditEventId: null, stages: null }
    }
  }

  const done = (async () => {
    for (let i = 0; i < total; i++) {
      // Paced by the clock, not by the previous timer: a late tick does not slow the rate down.
      const due = t0 + i * interval
      const wait = due - performance.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      pending.push(one())
    }
    return Promise.all(pending)
  })()
  return { startedAt, done }
}

/** "200:250 503 EVIDENCE_BEHIND:12 ERR:3", most frequent first. */
export function histogram (answers: Answer[]): string {
  const counts = new Map<string, number>()
  for (const a of answers) {
    const key = a.status === 200 ? '200' : a.code ? `${a.status} ${a.code}` : String(a.status)
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return [...counts].sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k}:${n}`).join(' ')
}

export function percentile (values: number[], p: number): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}
