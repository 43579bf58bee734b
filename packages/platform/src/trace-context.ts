// W3C Trace Context: read `traceparent`, or start a new trace; pass it on to every call we make.
import { randomHex } from './random-pool.ts'

export interface TraceContext { traceId: string, spanId: string, parentId: string | null, flags: string }

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

export function parseTraceparent (header: unknown): TraceContext {
  const match = typeof header === 'string' ? TRACEPARENT.exec(header.trim()) : null
  const spanId = randomHex(8)
  if (match && !/^0+$/.test(match[1]!) && !/^0+$/.test(match[2]!)) {
    return { traceId: match[1]!, parentId: match[2]!, spanId, flags: match[3]! }
  }
  return { traceId: randomHex(16), parentId: null, spanId, flags: '01' }
}

/** The header for an outgoing call made within this span. */
export function traceparentOf (ctx: TraceContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.flags}`
}
