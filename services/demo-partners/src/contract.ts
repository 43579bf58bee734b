// The category schemas are the contract with the gateway (SPEC section 4). The demo data are checked
// against them when the service starts, so a schema change that the data no longer fit stops the
// start instead of surfacing as a 502 at the gateway.
import { CATEGORY_NAMES, categorySchemas, createWamsAjv, type CategoryName } from '@wams/schemas'
import type { PartyRegisterIndex } from '@wams/platform'
import type { ValidateFunction } from 'ajv'
import { partnerAnswer } from './partner-answer.ts'
import { residents } from './residents.ts'

let validators: ReadonlyMap<CategoryName, ValidateFunction> | undefined

function validatorOf (category: CategoryName): ValidateFunction {
  validators ??= (() => {
    const ajv = createWamsAjv()
    return new Map(CATEGORY_NAMES.map((name) => [name, ajv.compile(categorySchemas[name])]))
  })()
  return validators.get(category)!
}

/** Every way `data` breaks the category's contract; empty when it fits. */
export function contractViolations (category: CategoryName, data: unknown): string[] {
  const validate = validatorOf(category)
  if (validate(data)) return []
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
}

/** Throws when any record a listed party would send does not fit its category schema. */
export function checkDemoData (register: PartyRegisterIndex): void {
  const problems: string[] = []
  for (const party of register.parties) {
    for (const category of party.categories) {
      for (const [bsn, resident] of residents) {
        const answer = partnerAnswer(party, bsn, category)
        if (answer.outcome !== 'data') continue
        // The label names the resident; a BSN never goes into a message that may be logged.
        for (const violation of contractViolations(category, answer.data)) {
          problems.push(`${party.name}, ${category}, ${resident.label}: ${violation}`)
        }
      }
    }
  }
  if (problems.length > 0) throw new Error(`demo data do not fit the category schemas: ${problems.join('; ')}`)
}
