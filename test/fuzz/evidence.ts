// The evidence invariant (SPEC §7, issue 8): no permit or deny — nor any other decision the gateway
// answered with an auditEventId — without its event (1) in the gateway's outbox when the answer
// left and (2) in the audit log: stored, sequenced and under a signed checkpoint, within the wait.
// A sample is also fetched as a supervisor (GET /v1/audit/events/{id}) and its inclusion proof
// checked with the independent RFC 6962 code of test/support against the root of the checkpoint
// the audit service signed for that tree size. Besides: every audit event in either producer's
// outbox (authentication failures, ledger events) reached the log, nothing was rejected by the
// store, and how long an event took from the answer to a covering checkpoint.
import type { Stack } from './stack.ts'
import type { EvidenceClaim } from './oracle.ts'
import { inclusionOk, leafOf } from '../support/rfc6962.ts'
import { byName } from './principals.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export interface Tally { answered: number, checked: number, missing: number }

export interface EvidenceResult {
  claims: number
  /** Answers that arrived while the evidence was checked (requests still under way when fuzzing stopped). */
  claimsAfterwards: number
  duplicateIds: number
  duplicates: Array<{ eventId: string, answers: string[] }>
  permits: Tally
  denies: Tally
  others: Tally
  missingFromOutbox: string[]
  missingFromLog: Array<{ eventId: string, outcome: string, kind: string, inOutbox: boolean, rejectedByStore: boolean }>
  outcomeMismatch: Array<{ eventId: string, answered: string, logged: string }>
  outboxNotInLog: { gateway: number, ledger: number }
  outboxSizes: { gateway: number, ledger: number }
  rejected: number
  sampled: number
  proofFailures: string[]
  waitedMs: number
  /** From the outbox row (the answer) to the first signed checkpoint covering the event. */
  answerToCheckpointMs: { p50: number, p99: number, max: number } | null
  /** The producer's own proof (outbox proven_at), SPEC §7. */
  producerProven: { proven: number, of: number }
}

function chunks<T> (list: T[], size = 5000): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0

async function inLog (stack: Stack, ids: string[]): Promise<Map<string, { outcome: string, leafIndex: number }>> {
  const found = new Map<string, { outcome: string, leafIndex: number }>()
  for (const part of chunks(ids.filter((id) => UUID.test(id)))) {
    const { rows } = await stack.auditSql.query<{ event_id: string, outcome: string, leaf_index: string }>(
      `SELECT event_id::text, outcome, leaf_index FROM audit_events
        WHERE event_id = ANY($1::uuid[]) AND leaf_index IS NOT NULL
          AND leaf_index < (SELECT coalesce(max(tree_size), 0) FROM checkpoints)`, [part])
    for (const r of rows) found.set(r.event_id, { outcome: r.outcome, leafIndex: Number(r.leaf_index) })
  }
  return found
}

async function outboxIds (sql: Stack['gatewaySql']): Promise<string[]> {
  const { rows } = await sql.query<{ event_id: string }>("SELECT event_id FROM outbox WHERE topic = 'audit'")
  return rows.map((r) => r.event_id)
}

export async function checkEvidence (stack: Stack, claims: EvidenceClaim[], options: { waitMs: number, sample: number }): Promise<EvidenceResult> {
  const byId = new Map<string, EvidenceClaim>()
  for (const c of claims) if (!byId.has(c.eventId)) byId.set(c.eventId, c)
  const ids = [...byId.keys()]
  const claimCount = claims.length
  const duplicates = ids.map((id) => ({ id, same: claims.filter((c) => c.eventId === id) })).filter((x) => x.same.length > 1)

  // (1) In the gateway's outbox, with the outcome answered.
  const outbox = new Map<string, string>()
  for (const part of chunks(ids)) {
    // Parsed here, not by PostgreSQL: a payload may hold what its JSON parser refuses (an unpaired surrogate).
    const { rows } = await stack.gatewaySql.query<{ event_id: string, payload: string }>(
      "SELECT event_id, payload FROM outbox WHERE topic = 'audit' AND event_id = ANY($1::text[])", [part])
    for (const r of rows) outbox.set(r.event_id, String((JSON.parse(r.payload) as { outcome?: unknown }).outcome))
  }
  const missingFromOutbox = ids.filter((id) => !outbox.has(id))

  // (2) In the log, under a checkpoint: wait for the pipeline (outbox → Kafka → store → tree → checkpoint).
  const started = Date.now()
  let found = new Map<string, { outcome: string, leafIndex: number }>()
  let gatewayOutbox: string[] = []
  let ledgerOutbox: string[] = []
  let outboxFound = new Map<string, { outcome: string, leafIndex: number }>()
  for (;;) {
    found = await inLog(stack, ids)
    gatewayOutbox = await outboxIds(stack.gatewaySql)
    ledgerOutbox = await outboxIds(stack.ledgerSql)
    outboxFound = await inLog(stack, [...gatewayOutbox, ...ledgerOutbox])
    const done = found.size === ids.filter((id) => UUID.test(id)).length && outboxFound.size === gatewayOutbox.length + ledgerOutbox.length
    if (done || Date.now() - started > options.waitMs) break
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  const waitedMs = Date.now() - started

  const { rows: [rejectedRow] } = await stack.auditSql.query<{ n: number }>('SELECT count(*)::int AS n FROM rejected_messages')
  const missingFromLog: EvidenceResult['missingFromLog'] = []
  for (const id of ids.filter((x) => !found.has(x))) {
    const claim = byId.get(id)!
    const { rows } = UUID.test(id)
      ? await stack.auditSql.query<{ n: number }>("SELECT count(*)::int AS n FROM rejected_messages WHERE position(convert_to($1, 'UTF8') in coalesce(value, ''::bytea)) > 0", [id])
      : { rows: [{ n: 0 }] }
    missingFromLog.push({ eventId: id, outcome: claim.outcome, kind: claim.kind, inOutbox: outbox.has(id), rejectedByStore: (rows[0]?.n ?? 0) > 0 })
  }
  const outcomeMismatch = ids.filter((id) => found.has(id) && found.get(id)!.outcome !== byId.get(id)!.outcome)
    .map((id) => ({ eventId: id, answered: byId.get(id)!.outcome, logged: found.get(id)!.outcome }))

  const tally = (pred: (c: EvidenceClaim) => boolean): Tally => {
    const mine = ids.filter((id) => pred(byId.get(id)!))
    const checked = mine.filter((id) => found.has(id) && outbox.has(id)).length
    return { answered: mine.length, checked, missing: mine.length - checked }
  }

  // A sample through the API, the proof checked independently against the signed root.
  const supervisor = byName('supervisor-ap').authorization!
  const permits = ids.filter((id) => byId.get(id)!.outcome === 'permit' && found.has(id))
  const rest = ids.filter((id) => byId.get(id)!.outcome !== 'permit' && found.has(id))
  const step = (list: string[], n: number) => list.filter((_, i) => i % Math.max(1, Math.floor(list.length / n)) === 0).slice(0, n)
  const sample = [...step(permits, Math.ceil(options.sample * 0.6)), ...step(rest, Math.floor(options.sample * 0.4))]
  const proofFailures: string[] = []
  for (const id of sample) {
    const res = await stack.audit.inject({ url: `/v1/audit/events/${id}`, headers: { authorization: supervisor } })
    if (res.statusCode !== 200) { proofFailures.push(`${id}: GET answered ${res.statusCode}`); continue }
    const body = res.json() as { event: { eventId: string }, leafHash: string, leafIndex: number, treeSize: number, rootHash: string, inclusionProof: string[] }
    const leaf = leafOf(body.event)
    if (leaf.toString('base64') !== body.leafHash) proofFailures.push(`${id}: the leaf hash is not SHA-256(0x00 ‖ JCS(event))`)
    const proof = body.inclusionProof.map((p) => Buffer.from(p, 'base64'))
    if (!inclusionOk(leaf, body.leafIndex, body.treeSize, proof, Buffer.from(body.rootHash, 'base64'))) proofFailures.push(`${id}: the inclusion proof does not lead to the root`)
    const { rows } = await stack.auditSql.query<{ root_hash: Buffer }>('SELECT root_hash FROM checkpoints WHERE tree_size = $1', [body.treeSize])
    if (rows.length === 1 && rows[0]!.root_hash.toString('base64') !== body.rootHash) proofFailures.push(`${id}: the root differs from the signed checkpoint's`)
  }

  // From the answer (outbox row) to the first checkpoint covering the event; and the producer's own proof.
  const delays: number[] = []
  let proven = 0
  // Figures only: a store without these columns (an older schema) gives none, and no failure.
  try {
    for (const part of chunks(ids.filter((id) => found.has(id)))) {
      const { rows: made } = await stack.gatewaySql.query<{ event_id: string, created_at: Date, proven_at: Date | null }>(
        'SELECT event_id, created_at, proven_at FROM outbox WHERE event_id = ANY($1::text[])', [part])
      const { rows: covered } = await stack.auditSql.query<{ event_id: string, covered_at: Date }>(
      `SELECT e.event_id::text, (SELECT min(c.signed_at) FROM checkpoints c WHERE c.tree_size > e.leaf_index) AS covered_at
         FROM audit_events e WHERE e.event_id = ANY($1::uuid[])`, [part])
      const coveredAt = new Map(covered.map((r) => [r.event_id, r.covered_at]))
      for (const r of made) {
        if (r.proven_at !== null) proven++
        const c = coveredAt.get(r.event_id)
        if (c) delays.push(c.getTime() - r.created_at.getTime())
      }
    }
  } catch { proven = -1 }
  delays.sort((a, b) => a - b)

  return {
    claims: claimCount,
    claimsAfterwards: claims.length,
    duplicateIds: claimCount - ids.length,
    duplicates: duplicates.slice(0, 5)
      .map((x) => ({ eventId: x.id, answers: x.same.map((c) => `${c.op} ${c.status} ${c.outcome} [${c.kind}] requestId ${c.requestId}`) })),
    permits: tally((c) => c.outcome === 'permit'),
    denies: tally((c) => c.outcome === 'deny'),
    others: tally((c) => c.outcome !== 'permit' && c.outcome !== 'deny'),
    missingFromOutbox,
    missingFromLog,
    outcomeMismatch,
    outboxNotInLog: {
      gateway: gatewayOutbox.filter((id) => !outboxFound.has(id)).length,
      ledger: ledgerOutbox.filter((id) => !outboxFound.has(id)).length
    },
    outboxSizes: { gateway: gatewayOutbox.length, ledger: ledgerOutbox.length },
    rejected: rejectedRow?.n ?? 0,
    sampled: sample.length,
    proofFailures,
    waitedMs,
    answerToCheckpointMs: delays.length > 0 ? { p50: percentile(delays, 0.5), p99: percentile(delays, 0.99), max: delays.at(-1)! } : null,
    producerProven: { proven, of: ids.length }
  }
}
