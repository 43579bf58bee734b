// Without a PostgreSQL server, `npm start` and `npm test` run an embedded one from npm: it starts
// under the project's .data folder, takes the service migrations, and stops without a trace.
import t from 'tap'
import { chmodSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OUTBOX_MIGRATIONS, createPool, defaultDatabaseUrl, ensureDatabase, migrate } from '@wams/platform'
import { resolvePostgres } from '../../scripts/lib/postgres.ts'

t.test('embedded PostgreSQL: start, migrate, stop', { timeout: 120000 }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'wams-embedded-'))
  chmodSync(root, 0o755) // initdb runs as the postgres user, which must reach the data folder
  process.env.WAMS_POSTGRES = 'embedded'
  process.env.EMBEDDED_POSTGRES_PORT = '5439'
  delete process.env.DATABASE_URL
  const lines: string[] = []
  const server = await resolvePostgres(root, (line) => lines.push(line))
  t.teardown(() => server.stop())
  t.equal(server.kind, 'embedded')
  t.match(lines.join('\n'), /embedded PostgreSQL under .*\.data\/postgres/)
  const url = defaultDatabaseUrl('consent-ledger', server.url)
  await ensureDatabase(url)
  const pool = createPool(url, 2)
  t.equal(await migrate(pool, OUTBOX_MIGRATIONS), '2', 'the platform migrations (outbox, evidence) applied')
  const { rows } = await pool.query<{ v: string }>('SELECT current_setting(\'server_version_num\') AS v')
  t.ok(Number(rows[0]!.v) >= 150000, `PostgreSQL ${rows[0]!.v}`)
  await pool.end()
  await server.stop()
  const after = createPool(url, 1)
  await t.rejects(after.query('SELECT 1'), 'stopped: nothing answers any more')
  await after.end()
})
