// Configurable faults per partner (DEMO_FAULTS), so the gateway's error paths can be tested against
// a real HTTP partner: a slow one, one that fails, one that answers outside its schema, and one that
// adds fields the contract does not name. (A partner that is down is a baseUrl nobody listens on.)
import { Ajv2020 } from 'ajv/dist/2020.js'

export interface PartnerFault {
  /** Wait this long before answering. */
  delayMs?: number
  /** Answer 200 with data that violates the category schema (wrong types and formats). */
  invalid?: boolean
  /** Fail with this status (problem+json) instead of answering. */
  status?: 500 | 503
  /** Add fields the category schema does not name, at the top level and in nested objects. */
  extraFields?: boolean
}

export type PartnerFaults = Readonly<Record<string, PartnerFault>>

const faultsSchema = {
  type: 'object',
  propertyNames: { pattern: '^[0-9]{20}$' },
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    properties: {
      delayMs: { type: 'integer', minimum: 0, maximum: 600000 },
      invalid: { type: 'boolean' },
      status: { enum: [500, 503] },
      extraFields: { type: 'boolean' }
    }
  }
} as const

const validate = new Ajv2020({ allErrors: true }).compile<Record<string, PartnerFault>>(faultsSchema)

/** Checks a faults object (from DEMO_FAULTS or a test); throws naming every problem. */
export function checkFaults (value: unknown): PartnerFaults {
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
    throw new Error(`is invalid: ${problems.join('; ')}`)
  }
  return value
}

export function parseFaults (json: string): PartnerFaults {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    throw new Error('is not valid JSON')
  }
  return checkFaults(value)
}

/**
 * What a careless legacy system might send: Dutch date notation, numbers as text with a decimal
 * comma, "ja"/"nee" for booleans, free text where a list or object belongs. Every field changes,
 * so the record can never validate against its category schema.
 */
export function outsideSchema (data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).map(([field, value]) => [field, wrongValue(value)]))
}

function wrongValue (value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 'ja' : 'nee'
  if (typeof value === 'number') return String(value).replace('.', ',')
  if (typeof value === 'string') {
    const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
    return date ? `${date[3]}-${date[2]}-${date[1]}` : 1
  }
  return 'zie dossier'
}

/** Fields outside the contract, nested too: the gateway must drop all of them. */
export function withExtraFields (data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const nested = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(nested)
    if (value !== null && typeof value === 'object') {
      return { ...Object.fromEntries(Object.entries(value).map(([k, v]) => [k, nested(v)])), internalId: 'REC-0042-X' }
    }
    return value
  }
  return {
    ...(nested(data) as Record<string, unknown>),
    internalNote: 'Niet verstrekken: werkaantekening van de behandelaar',
    lastModifiedBy: 'mdekker',
    recordStatus: 'actief'
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (the app is closing). */
export function delay (ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done () {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
