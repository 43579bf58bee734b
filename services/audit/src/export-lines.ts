// The log as JSONL for the offline verifier (GET /v1/audit/export). Each line carries the leaf hash
// the tree holds (merkle_nodes, level 0) and the event as stored, in its RFC 8785 form; a missing
// event row leaves a gap in leafIndex, which the verifier reports.
import type { Pool } from '@wams/platform'
import { canonicalEventJson } from '@wams/transparency-log'

const PAGE = 5000

export async function * exportLines (pool: Pool, from: number, to: number): AsyncGenerator<string> {
  let next = from
  while (next < to) {
    const { rows } = await pool.query<{ leaf_index: string, event: object | null, hash: Buffer }>({
      name: 'audit-export-page',
      text: `SELECT e.leaf_index, e.event, n.hash FROM audit_events e JOIN merkle_nodes n ON n.level = 0 AND n.idx = e.leaf_index
             WHERE e.leaf_index >= $1 AND e.leaf_index < $2 ORDER BY e.leaf_index LIMIT ${PAGE}`,
      values: [next, to]
    })
    if (rows.length === 0) return
    let chunk = ''
    for (const r of rows) {
      chunk += `{"leafIndex":${r.leaf_index},"leafHash":"${r.hash.toString('base64')}","event":${r.event === null ? 'null' : canonicalEventJson(r.event)}}\n`
    }
    yield chunk
    next = Number(rows.at(-1)!.leaf_index) + 1
    if (rows.length < PAGE) return
  }
}
