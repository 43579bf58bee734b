// @wams/schemas: the JSON Schemas that are the contracts, and the types generated from them.
export { default as commonSchema } from './common.schema.json' with { type: 'json' }
export { default as partyRegisterSchema } from './party-register.schema.json' with { type: 'json' }
export { default as partyRegister } from './party-register.json' with { type: 'json' }
export { default as caseStateSchema } from './case-state.schema.json' with { type: 'json' }
export { categorySchemas, categoryTable, CATEGORY_NAMES } from './categories.ts'
export type { CategoryInfo, CategoryDomain, FieldLevel, Sensitivity } from './categories.ts'
export { createWamsAjv, FIELD_LEVELS, SENSITIVITIES, CATEGORY_DOMAINS } from './ajv.ts'
export type * from './types.generated.ts'
