// Real infrastructure for tests: a fresh PostgreSQL database and a fresh Kafka topic prefix per
// test file, on the local server and the broker that `npm test` started. Nothing is faked.
import { randomBytes } from 'node:crypto'
import { dropDatabase, ensureDatabase, LOCAL_POSTGRES } from '@wams/platform'

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
  return { url: url.toString(), drop: () => dropDatabase(url.toString()) }
}

export function freshTopicPrefix (label: string): string {
  return `t.${uniqueName(label)}.`
}
