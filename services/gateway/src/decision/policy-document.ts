// The policy in force as one public document (GET /v1/policy, and the generated tables of
// docs/rules.md): built from the very Policy object the decisions are made against, so what is
// published is what is enforced. Pure: no I/O.
import type { CapabilityTable } from '@wams/platform'
import type { Policy } from './policy.ts'
import type { LawVersion, ObjectionOverrideData } from './policy-data.ts'
import { rules } from './rules/index.ts'

export interface PolicyDocumentRule {
  readonly number: number;
  readonly rule: string;
  /** Codes the rule denies with. */
  readonly reasonCodes: readonly string[];
  /** Codes it records when it lets a request pass by an exception of the law (rule 11). */
  readonly recordedCodes?: readonly string[];
}

export interface PolicyDocumentCategory {
  readonly name: string;
  readonly domain: string;
  readonly sensitivity: string;
  readonly signal: readonly string[];
  readonly detail: readonly string[];
  /** Party types whose participants may ask the detail fields (rule 10), and where that comes from. */
  readonly detailPartyTypes: readonly string[];
  readonly detailPartyTypesFrom: 'domain' | 'suppliers';
}

export interface PolicyDocument {
  readonly policyVersion: string;
  readonly lawVersion: LawVersion;
  readonly registerVersion: string;
  readonly rules: readonly PolicyDocumentRule[];
  readonly categories: readonly PolicyDocumentCategory[];
  readonly partyTypeCapabilities: CapabilityTable;
  /** The involvement check's domain → party-type table. */
  readonly domainPartyTypes: { readonly version: string; readonly domains: Readonly<Record<string, readonly string[]>> };
  readonly purposesPerPhase: Readonly<Record<string, readonly string[]>>;
  readonly actorsPerPurpose: Readonly<Record<string, readonly string[]>>;
  readonly criminalData: { readonly route: string; readonly grounds: readonly string[] };
  readonly minNecessityLength: number;
  readonly signalOnlyPurposes: readonly string[];
  /** Rule 11's exception (GDPR art. 18(2)). */
  readonly objectionOverride: ObjectionOverrideData;
  readonly legalBasis: {
    readonly purposes: Readonly<Record<string, string>>;
    readonly lawfulness: string;
    readonly special: string;
    readonly criminal: string;
  };
}

export function policyDocument (policy: Policy): PolicyDocument {
  const data = policy.data
  return {
    policyVersion: policy.version,
    lawVersion: data.lawVersion,
    registerVersion: policy.register.version,
    rules: rules.map((r) => ({
      number: r.id,
      rule: r.name,
      reasonCodes: [...r.reasonCodes],
      ...(r.recordedCodes !== undefined && r.recordedCodes.length > 0 ? { recordedCodes: [...r.recordedCodes] } : {}),
    })),
    categories: [...policy.categories.values()].map((c) => ({
      name: c.info.name,
      domain: c.info.domain,
      sensitivity: c.info.sensitivity,
      signal: [...c.info.signal],
      detail: [...c.info.detail],
      detailPartyTypes: [...c.detailPartyTypes],
      detailPartyTypesFrom: c.detailPartyTypesFrom,
    })),
    partyTypeCapabilities: policy.capabilities.table,
    domainPartyTypes: { version: data.domainPartyTypesVersion, domains: data.domainPartyTypes },
    purposesPerPhase: data.purposesByPhase,
    actorsPerPurpose: data.actorsByPurpose,
    criminalData: { route: data.criminalDataRoute, grounds: data.criminalDataGrounds },
    minNecessityLength: data.minNecessityLength,
    signalOnlyPurposes: data.signalOnlyPurposes,
    objectionOverride: data.objectionOverride,
    legalBasis: data.legalBasis,
  }
}
