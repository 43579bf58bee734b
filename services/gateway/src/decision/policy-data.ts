import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'
import { createWamsAjv, type CategoryInfo, type CategoryName, type Domain, type DomainPartyTypeTable, type PartyType, type Phase, type Purpose, type Role, type Route, type SeriousGround } from '@wams/schemas'
import type { CapabilityTable } from '@wams/platform'
import domainPartyTypesSchema from '@wams/schemas/domain-party-types.schema.json' with { type: 'json' }
import domainPartyTypesTable from '@wams/schemas/domain-party-types.json' with { type: 'json' }

/** Who can act for a purpose (rule 5). */
export type Actor =
  /** The case's municipality: token org is the case's gemeente and the token has one of `municipalityRoles`. */
  | 'municipality'
  /** The person the case names: token org and sub equal the case's coordinator. */
  | 'coordinator'
  /** Token org is a participant of the case. */
  | 'participant'

/**
 * Article references for the legalBasis of a decision. PLACEHOLDERS pending the final
 * law text: the Wams bill (Kamerstuk 36 295) was amended in 2026 and its article
 * numbering is not settled. Only this data changes when it is; the policyVersion follows.
 */
export interface LegalBasisData {
  readonly purposes: Readonly<Record<Purpose, string>>;
  /** GDPR lawfulness of every exchange: a public task laid down by law. */
  readonly lawfulness: string;
  /** Added for special-category (health) data. */
  readonly special: string;
  /** Added for criminal-law data. */
  readonly criminal: string;
}

/**
 * Rule 11's exception (GDPR art. 18(2)): a *pending* objection does not block a request that
 * protects another person when every condition holds. An upheld objection always blocks.
 */
export interface ObjectionOverrideData {
  /** The case's route must be this ... */
  readonly route: Route;
  /** ... with at least one of these serious grounds. */
  readonly grounds: readonly SeriousGround[];
  /** The person the case names as coordinator (token org and sub) may invoke it. */
  readonly namedCoordinator: boolean;
  /** Tokens of the case's municipality with one of these roles may invoke it. */
  readonly municipalityRoles: readonly Role[];
  /** Minimum length of `protectsOthers.reason`, after trimming. */
  readonly minReasonLength: number;
}

// The involvement check's targeting table (schemas/domain-party-types.json), checked against its
// schema when the module loads: an invalid table stops the start, not a request.
const validateDomainPartyTypes = createWamsAjv({ strict: false }).compile<DomainPartyTypeTable>(domainPartyTypesSchema)
if (!validateDomainPartyTypes(domainPartyTypesTable)) {
  throw new Error(`schemas/domain-party-types.json is invalid: ${(validateDomainPartyTypes.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ')}`)
}
const domainPartyTypes = (domainPartyTypesTable as DomainPartyTypeTable).domains satisfies Readonly<Record<Domain, readonly PartyType[]>>

/** The decision rules' matrices (SPEC section 5) as data; the rules in rules/ only read them. */
export interface PolicyData {
  /** Rule 4: the purposes allowed in each phase. */
  readonly purposesByPhase: Readonly<Record<Phase, readonly Purpose[]>>;
  /** Rule 5: who may act for each purpose. */
  readonly actorsByPurpose: Readonly<Record<Purpose, readonly Actor[]>>;
  /** Rule 5: roles through which the municipality acts. */
  readonly municipalityRoles: readonly Role[];
  /** Rule 6: purposes for which any registered party may be asked; for the others the provider must be a participant. */
  readonly anyProviderPurposes: readonly Purpose[];
  /** Rule 8: routes in which the client's scope bounds every request. */
  readonly clientScopedRoutes: readonly Route[];
  // Rule 9's party-type part is not here: who may receive special (art. 9) and criminal (art. 10)
  // data, and who receives no personal data at all (neither owns nor takes part in cases), is the
  // party-type capability table (schemas/party-type-capabilities.json), an allow-list.
  /** Rule 9: criminal data only in this route ... */
  readonly criminalDataRoute: Route;
  /** ... and with at least one of these serious grounds. */
  readonly criminalDataGrounds: readonly SeriousGround[];
  /** Rule 10: minimum length of the necessity statement, after trimming. */
  readonly minNecessityLength: number;
  /** Rule 10: purposes that may ask `signal` fields only. */
  readonly signalOnlyPurposes: readonly Purpose[];
  /**
   * Rule 10: categories whose `detail` fields go to participants of the party types that work in
   * the category's domain (the capability table's `domains`). Any other category: to participants
   * of the party types that supply it per the register.
   */
  readonly detailByDomainCategories: readonly CategoryName[];
  /** Rule 11: when a pending objection does not block (GDPR art. 18(2)). */
  readonly objectionOverride: ObjectionOverrideData;
  /**
   * The involvement check (SPEC §6): problem domain → the party types asked whether they know the
   * person (schemas/domain-party-types.json, with its version).
   */
  readonly domainPartyTypes: Readonly<Record<Domain, readonly PartyType[]>>;
  readonly domainPartyTypesVersion: string;
  readonly legalBasis: LegalBasisData;
  /** The text the rules follow (GET /v1/policy). */
  readonly lawVersion: LawVersion;
}

/** The law text the rules follow: today a bill, not yet in force. */
export interface LawVersion {
  readonly name: string;
  readonly reference: string;
  readonly amendments: string;
  readonly inForce: boolean;
}

export const policyData: PolicyData = {
  purposesByPhase: {
    onderzoek: ['onderzoek'],
    aanpak: ['casusoverleg', 'coordinatie'],
    afgesloten: [],
  },
  actorsByPurpose: {
    onderzoek: ['municipality'],
    coordinatie: ['coordinator'],
    casusoverleg: ['coordinator', 'participant'],
  },
  municipalityRoles: ['college', 'coordinator'],
  anyProviderPurposes: ['onderzoek'],
  clientScopedRoutes: ['hulpvraag'],
  criminalDataRoute: 'ernstig',
  criminalDataGrounds: ['overlast', 'veiligheid'],
  minNecessityLength: 20,
  signalOnlyPurposes: ['onderzoek'],
  detailByDomainCategories: ['health', 'criminal', 'safety', 'youth-care'],
  objectionOverride: {
    route: 'ernstig',
    grounds: ['veiligheid'],
    namedCoordinator: true,
    municipalityRoles: ['college'],
    minReasonLength: 20,
  },
  domainPartyTypes,
  domainPartyTypesVersion: domainPartyTypesTable.version,
  legalBasis: {
    purposes: {
      onderzoek: 'Wams art. 2.4',
      coordinatie: 'Wams art. 2.5',
      casusoverleg: 'Wams art. 2.6',
    },
    lawfulness: 'AVG art. 6 lid 1 sub e',
    special: 'AVG art. 9 lid 2 sub g',
    criminal: 'AVG art. 10 / UAVG art. 33',
  },
  lawVersion: {
    name: 'Wet aanpak meervoudige problematiek sociaal domein (Wams)',
    reference: 'Kamerstuk 36 295',
    amendments: 'nota van wijziging 18 februari 2026',
    inForce: false,
  },
}

/**
 * The version every decision and audit record names: SHA-256 (hex) of the RFC 8785
 * canonical JSON of the policy data, the register version, the category field table and the
 * party-type capability table (its whole content, so a changed capability changes it even when
 * the table's own version was not raised). Canonical JSON makes it independent of key order, so
 * only a change of content changes it.
 */
export function policyVersion (
  data: PolicyData,
  registerVersion: string,
  categories: Readonly<Record<string, CategoryInfo>>,
  partyTypeCapabilities: CapabilityTable
): string {
  const fieldTable = Object.fromEntries(
    Object.values(categories).map((c) => [c.name, { domain: c.domain, sensitivity: c.sensitivity, signal: c.signal, detail: c.detail }])
  )
  const canonical = canonicalize({ policyData: data, registerVersion, categories: fieldTable, partyTypeCapabilities })
  if (canonical === undefined) throw new Error('policy data cannot be serialised')
  return createHash('sha256').update(canonical, 'utf8').digest('hex')
}
