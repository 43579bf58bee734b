// Versioned migrations on real PostgreSQL: applied once, recorded, idempotent, and safe when
// several instances start at the same moment.
import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { OUTBOX_MIGRATIONS, createPool, migrate } from '@wams/platform'
import { freshDatabase } from '../support/infra.ts'

t.test('migrations apply in order, once, also when instances race', async (t) => {
  const db = await freshDatabase('migrations')
  const dir = mkdtempSync(join(tmpdir(), 'wams-migrations-'))
  writeFileSync(join(dir, '010.do.things.sql'), 'CREATE TABLE things (id int PRIMARY KEY);')
  writeFileSync(join(dir, '011.do.more.sql'), 'ALTER TABLE things ADD COLUMN name text NOT NULL DEFAULT \'\';')
  const pools = [createPool(db.url, 2), createPool(db.url, 2), createPool(db.url, 2)]
  t.teardown(async () => { for (const p of pools) await p.end(); await db.drop() })

  const versions = await Promise.all(pools.map((p) => migrate(p, `{${OUTBOX_MIGRATIONS},${dir}}`)))
  t.same(versions, ['11', '11', '11'], 'every instance ends at the latest version')
  const { rows } = await pools[0]!.query('SELECT version FROM schema_migrations WHERE version > 0 ORDER BY version')
  t.same(rows.map((r) => Number(r.version)), [1, 2, 10, 11], 'each migration recorded once')
  await pools[0]!.query('INSERT INTO things (id, name) VALUES (1, \'x\')')
  t.equal(await migrate(pools[1]!, `{${OUTBOX_MIGRATIONS},${dir}}`), '11', 'a restart changes nothing')
  const count = await pools[0]!.query('SELECT count(*)::int AS n FROM things')
  t.equal(count.rows[0].n, 1, 'data survives a restart')
})

t.test('a failing migration stops the start and leaves the previous version', async (t) => {
  const db = await freshDatabase('migrations_bad')
  const dir = mkdtempSync(join(tmpdir(), 'wams-migrations-'))
  writeFileSync(join(dir, '010.do.ok.sql'), 'CREATE TABLE ok (id int);')
  writeFileSync(join(dir, '011.do.bad.sql'), 'CREATE TABLE broken (id nosuchtype);')
  const pool = createPool(db.url, 2)
  t.teardown(async () => { await pool.end(); await db.drop() })
  await t.rejects(migrate(pool, dir), /nosuchtype/)
  const { rows } = await pool.query('SELECT max(version)::int AS v FROM schema_migrations')
  t.equal(rows[0].v, 10)
})
