import { Ajv2020, type Options } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import commonSchema from './common.schema.json' with { type: 'json' }

/** Levels of a category field (SPEC section 4): `signal` is enough to investigate, `detail` is needed to act together. */
export const FIELD_LEVELS = ['signal', 'detail'] as const
export const SENSITIVITIES = ['ordinary', 'special', 'criminal'] as const
/** A category's domain: a problem domain, or `own` for `involvement` (the provider's own domain). */
export const CATEGORY_DOMAINS = [...commonSchema.$defs.domain.enum, 'own'] as const

/**
 * An ajv (JSON Schema 2020-12) that knows the Wams schemas: formats, the shared
 * vocabulary (common.schema.json) and the category annotations, whose values are
 * checked when a schema is compiled, so a typo in an annotation cannot hide.
 */
export function createWamsAjv (options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, ...options })
  addFormats.default(ajv)
  ajv.addKeyword({ keyword: 'x-level', schemaType: 'string', metaSchema: { enum: FIELD_LEVELS } })
  ajv.addKeyword({ keyword: 'x-sensitivity', schemaType: 'string', metaSchema: { enum: SENSITIVITIES } })
  ajv.addKeyword({ keyword: 'x-domain', schemaType: 'string', metaSchema: { enum: CATEGORY_DOMAINS } })
  ajv.addSchema(commonSchema)
  return ajv
}
