// What each party type may do (SPEC section 3), as one table of data beside the register: an
// allow-list, read by all three services and part of the gateway's policyVersion. A capability the
// table does not grant is not held, and a party type the table does not decide cannot be used:
// - at compile time, the shipped table must have an entry for every PartyType (the type generated
//   from common.schema.json) with every capability of PartyTypeCapabilities (generated from
//   schemas/party-type-capabilities.schema.json), or `npm run typecheck` fails below;
// - at start, the loader refuses a table that leaves a party type of the vocabulary out, an entry
//   that does not decide every capability (the schema requires all, with no defaults), and a
//   register that lists a party of a type the table does not decide (party-register.ts).
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import commonSchema from '@wams/schemas/common.schema.json' with { type: 'json' }
import capabilitiesSchema from '@wams/schemas/party-type-capabilities.schema.json' with { type: 'json' }
import shippedTable from '@wams/schemas/party-type-capabilities.json' with { type: 'json' }
import type { Domain, PartyType, PartyTypeCapabilities } from '@wams/schemas'
import { deepFreeze } from './deep-freeze.ts'

export type { PartyTypeCapabilities }

/** The table with an entry for every party type: what the services read. */
export interface CapabilityTable {
  readonly version: string
  readonly partyTypes: Readonly<Record<PartyType, Readonly<PartyTypeCapabilities>>>
}

/** The yes/no capabilities (all but `domains`). */
export type Capability = { [K in keyof PartyTypeCapabilities]: PartyTypeCapabilities[K] extends boolean ? K : never }[keyof PartyTypeCapabilities]

export const CAPABILITIES: readonly Capability[] = Object.freeze(['mayOwnCases', 'mayParticipate', 'mayReceiveSpecial', 'mayReceiveCriminal', 'supervises'])

/** Every party type of the vocabulary (common.schema.json): each must be decided. */
export const PARTY_TYPES: readonly PartyType[] = Object.freeze(commonSchema.$defs.partyType.enum as PartyType[])

// The compile-time half of the allow-list: a party type added to the vocabulary without an entry
// in the shipped table, or an entry without one of the capabilities, does not type-check.
shippedTable.partyTypes satisfies Record<PartyType, Record<keyof PartyTypeCapabilities, unknown>>

/** The table file of the repository; PARTY_TYPE_CAPABILITIES_FILE overrides it. */
export const DEFAULT_CAPABILITIES_FILE = fileURLToPath(new URL('../../../schemas/party-type-capabilities.json', import.meta.url))

export interface PartyTypeCapabilityIndex {
  readonly version: string
  /** The whole table, frozen (for GET /v1/policy and the policyVersion). */
  readonly table: CapabilityTable
  /** The capabilities of a party type; undefined for a string that is no decided party type. */
  of: (partyType: string | null | undefined) => Readonly<PartyTypeCapabilities> | undefined
  /** Whether the table grants the party type the capability; false for anything it does not decide. */
  grants: (partyType: string | null | undefined, capability: Capability) => boolean
  /** The party types that work in a problem domain, in table order. */
  workingIn: (domain: Domain | string) => readonly PartyType[]
}

export class PartyTypeCapabilitiesError extends Error {
  constructor (readonly file: string, readonly problems: string[]) {
    super(`party-type capability table ${file} is invalid: ${problems.join('; ')}`)
  }
}

const ajv = new Ajv2020({ allErrors: true, strict: false })
addFormats.default(ajv)
ajv.addSchema(commonSchema)
const validate = ajv.compile(capabilitiesSchema)

/**
 * Validates a parsed table and indexes it; throws PartyTypeCapabilitiesError with every problem.
 * `partyTypes` is the vocabulary that must be decided (default: every PartyType).
 */
export function indexPartyTypeCapabilities (data: unknown, source = '(inline)', partyTypes: readonly string[] = PARTY_TYPES): PartyTypeCapabilityIndex {
  if (!validate(data)) {
    throw new PartyTypeCapabilitiesError(source, (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`))
  }
  const table = deepFreeze(structuredClone(data)) as unknown as CapabilityTable
  const decided = table.partyTypes as Readonly<Record<string, Readonly<PartyTypeCapabilities>>>
  const undecided = partyTypes.filter((type) => !Object.hasOwn(decided, type))
  if (undecided.length > 0) {
    throw new PartyTypeCapabilitiesError(source, undecided.map((type) => `party type ${type} has no capabilities decided`))
  }
  const byDomain = new Map<string, PartyType[]>()
  for (const [type, capabilities] of Object.entries(decided)) {
    for (const domain of capabilities.domains) {
      const list = byDomain.get(domain) ?? []
      list.push(type as PartyType)
      byDomain.set(domain, list)
    }
  }
  const of = (partyType: string | null | undefined) =>
    typeof partyType === 'string' && Object.hasOwn(decided, partyType) ? decided[partyType] : undefined
  return {
    version: table.version,
    table,
    of,
    grants: (partyType, capability) => of(partyType)?.[capability] === true,
    workingIn: (domain) => Object.freeze([...(byDomain.get(domain) ?? [])])
  }
}

/** Reads and validates the table: `file`, else PARTY_TYPE_CAPABILITIES_FILE, else schemas/party-type-capabilities.json. */
export function loadPartyTypeCapabilities (file?: string): PartyTypeCapabilityIndex {
  const path = file ?? process.env.PARTY_TYPE_CAPABILITIES_FILE ?? DEFAULT_CAPABILITIES_FILE
  let data: unknown
  try {
    data = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new PartyTypeCapabilitiesError(path, [(err as Error).message])
  }
  return indexPartyTypeCapabilities(data, path)
}

let shipped: PartyTypeCapabilityIndex | undefined

/** The table of the repository (schemas/party-type-capabilities.json), validated once. */
export function shippedPartyTypeCapabilities (): PartyTypeCapabilityIndex {
  shipped ??= indexPartyTypeCapabilities(shippedTable, DEFAULT_CAPABILITIES_FILE)
  return shipped
}
