// Values from the JSON Schemas of an OpenAPI document: a fast-check arbitrary that produces values
// valid against a request schema (the subset the three services use: object, array, string with
// enum/pattern/format/length, integer, boolean), steered by hints so that the values also make
// sense to the service (real case ids, register OINs, demo BSNs, field names of the categories).
// And the other direction: where in a value a mutation can go, with the schema that holds there.
import fc from 'fast-check'
import { bsnArb, textArb } from './values.ts'

export type Schema = {
  type?: string | string[]
  enum?: unknown[]
  const?: unknown
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
  items?: Schema
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  default?: unknown
  $ref?: string
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  [k: string]: unknown
}

/** Per property name: a better arbitrary than the schema alone gives (valid against the schema). */
export type Hints = Record<string, (schema: Schema) => fc.Arbitrary<unknown> | null>

export function resolve (schema: Schema, root: { components?: { schemas?: Record<string, Schema> } }): Schema {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '')
    const target = root.components?.schemas?.[name]
    if (!target) throw new Error(`unresolved ${schema.$ref}`)
    return resolve(target, root)
  }
  return schema
}

const typeOf = (s: Schema): string | undefined => Array.isArray(s.type) ? s.type[0] : s.type

function stringArb (s: Schema): fc.Arbitrary<string> {
  if (s.format === 'uuid') return fc.uuid()
  if (s.format === 'bsn') return bsnArb
  if (s.format === 'date-time') {
    return fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString())
  }
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern))
  const min = s.minLength ?? 0
  const max = Math.min(s.maxLength ?? 400, 400)
  return textArb(min, max)
}

/** An arbitrary of values valid against `schema`; `name` is the property it is for (hints). */
export function arbitraryOf (schema: Schema, hints: Hints = {}, name = ''): fc.Arbitrary<unknown> {
  const hinted = name in hints ? hints[name]!(schema) : null
  if (hinted) return hinted
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (schema.enum) return fc.constantFrom(...schema.enum)
  if (schema.anyOf ?? schema.oneOf) return fc.oneof(...(schema.anyOf ?? schema.oneOf)!.map((x) => arbitraryOf(x, hints, name)))
  switch (typeOf(schema)) {
    case 'string': return stringArb(schema)
    case 'integer': return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1_000_000 })
    case 'number': return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true })
    case 'boolean': return fc.boolean()
    case 'array': {
      const item = arbitraryOf(schema.items ?? {}, hints, `${name}[]`)
      const constraints = { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 5) }
      return schema.uniqueItems ? fc.uniqueArray(item, { ...constraints, selector: (v) => JSON.stringify(v) }) : fc.array(item, constraints)
    }
    case 'object':
    case undefined: {
      if (!schema.properties) return fc.constant({})
      const required = new Set(schema.required ?? [])
      const record: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [key, sub] of Object.entries(schema.properties)) record[key] = arbitraryOf(sub, hints, key)
      // Optional properties are present or absent at random.
      return fc.record(record, { requiredKeys: [...required].filter((k) => k in record) }).map((v) => v as Record<string, unknown>)
    }
    default: return fc.anything()
  }
}

/** A place in a value: its JSON path and the schema that holds there (null: none, e.g. an extra property). */
export interface Place { path: Array<string | number>, schema: Schema | null, required: boolean }

/** Every place of `value` a mutation can go to (the value itself, each property, each item). */
export function placesOf (value: unknown, schema: Schema | null, path: Array<string | number> = [], required = true): Place[] {
  const here: Place = { path, schema, required }
  if (Array.isArray(value)) {
    return [here, ...value.flatMap((v, i) => placesOf(v, schema?.items ?? null, [...path, i], true))]
  }
  if (value !== null && typeof value === 'object') {
    const req = new Set(schema?.required ?? [])
    return [here, ...Object.entries(value).flatMap(([k, v]) => placesOf(v, schema?.properties?.[k] ?? null, [...path, k], req.has(k)))]
  }
  return [here]
}

export function getAt (value: unknown, path: Array<string | number>): unknown {
  let v = value
  for (const p of path) v = (v as Record<string | number, unknown>)?.[p]
  return v
}

/** A copy of `value` with `replace` applied at `path` (undefined removes the property). */
export function setAt (value: unknown, path: Array<string | number>, replace: (old: unknown) => unknown): unknown {
  if (path.length === 0) return replace(value)
  const [head, ...rest] = path
  if (Array.isArray(value)) {
    const copy = [...value]
    const next = setAt(copy[head as number], rest, replace)
    if (next === undefined && rest.length === 0) copy.splice(head as number, 1)
    else copy[head as number] = next
    return copy
  }
  const copy = { ...(value as Record<string, unknown>) }
  const next = setAt(copy[head as string], rest, replace)
  if (next === undefined && rest.length === 0) delete copy[head as string]
  else copy[head as string] = next
  return copy
}

/** The JSON types `schema` allows at a place (for wrong-type mutations). */
export function allowedTypes (schema: Schema | null): Set<string> {
  if (schema === null) return new Set()
  if (schema.enum) return new Set(schema.enum.map((e) => e === null ? 'null' : Array.isArray(e) ? 'array' : typeof e === 'number' && Number.isInteger(e) ? 'integer' : typeof e))
  const t = schema.type
  const types = new Set(Array.isArray(t) ? t : t ? [t] : ['object'])
  if (types.has('number')) types.add('integer')
  return types
}
