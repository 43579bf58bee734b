import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { CategoryInfo, CategoryName, PartyType, Phase, Purpose, Role, Route, SeriousGround } from '@wams/schemas';

/** Who can act for a purpose (rule 5). */
export type Actor =
  /** The case's municipality: token org is the case's gemeente and the token has one of `municipalityRoles`. */
  | 'municipality'
  /** The person the case names: token org and sub equal the case's coordinator. */
  | 'coordinator'
  /** Token org is a participant of the case. */
  | 'participant';

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
  /** Rule 9: requester party types that never receive special or criminal data. */
  readonly noSensitiveDataPartyTypes: readonly PartyType[];
  /** Rule 9: requester party types that never receive personal data at all (the supervisor reads the audit log). */
  readonly noPersonalDataPartyTypes: readonly PartyType[];
  /** Rule 9: criminal data only in this route ... */
  readonly criminalDataRoute: Route;
  /** ... and with at least one of these serious grounds. */
  readonly criminalDataGrounds: readonly SeriousGround[];
  /** Rule 10: minimum length of the necessity statement, after trimming. */
  readonly minNecessityLength: number;
  /** Rule 10: purposes that may ask `signal` fields only. */
  readonly signalOnlyPurposes: readonly Purpose[];
  /**
   * Rule 10: party types working in a category's domain, whose participants may ask its
   * `detail` fields. A category not listed here: the party types that supply it per the register.
   */
  readonly detailPartyTypes: Readonly<Partial<Record<CategoryName, readonly PartyType[]>>>;
  readonly legalBasis: LegalBasisData;
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
  noSensitiveDataPartyTypes: ['woningcorporatie', 'energieleverancier', 'zorgverzekeraar', 'school', 'uwv'],
  noPersonalDataPartyTypes: ['toezichthouder'],
  criminalDataRoute: 'ernstig',
  criminalDataGrounds: ['overlast', 'veiligheid'],
  minNecessityLength: 20,
  signalOnlyPurposes: ['onderzoek'],
  detailPartyTypes: {
    health: ['zorgaanbieder', 'huisarts', 'ggd'],
    criminal: ['politie', 'reclassering', 'veilig-thuis'],
    safety: ['politie', 'reclassering', 'veilig-thuis'],
    'youth-care': ['jeugdhulpaanbieder', 'veilig-thuis'],
  },
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
};

/**
 * The version every decision and audit record names: SHA-256 (hex) of the RFC 8785
 * canonical JSON of the policy data, the register version and the category field table.
 * Canonical JSON makes it independent of key order, so only a change of content changes it.
 */
export function policyVersion(
  data: PolicyData,
  registerVersion: string,
  categories: Readonly<Record<string, CategoryInfo>>,
): string {
  const fieldTable = Object.fromEntries(
    Object.values(categories).map((c) => [c.name, { domain: c.domain, sensitivity: c.sensitivity, signal: c.signal, detail: c.detail }]),
  );
  const canonical = canonicalize({ policyData: data, registerVersion, categories: fieldTable });
  if (canonical === undefined) throw new Error('policy data cannot be serialised');
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
