import commonSchema from './common.schema.json' with { type: 'json' }
import involvement from './categories/involvement.schema.json' with { type: 'json' }
import identity from './categories/identity.schema.json' with { type: 'json' }
import household from './categories/household.schema.json' with { type: 'json' }
import wmoSupport from './categories/wmo-support.schema.json' with { type: 'json' }
import youthCare from './categories/youth-care.schema.json' with { type: 'json' }
import income from './categories/income.schema.json' with { type: 'json' }
import debts from './categories/debts.schema.json' with { type: 'json' }
import housing from './categories/housing.schema.json' with { type: 'json' }
import education from './categories/education.schema.json' with { type: 'json' }
import health from './categories/health.schema.json' with { type: 'json' }
import criminal from './categories/criminal.schema.json' with { type: 'json' }
import safety from './categories/safety.schema.json' with { type: 'json' }
import { CATEGORY_DOMAINS, FIELD_LEVELS, SENSITIVITIES } from './ajv.ts'
import type { CategoryName } from './types.generated.ts'

export type FieldLevel = (typeof FIELD_LEVELS)[number]
export type Sensitivity = (typeof SENSITIVITIES)[number]
export type CategoryDomain = (typeof CATEGORY_DOMAINS)[number]

/** What the rules need to know of a category; read from the annotations of its schema, the one source of truth. */
export interface CategoryInfo {
  readonly name: CategoryName;
  readonly domain: CategoryDomain;
  readonly sensitivity: Sensitivity;
  readonly signal: readonly string[];
  readonly detail: readonly string[];
}

export const CATEGORY_NAMES = commonSchema.$defs.categoryName.enum as readonly CategoryName[]

/** The JSON Schema of the partner's `data` object, per category. */
export const categorySchemas: Readonly<Record<CategoryName, Readonly<Record<string, unknown>>>> = {
  involvement,
  identity,
  household,
  'wmo-support': wmoSupport,
  'youth-care': youthCare,
  income,
  debts,
  housing,
  education,
  health,
  criminal,
  safety,
}

interface AnnotatedSchema {
  'x-domain'?: unknown;
  'x-sensitivity'?: unknown;
  properties?: Record<string, { 'x-level'?: unknown }>;
}

function oneOf<T extends string> (allowed: readonly T[], value: unknown, where: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  throw new Error(`${where}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`)
}

function readCategory (name: CategoryName): CategoryInfo {
  const schema = categorySchemas[name] as AnnotatedSchema
  const signal: string[] = []
  const detail: string[] = []
  for (const [field, property] of Object.entries(schema.properties ?? {})) {
    const level = oneOf(FIELD_LEVELS, property['x-level'], `category ${name}, field ${field}, x-level`);
    (level === 'signal' ? signal : detail).push(field)
  }
  return Object.freeze({
    name,
    domain: oneOf(CATEGORY_DOMAINS, schema['x-domain'], `category ${name}, x-domain`),
    sensitivity: oneOf(SENSITIVITIES, schema['x-sensitivity'], `category ${name}, x-sensitivity`),
    signal: Object.freeze(signal),
    detail: Object.freeze(detail),
  })
}

/** Per category: domain, sensitivity and the field names per level (SPEC section 4). */
export const categoryTable: Readonly<Record<CategoryName, CategoryInfo>> = Object.freeze(
  Object.fromEntries(CATEGORY_NAMES.map((name) => [name, readCategory(name)])) as Record<CategoryName, CategoryInfo>
)
