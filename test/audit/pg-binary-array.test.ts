// The store's binary array parameters, round-tripped through PostgreSQL: what goes in comes back,
// NULLs and non-ASCII text included, and a value the array cannot hold is a data exception (class
// 22), which the store turns into a rejected message instead of retrying the batch forever.
import t from 'tap'
import { createPool } from '@wams/platform'
import { byteaArray, int2Array, int4Array, int8Array, jsonbArray, textArray, uuidArray } from '../../services/audit/src/pg-binary-array.ts'
import { freshDatabase } from '../support/infra.ts'

const db = await freshDatabase('binarray')
const pool = createPool(db.url, 1)
t.teardown(async () => { await pool.end(); await db.drop() })

t.test('each array type comes back as it was sent', async (t) => {
  const texts = ['plain', null, 'é € 😀 "quoted" \\ back', '', 'a,b{c}']
  const { rows } = await pool.query(
    'SELECT $1::text[] AS texts, $2::uuid[]::text[] AS uuids, $3::int[] AS ints, $4::bigint[]::text[] AS bigs, $5::bytea[] AS bytes, $6::jsonb[] AS docs, $7::smallint[] AS levels',
    [textArray(texts), uuidArray(['0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b']), int4Array([0, -1, 2147483647]),
      int8Array(['0', '9007199254740993', -5]), byteaArray([Buffer.from([0, 255, 1])]), jsonbArray([Buffer.from('{"b":1,"a":"é"}')]),
      int2Array([0, 63, -1])])
  t.same(rows[0].texts, texts)
  t.same(rows[0].uuids, ['0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b'])
  t.same(rows[0].ints, [0, -1, 2147483647])
  t.same(rows[0].bigs, ['0', '9007199254740993', '-5'], 'a Kafka offset beyond 2^53 keeps every digit')
  t.same(rows[0].bytes, [Buffer.from([0, 255, 1])])
  t.same(rows[0].docs, [{ a: 'é', b: 1 }])
  t.same(rows[0].levels, [0, 63, -1])
})

t.test('an empty array is an empty array', async (t) => {
  const { rows } = await pool.query('SELECT cardinality($1::text[]) AS n, cardinality($2::uuid[]) AS m', [textArray([]), uuidArray([])])
  t.same(rows[0], { n: 0, m: 0 })
})

t.test('a value the array cannot hold is a data exception, as PostgreSQL would raise', async (t) => {
  for (const bad of ['urn:uuid:0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b', '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7', 'zz90a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b']) {
    t.throws(() => uuidArray([bad]), { code: '22P02' }, bad)
  }
  t.throws(() => textArray(['a', 42 as unknown as string]), { code: '22P02' }, 'a number where text belongs')
})
