// Random bytes for identifiers (trace and span ids, UUIDv7 event and decision ids), drawn from a
// buffer the operating system's CSPRNG fills 4 KiB at a time, as node:crypto's randomUUID does:
// one getrandom call per id cost ~6 µs here, a few per request (issue 13).
import { randomFillSync } from 'node:crypto'
import { v7 } from 'uuid'

const POOL_SIZE = 4096
const pool = Buffer.alloc(POOL_SIZE)
let offset = POOL_SIZE

/** `n` fresh random bytes (n ≤ 4096), a view of the pool that the next calls do not reuse. */
function take (n: number): Buffer {
  if (offset + n > POOL_SIZE) {
    randomFillSync(pool)
    offset = 0
  }
  const bytes = pool.subarray(offset, offset + n)
  offset += n
  return bytes
}

/** `n` random bytes as lowercase hex (trace context ids). */
export function randomHex (n: number): string {
  return take(n).toString('hex')
}

// uuid's own v7 state, kept here because its default path draws fresh bytes on every call: a
// random 31-bit counter per millisecond, incremented within one, so ids of this process sort in
// the order they were made.
const v7State = { msecs: -Infinity, seq: 0 }

/** An RFC 9562 version 7 UUID (time-ordered, monotonic within this process). */
export function uuidv7 (): string {
  const random = take(16)
  const now = Date.now()
  if (now > v7State.msecs) {
    v7State.seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!
    v7State.msecs = now
  } else {
    v7State.seq = (v7State.seq + 1) | 0
    if (v7State.seq === 0) v7State.msecs++
  }
  return v7({ random, msecs: v7State.msecs, seq: v7State.seq })
}
