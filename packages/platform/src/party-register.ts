// The AMvB party register (SPEC section 3) as versioned data: read from a JSON file, validated
// against schemas/party-register.schema.json, indexed by OIN. The consent ledger and the gateway
// load the same file with the same code, so they agree on who is an active party of which type.
// The register comes with the party-type capability table (party-type-capabilities.ts): a register
// that lists a party of a type the table does not decide is refused, and `can(oin, capability)`
// answers from the table (an allow-list) for an active party.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import commonSchema from '@wams/schemas/common.schema.json' with { type: 'json' }
import partyRegisterSchema from '@wams/schemas/party-register.schema.json' with { type: 'json' }
import type { Party, PartyRegister, PartyType } from '@wams/schemas'
import { deepFreeze } from './deep-freeze.ts'
import {
  loadPartyTypeCapabilities, shippedPartyTypeCapabilities, type Capability, type PartyTypeCapabilityIndex
} from './party-type-capabilities.ts'

export type { Party, PartyRegister, PartyType }

/** The register file of the repository; REGISTER_FILE overrides it. */
export const DEFAULT_REGISTER_FILE = fileURLToPath(new URL('../../../schemas/party-register.json', import.meta.url))

export interface PartyRegisterIndex {
  version: string
  validFrom: string
  parties: readonly Party[]
  /** The party with this OIN, active or not. */
  get: (oin: string) => Party | undefined
  /** Listed and active: only active parties request or supply data. */
  isActive: (oin: string) => boolean
  /** The party type of an active party; null for an unknown or inactive OIN. */
  partyType: (oin: string) => PartyType | null
  /** Every listed party by OIN, active or not. */
  byOin: ReadonlyMap<string, Party>
  /** The party when it is listed and active; an inactive party neither requests nor supplies. */
  active: (oin: string) => Party | undefined
  /** Whether the listed party supplies the category. */
  supplies: (oin: string, category: string) => boolean
  /** The party-type capability table the register was loaded with. */
  capabilities: PartyTypeCapabilityIndex
  /** Whether the party is active and the capability table grants its party type the capability. */
  can: (oin: string, capability: Capability) => boolean
  /** The gemeentecode (4 digits) of an active party; null when it has none or is not active. */
  gemeentecode: (oin: string) => string | null
}

export class PartyRegisterError extends Error {
  constructor (readonly file: string, readonly problems: string[]) {
    super(`party register ${file} is invalid: ${problems.join('; ')}`)
  }
}

const ajv = new Ajv2020({ allErrors: true, strict: false })
addFormats.default(ajv)
ajv.addSchema(commonSchema)
const validate = ajv.compile<PartyRegister>(partyRegisterSchema)

/**
 * Builds the index of an already parsed register with its capability table (default: the table of
 * the repository); throws PartyRegisterError when it is invalid or uses a party type the table
 * does not decide, or when a party type that may own cases lacks a gemeentecode (residence check).
 */
export function indexPartyRegister (data: unknown, source = '(inline)', capabilities: PartyTypeCapabilityIndex = shippedPartyTypeCapabilities()): PartyRegisterIndex {
  if (!validate(data)) {
    throw new PartyRegisterError(source, (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`))
  }
  // A frozen copy: the caller's object can change later, the register in force cannot.
  const register = deepFreeze(structuredClone(data))
  const byOin = new Map<string, Party>()
  const supplied = new Map<string, ReadonlySet<string>>()
  const problems: string[] = []
  for (const party of register.parties) {
    if (byOin.has(party.oin)) problems.push(`OIN ${party.oin} is listed more than once`)
    byOin.set(party.oin, party)
    supplied.set(party.oin, new Set(party.categories))
    const decided = capabilities.of(party.partyType)
    // The allow-list: a party of a type whose capabilities nobody decided does not load.
    if (decided === undefined) problems.push(`party ${party.oin} has party type ${party.partyType}, which the capability table (version ${capabilities.version}) does not decide`)
    else if (decided.mayOwnCases && party.gemeentecode === undefined) problems.push(`party ${party.oin} may own cases (${party.partyType}) but has no gemeentecode for the residence check`)
  }
  if (problems.length > 0) throw new PartyRegisterError(source, problems)
  const active = (oin: string) => {
    const party = byOin.get(oin)
    return party?.active === true ? party : undefined
  }
  return {
    version: register.version,
    validFrom: register.validFrom,
    parties: register.parties,
    byOin,
    get: (oin) => byOin.get(oin),
    active,
    isActive: (oin) => active(oin) !== undefined,
    partyType: (oin) => active(oin)?.partyType ?? null,
    supplies: (oin, category) => supplied.get(oin)?.has(category) === true,
    capabilities,
    can: (oin, capability) => capabilities.grants(active(oin)?.partyType, capability),
    gemeentecode: (oin) => active(oin)?.gemeentecode ?? null
  }
}

/**
 * Reads and validates the register: `file`, else REGISTER_FILE, else schemas/party-register.json;
 * with the capability table `capabilitiesFile`, else PARTY_TYPE_CAPABILITIES_FILE, else
 * schemas/party-type-capabilities.json.
 */
export function loadPartyRegister (file?: string, capabilitiesFile?: string): PartyRegisterIndex {
  const capabilities = loadPartyTypeCapabilities(capabilitiesFile)
  const path = file ?? process.env.REGISTER_FILE ?? DEFAULT_REGISTER_FILE
  let data: unknown
  try {
    data = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new PartyRegisterError(path, [(err as Error).message])
  }
  return indexPartyRegister(data, path, capabilities)
}
