// What a partner's `data` may become before it leaves the gateway. Two steps, both obligations:
// the answer must validate against its category schema (the contract with partners; an answer
// outside it is an error, never passed on), and only the fields the decision released go out,
// whatever else the partner sent. ajv's `removeAdditional: 'all'` also strips unknown properties
// inside the released fields (e.g. an extra key inside `contactPerson`).
import { categorySchemas, createWamsAjv, type CategoryName } from '@wams/schemas'
import type { ValidateFunction } from 'ajv'

export type MinimiseResult =
  | { valid: true, data: Record<string, unknown>, released: string[] }
  | { valid: false, errors: string[] }

const ajv = createWamsAjv({ removeAdditional: 'all', allErrors: true })
const validators = new Map<string, ValidateFunction>(
  Object.entries(categorySchemas).map(([name, schema]) => [name, ajv.compile(schema)])
)

/**
 * Validates `data` (a freshly parsed partner answer: it is modified in place) for `category` and
 * returns a new object holding only `releaseFields` that the partner supplied.
 */
export function validateAndMinimise (category: CategoryName | string, data: unknown, releaseFields: readonly string[]): MinimiseResult {
  const validate = validators.get(category)
  if (validate === undefined) return { valid: false, errors: [`unknown category ${category}`] }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { valid: false, errors: ['/ must be an object'] }
  if (!validate(data)) {
    // Paths and keywords only: an error message could quote the personal data that failed.
    return { valid: false, errors: (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.keyword}`) }
  }
  const source = data as Record<string, unknown>
  const out: Record<string, unknown> = {}
  const released: string[] = []
  for (const field of releaseFields) {
    if (Object.hasOwn(source, field) && source[field] !== undefined) {
      out[field] = source[field]
      released.push(field)
    }
  }
  return { valid: true, data: out, released }
}
