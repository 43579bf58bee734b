// The decision engine's fixtures, shared by its test and its benchmark: the real party register,
// the policy built from it, and case states that validate against the consent ledger's contract.
import { caseStateSchema, createWamsAjv, partyRegister, type CaseState, type PartyType } from '@wams/schemas'
import { indexPartyRegister } from '@wams/platform'
import { createPolicy, type DecisionContext } from '../../services/gateway/src/decision/index.ts'

export const register = indexPartyRegister(partyRegister)
export const policy = createPolicy({ register })

export function oinOf (partyType: PartyType, name?: string): string {
  const party = register.parties.find((p) => p.partyType === partyType && p.active && (name === undefined || p.name === name))
  if (party === undefined) throw new Error(`no active ${partyType} in the register`)
  return party.oin
}
export const inactiveParty = register.parties.find((p) => !p.active)!
export const INACTIVE = inactiveParty.oin
export const GEMEENTE = oinOf('gemeente', 'Gemeente Voorbeeldstad')
export const BUURDORP = oinOf('gemeente', 'Gemeente Buurdorp')
export const GGD = oinOf('ggd')
export const HUISARTS = oinOf('huisarts')
export const ZORGAANBIEDER = oinOf('zorgaanbieder')
export const POLITIE = oinOf('politie')
export const VEILIG_THUIS = oinOf('veilig-thuis')
export const JEUGDHULP = oinOf('jeugdhulpaanbieder')
export const WONINGCORPORATIE = oinOf('woningcorporatie')
export const UWV = oinOf('uwv')
export const TOEZICHTHOUDER = oinOf('toezichthouder')
export const UNLISTED = '00000099000000009999'

export const CLIENT = 'psn-client-8f3a61c2d94b07e5'
export const MEMBER = 'psn-member-1b7e44a09c2f5d38'
export const STRANGER = 'psn-strang-6d0c93b1e58a2f47'
export const COORDINATOR = { org: GEMEENTE, sub: 'coordinator-anna' }
export const NECESSITY = 'Vaststellen of er zorg betrokken is bij de problemen van het gezin.'

export const validCaseState = createWamsAjv().compile<CaseState>(caseStateSchema)

export function participant (org: string) {
  return { org, necessity: 'Betrokken bij de begeleiding van het gezin.', addedAt: '2025-03-10T10:00:00Z' }
}

/** An open case in route ernstig (ground veiligheid), phase onderzoek, opened by Gemeente Voorbeeldstad. */
export function caseState (changes: Partial<CaseState> = {}): CaseState {
  const state: CaseState = {
    caseId: '0195f3a2-7c1e-7b3d-9a41-2f6c8e0d5b17',
    version: 6,
    route: 'ernstig',
    phase: 'onderzoek',
    municipality: GEMEENTE,
    coordinator: COORDINATOR,
    subjects: [
      { subjectRef: CLIENT, role: 'client' },
      { subjectRef: MEMBER, role: 'household-member' },
    ],
    problems: [{ domain: 'wmo' }, { domain: 'zorg' }],
    seriousGrounds: ['veiligheid'],
    clientInformed: true,
    scope: null,
    participants: [participant(GGD), participant(HUISARTS)],
    objections: [],
    openedAt: '2025-03-01T09:00:00Z',
    closedAt: null,
    ...changes,
  }
  // Fixtures must be states the ledger can actually produce.
  if (!validCaseState(state)) throw new Error(`invalid fixture: ${JSON.stringify(validCaseState.errors)}`)
  return state
}

/** Lawful: the college asks the GGD, during the investigation, for signal-level health data of the client. */
export function request (changes: Partial<DecisionContext> = {}): DecisionContext {
  return {
    requester: { org: GEMEENTE, sub: 'college-bert', roles: ['college'] },
    caseState: caseState(),
    subjectRef: CLIENT,
    provider: GGD,
    category: 'health',
    purpose: 'onderzoek',
    fields: ['careInvolved', 'riskIndication'],
    necessity: NECESSITY,
    ...changes,
  }
}
