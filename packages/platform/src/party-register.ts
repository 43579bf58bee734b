// The AMvB party register (SPEC section 3) as versioned data: read from a JSON file, validated
// against schemas/party-register.schema.json, indexed by OIN. The consent ledger and the gateway
// load the same file with the same code, so they agree on who is an active party of which type.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import commonSchema from '@wams/schemas/common.schema.json' with { type: 'json' }
import partyRegisterSchema from '@wams/schemas/party-register.schema.json' with { type: 'json' }
import type { Party, PartyRegister, PartyType } from '@wams/schemas'

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

function deepFreeze<T> (value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

/** Builds the index of an already parsed register; throws PartyRegisterError when it is invalid. */
export function indexPartyRegister (data: unknown, source = '(inline)'): PartyRegisterIndex {
  if (!validate(data)) {
    throw new PartyRegisterError(source, (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`))
  }
  // A frozen copy: the caller's object can change later, the register in force cannot.
  const register = deepFreeze(structuredClone(data))
  const byOin = new Map<string, Party>()
  const supplied = new Map<string, ReadonlySet<string>>()
  const duplicates: string[] = []
  for (const party of register.parties) {
    if (byOin.has(party.oin)) duplicates.push(`OIN ${party.oin} is listed more than once`)
    byOin.set(party.oin, party)
    supplied.set(party.oin, new Set(party.categories))
  }
  if (duplicates.length > 0) throw new PartyRegisterError(source, duplicates)
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
    supplies: (oin, category) => supplied.get(oin)?.has(category) === true
  }
}

/** Reads and validates the register: `file`, else REGISTER_FILE, else schemas/party-register.json. */
export function loadPartyRegister (file?: string): PartyRegisterIndex {
  const path = file ?? process.env.REGISTER_FILE ?? DEFAULT_REGISTER_FILE
  let data: unknown
  try {
    data = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new PartyRegisterError(path, [(err as Error).message])
  }
  return indexPartyRegister(data, path)
}
