import { categoryTable, type CategoryInfo, type CategoryName, type FieldLevel, type Purpose } from '@wams/schemas'
import { legalBasisText } from './legal-basis.ts'
import type { PartyRegisterIndex, PartyTypeCapabilityIndex } from '@wams/platform'
import { policyData as defaultPolicyData, policyVersion, type Actor, type PolicyData } from './policy-data.ts'

/** A category as the rules use it. */
export interface PolicyCategory {
  readonly info: CategoryInfo;
  readonly fieldLevels: ReadonlyMap<string, FieldLevel>;
  /** special or criminal (rule 9, first part). */
  readonly sensitive: boolean;
  /** criminal (rule 9, second part). */
  readonly criminal: boolean;
  /** Party types whose participants may ask the detail fields (rule 10). */
  readonly detailPartyTypes: ReadonlySet<string>;
  /** Where detailPartyTypes comes from: the capability table's `domains`, or the register's suppliers. */
  readonly detailPartyTypesFrom: 'domain' | 'suppliers';
}

/**
 * The policy a decision is made against: the policy data, the register and the
 * category table, with every lookup precomputed once so that a decision only reads
 * Maps and Sets. The Sets are keyed by plain strings because the request's values are
 * unchecked input.
 */
export interface Policy {
  readonly version: string;
  readonly data: PolicyData;
  readonly register: PartyRegisterIndex;
  /** The party-type capability table (an allow-list), as loaded with the register. */
  readonly capabilities: PartyTypeCapabilityIndex;
  readonly categories: ReadonlyMap<string, PolicyCategory>;
  readonly purposesByPhase: ReadonlyMap<string, ReadonlySet<string>>;
  readonly actorsByPurpose: ReadonlyMap<string, ReadonlySet<Actor>>;
  readonly municipalityRoles: ReadonlySet<string>;
  readonly anyProviderPurposes: ReadonlySet<string>;
  readonly clientScopedRoutes: ReadonlySet<string>;
  readonly criminalDataGrounds: ReadonlySet<string>;
  readonly signalOnlyPurposes: ReadonlySet<string>;
  /** purpose → category → legal basis text. */
  readonly legalBasis: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export interface PolicyOptions {
  readonly register: PartyRegisterIndex;
  readonly data?: PolicyData;
  readonly categories?: Readonly<Record<CategoryName, CategoryInfo>>;
}

function mapOfSets<K extends string, V> (record: Readonly<Record<K, readonly V[]>>): Map<string, ReadonlySet<V>> {
  return new Map(Object.entries<readonly V[]>(record).map(([key, values]) => [key, new Set(values)]))
}

export function createPolicy ({ register, data = defaultPolicyData, categories = categoryTable }: PolicyOptions): Policy {
  const activeParties = register.parties.filter((party) => party.active)
  const { capabilities } = register
  const detailByDomain = new Set<string>(data.detailByDomainCategories)
  const policyCategories = new Map<string, PolicyCategory>()
  for (const info of Object.values(categories)) {
    const fieldLevels = new Map<string, FieldLevel>()
    for (const field of info.signal) fieldLevels.set(field, 'signal')
    for (const field of info.detail) fieldLevels.set(field, 'detail')
    const byDomain = detailByDomain.has(info.name)
    const detailPartyTypes = byDomain
      ? capabilities.workingIn(info.domain)
      : activeParties.filter((party) => party.categories.includes(info.name)).map((party) => party.partyType)
    policyCategories.set(info.name, {
      info,
      fieldLevels,
      sensitive: info.sensitivity !== 'ordinary',
      criminal: info.sensitivity === 'criminal',
      detailPartyTypes: new Set(detailPartyTypes),
      detailPartyTypesFrom: byDomain ? 'domain' : 'suppliers',
    })
  }

  // The involvement check asks, per problem domain, only party types that work in that domain
  // according to the capability table: two tables, one fact, checked to agree at start.
  const strays = Object.entries(data.domainPartyTypes).flatMap(([domain, types]) =>
    types.filter((type) => !capabilities.workingIn(domain).includes(type)).map((type) => `${type} in ${domain}`))
  if (strays.length > 0) {
    throw new Error(`the involvement-check table names party types that do not work in the domain per the capability table: ${strays.join(', ')}`)
  }

  const legalBasis = new Map<string, ReadonlyMap<string, string>>()
  for (const purpose of Object.keys(data.legalBasis.purposes) as Purpose[]) {
    legalBasis.set(
      purpose,
      new Map(Object.values(categories).map((c) => [c.name, legalBasisText(data.legalBasis, purpose, c.sensitivity)]))
    )
  }

  return {
    version: policyVersion(data, register.version, categories, capabilities.table),
    data,
    register,
    capabilities,
    categories: policyCategories,
    purposesByPhase: mapOfSets(data.purposesByPhase),
    actorsByPurpose: mapOfSets(data.actorsByPurpose),
    municipalityRoles: new Set(data.municipalityRoles),
    anyProviderPurposes: new Set(data.anyProviderPurposes),
    clientScopedRoutes: new Set(data.clientScopedRoutes),
    criminalDataGrounds: new Set(data.criminalDataGrounds),
    signalOnlyPurposes: new Set(data.signalOnlyPurposes),
    legalBasis,
  }
}
