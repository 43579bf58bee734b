// "Types flow from the JSON Schemas": the committed generated types must be what the
// generator makes from the schemas now. On failure run `npm run schemas:types`.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { generateSchemaTypes, generatedTypesPath } from '../../scripts/schema-types.ts'

t.test('schemas/types.generated.ts matches the schemas', async (t) => {
  const committed = await readFile(generatedTypesPath, 'utf8')
  const fresh = await generateSchemaTypes()
  t.ok(committed === fresh, 'schemas/types.generated.ts is stale: run `npm run schemas:types`')
})
