// The README's configuration table is generated from the config schemas; this fails when one
// changes without the other (regenerate with `node --import tsx scripts/config-table.ts`).
import t from 'tap'
import { readFileSync } from 'node:fs'
import { configTable } from '../../scripts/config-table.ts'

t.test('the README configuration table matches the config schemas', async (t) => {
  const readme = readFileSync('README.md', 'utf8')
  const table = configTable()
  t.ok(readme.includes(table), 'README.md holds the current table')
  for (const line of table.split('\n').slice(2)) {
    const name = /^\| `([A-Z_0-9]+)`/.exec(line)?.[1]
    t.ok(name && readme.includes(line), `${name} documented with its default and meaning`)
  }
})

t.test('the README names the two commands', async (t) => {
  const readme = readFileSync('README.md', 'utf8')
  t.match(readme, /npm start/)
  t.match(readme, /npm test/)
})
