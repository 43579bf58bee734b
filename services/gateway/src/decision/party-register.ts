import { createWamsAjv, partyRegisterSchema, type Party, type PartyRegister } from '@wams/schemas';

/** The AMvB register, validated and indexed by OIN. Read-only: a new register version is a new index. */
export interface PartyRegisterIndex {
  readonly version: string;
  readonly validFrom: string;
  readonly parties: readonly Party[];
  /** Every listed party, active or not. */
  readonly byOin: ReadonlyMap<string, Party>;
  /** The party when it is listed and active; an inactive party neither requests nor supplies. */
  active(oin: string): Party | undefined;
  /** Whether the listed party supplies the category. */
  supplies(oin: string, category: string): boolean;
}

export class InvalidPartyRegisterError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid party register: ${problems.join('; ')}`);
    this.name = 'InvalidPartyRegisterError';
  }
}

const validateRegister = createWamsAjv().compile<PartyRegister>(partyRegisterSchema);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Validates a register document against its schema (all problems at once) and indexes it. */
export function createPartyRegister(json: unknown): PartyRegisterIndex {
  if (!validateRegister(json)) {
    throw new InvalidPartyRegisterError(
      (validateRegister.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`),
    );
  }
  // A copy, frozen: the caller's object can change later, the register in force cannot.
  const register = deepFreeze(structuredClone(json));
  const byOin = new Map<string, Party>();
  const supplied = new Map<string, ReadonlySet<string>>();
  const duplicates: string[] = [];
  for (const party of register.parties) {
    if (byOin.has(party.oin)) duplicates.push(`OIN ${party.oin} is listed more than once`);
    byOin.set(party.oin, party);
    supplied.set(party.oin, new Set(party.categories));
  }
  if (duplicates.length > 0) throw new InvalidPartyRegisterError(duplicates);

  return {
    version: register.version,
    validFrom: register.validFrom,
    parties: register.parties,
    byOin,
    active(oin) {
      const party = byOin.get(oin);
      return party?.active === true ? party : undefined;
    },
    supplies(oin, category) {
      return supplied.get(oin)?.has(category) === true;
    },
  };
}
