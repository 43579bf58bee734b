// PostgreSQL: one pool per service, the service's own database, migrations at start.
import pg from 'pg'
import Postgrator from 'postgrator'

export type Pool = pg.Pool
export type PoolClient = pg.PoolClient

export const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres'

/** The default URL of a service's database on the local server: no configuration needed. */
export function defaultDatabaseUrl (service: string, server = process.env.WAMS_POSTGRES_SERVER ?? LOCAL_POSTGRES): string {
  const url = new URL(server)
  url.pathname = `/wams_${service.replace(/-/g, '_')}`
  return url.toString()
}

/** Creates the database of `url` on its server when it does not exist yet (dev and tests). */
export async function ensureDatabase (url: string): Promise<void> {
  const target = new URL(url)
  const name = decodeURIComponent(target.pathname.slice(1))
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`database name must be [a-z0-9_]+, got ${JSON.stringify(name)}`)
  const admin = new URL(url)
  admin.pathname = '/postgres'
  const client = new pg.Client({ connectionString: admin.toString() })
  await client.connect()
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${name}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04' && err.code !== '23505') throw err // created concurrently: fine
      })
    }
  } finally {
    await client.end()
  }
}

export async function dropDatabase (url: string): Promise<void> {
  const target = new URL(url)
  const name = decodeURIComponent(target.pathname.slice(1))
  const admin = new URL(url)
  admin.pathname = '/postgres'
  const client = new pg.Client({ connectionString: admin.toString() })
  await client.connect()
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  } finally {
    await client.end()
  }
}

export function createPool (url: string, max: number): Pool {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30000, connectionTimeoutMillis: 5000 })
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {})
  // A client can also lose its connection between being handed out and its first query (the
  // server's FATAL in the same read as "ready", e.g. pg_terminate_backend); the pool's own listener
  // is gone by then. Its next query fails and is handled where it is made; the event must not
  // become an uncaught exception that takes the process down.
  pool.on('connect', (client) => { client.on('error', () => {}) })
  return pool
}

const MIGRATION_LOCK = 7_246_771 // advisory lock id: instances starting together migrate one at a time

/** Runs the versioned migrations in `dir` (files `NNN.do.<name>.sql`), one instance at a time. */
export async function migrate (pool: Pool, dir: string): Promise<string> {
  const client = await pool.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    const database = (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db
    const postgrator = new Postgrator({
      migrationPattern: `${dir}/*`,
      driver: 'pg',
      database,
      schemaTable: 'schema_migrations',
      execQuery: (query: string) => client.query(query)
    })
    const applied = await postgrator.migrate()
    return String(applied.at(-1)?.version ?? await postgrator.getDatabaseVersion())
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {})
    client.release()
  }
}

/** Runs `fn` in one transaction; rolls back on any error. */
export async function inTransaction<T> (pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}
