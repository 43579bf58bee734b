// The operations of an OpenAPI document as the fuzzer uses them: method, path template, the
// parameters (path, query, header) and the JSON body schema, whether a bearer token is needed,
// and the documented answers (status → response schema).
import type { Schema } from './schema-arbitrary.ts'
import { resolve } from './schema-arbitrary.ts'

export type ServiceName = 'gateway' | 'ledger' | 'audit'

export interface Parameter { in: 'path' | 'query' | 'header', name: string, required: boolean, schema: Schema }

export interface Operation {
  service: ServiceName
  /** e.g. "POST /v1/cases/{caseId}/data-requests" */
  id: string
  method: string
  path: string
  params: Parameter[]
  body: Schema | null
  secured: boolean
  /** Documented statuses, with the JSON schema of the answer where there is one. */
  responses: Map<number, Schema | null>
  /** Documented media types per status (application/json, application/x-ndjson, text/event-stream…). */
  mediaTypes: Map<number, string[]>
}

export interface OpenApiDocument {
  openapi: string
  servers?: Array<{ url: string }>
  paths: Record<string, Record<string, {
    parameters?: Array<{ in: string, name: string, required?: boolean, schema?: Schema }>
    requestBody?: { content?: Record<string, { schema?: Schema }> }
    security?: unknown[]
    responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>
  }>>
  components?: { schemas?: Record<string, Schema> }
}

export function operationsOf (service: ServiceName, doc: OpenApiDocument): Operation[] {
  const ops: Operation[] = []
  // Paths are relative to the (first) server; a relative server URL such as "/v1" is their prefix.
  const server = doc.servers?.[0]?.url ?? ''
  const base = server.startsWith('/') ? server.replace(/\/$/, '') : server === '' ? '' : new URL(server).pathname.replace(/\/$/, '')
  for (const [relative, methods] of Object.entries(doc.paths)) {
    const path = relative.startsWith(`${base}/`) ? relative : `${base}${relative}`
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? [])
        .filter((p) => p.in === 'path' || p.in === 'query' || p.in === 'header')
        .map((p): Parameter => ({ in: p.in as Parameter['in'], name: p.name, required: p.required === true, schema: resolve(p.schema ?? {}, doc) }))
      const bodySchema = op.requestBody?.content?.['application/json']?.schema
      const responses = new Map<number, Schema | null>()
      const mediaTypes = new Map<number, string[]>()
      for (const [status, r] of Object.entries(op.responses ?? {})) {
        const schema = r.content?.['application/json']?.schema ?? r.content?.['application/problem+json']?.schema
        responses.set(Number(status), schema ? inline(schema, doc) : null)
        mediaTypes.set(Number(status), Object.keys(r.content ?? {}))
      }
      ops.push({
        service,
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        params,
        body: bodySchema ? inline(bodySchema, doc) : null,
        secured: Array.isArray(op.security) && op.security.length > 0,
        responses,
        mediaTypes
      })
    }
  }
  return ops
}

/** The schema with every $ref replaced by what it points at (the documents have no cycles). */
function inline (schema: Schema, doc: OpenApiDocument, depth = 0): Schema {
  if (depth > 20) return schema
  const s = resolve(schema, doc)
  const out: Schema = { ...s }
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, inline(v, doc, depth + 1)]))
  if (s.items) out.items = inline(s.items, doc, depth + 1)
  if (typeof s.additionalProperties === 'object') out.additionalProperties = inline(s.additionalProperties, doc, depth + 1)
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) if (s[key]) out[key] = s[key]!.map((x) => inline(x, doc, depth + 1))
  return out
}
