// The gateway commits a permit's audit record provisionally while it asks the partner and replaces
// it with the final record just after the answer, without making the answer wait. A test that
// reads the outbox right after an answer waits for that replacement first.
import type pg from 'pg'

/** Waits (at most `ms`) until the outbox holds no provisional record whose hold still runs. */
export async function finalRecords (sql: pg.Pool, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE held_until > now()')
    if (rows[0]!.n === 0) return
    if (Date.now() > deadline) throw new Error(`${rows[0]!.n} provisional audit records not replaced within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
