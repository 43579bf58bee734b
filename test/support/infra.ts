// Real infrastructure for tests: a fresh PostgreSQL database and a fresh Kafka topic prefix per
// test file, on the local server and the broker that `npm test` started. Nothing is faked.
import { randomBytes, randomUUID } from 'node:crypto'
import pg from 'pg'
import { dropDatabase, ensureDatabase, LOCAL_POSTGRES, type Broker, type ConsumedMessage } from '@wams/platform'

export const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'
export const POSTGRES_SERVER = process.env.WAMS_POSTGRES_SERVER ?? LOCAL_POSTGRES

export function uniqueName (label: string): string {
  return `${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(5).toString('hex')}`
}

/** A new, empty database on the test server; dropped by the returned cleanup. */
export async function freshDatabase (label: string): Promise<{ url: string, drop: () => Promise<void> }> {
  const url = new URL(POSTGRES_SERVER)
  url.pathname = `/t_${uniqueName(label)}`
  await ensureDatabase(url.toString())
  return { url: url.toString(), drop: async () => { await settled(url.toString()); await dropDatabase(url.toString()) } }
}

/**
 * Waits until the server has closed every connection to the database. A pool's end() resolves
 * before the server saw the last connection go; DROP DATABASE … WITH (FORCE) would then kill it,
 * and the dying client raises an error nobody listens to any more.
 */
async function settled (url: string): Promise<void> {
  const admin = new URL(url)
  const name = admin.pathname.slice(1)
  admin.pathname = '/postgres'
  const client = new pg.Client({ connectionString: admin.toString() })
  await client.connect()
  try {
    for (let i = 0; i < 100; i++) {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name])
      if (rows[0]!.n === 0) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  } finally {
    await client.end()
  }
}

export function freshTopicPrefix (label: string): string {
  return `t.${uniqueName(label)}.`
}

/** Consumes the audit topic from the start until `expectedDistinct` event ids arrived (or `timeoutMs` passed). */
export async function consumeAll (broker: Broker, expectedDistinct: number, timeoutMs = 30000): Promise<ConsumedMessage[]> {
  const all: ConsumedMessage[] = []
  let done!: () => void
  const finished = new Promise<void>((resolve) => { done = resolve })
  const consumer = await broker.consume({
    groupId: `g-${randomUUID()}`,
    topics: ['audit'],
    handle: async (messages) => {
      all.push(...messages)
      if (new Set(all.map((m) => m.headers['event-id'])).size >= expectedDistinct) done()
    }
  })
  const timer = setTimeout(done, timeoutMs)
  await finished
  clearTimeout(timer)
  await consumer.stop()
  return all
}
