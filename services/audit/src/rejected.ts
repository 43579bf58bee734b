// Messages on the audit topic the store could not hold. They are never dropped silently: each is
// kept (bytes, never logged) in rejected_messages, counted, shown to the supervisor without its
// content, and while any exist the service's readiness reports "degraded". The producer of such an
// event never gets a receipt for it, publishes it again and then raises its own alarm.
import type { Pool } from '@wams/platform'

export interface RejectedSummary {
  count: number
  messages: Array<{ id: number, topic: string, partition: number, offset: string, receivedAt: string, problems: string[] }>
}

export async function rejectedMessages (pool: Pool, limit = 100): Promise<RejectedSummary> {
  const [{ rows: total }, { rows }] = await Promise.all([
    pool.query<{ n: number }>('SELECT count(*)::int AS n FROM rejected_messages'),
    pool.query<{ id: string, kafka_topic: string, kafka_partition: number, kafka_offset: string, received_at: Date, problems: string[] }>(
      'SELECT id, kafka_topic, kafka_partition, kafka_offset, received_at, problems FROM rejected_messages ORDER BY id DESC LIMIT $1', [limit])
  ])
  return {
    count: total[0]!.n,
    messages: rows.map((r) => ({
      id: Number(r.id),
      topic: r.kafka_topic,
      partition: r.kafka_partition,
      offset: String(r.kafka_offset),
      receivedAt: r.received_at.toISOString(),
      problems: r.problems
    }))
  }
}
