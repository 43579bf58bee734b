// What a partner system answers about a resident for one category, before any fault: the whole
// record it holds (a real system cannot be trusted to minimise; the gateway does that), "not
// known", or a refusal for weighty reasons.
import type { CategoryName, Party } from '@wams/schemas'
import { residents, type RecordSource, type Resident } from './residents.ts'

export type PartnerAnswer =
  | { outcome: 'data', data: Record<string, unknown> }
  | { outcome: 'not-known' }
  | { outcome: 'refused', reason: string }

const NOT_KNOWN: PartnerAnswer = Object.freeze({ outcome: 'not-known' })

function knows (resident: Resident, party: Party): boolean {
  return resident.knownTo === 'every-party' || resident.knownTo.includes(party.partyType)
}

/** The answer of `party`'s system about `subject` (a BSN) for `category`, which the party supplies. */
export function partnerAnswer (party: Party, subject: string, category: CategoryName): PartnerAnswer {
  const resident = residents.get(subject)
  if (resident === undefined || !knows(resident, party)) return NOT_KNOWN
  const reason = resident.refusals?.[category]?.[party.partyType]
  if (reason !== undefined) return { outcome: 'refused', reason }
  const source = resident.records[category]?.[party.partyType] as RecordSource<object> | undefined
  // Known to the party, but it holds nothing in this category: to the requester that is "not known".
  if (source === undefined) return NOT_KNOWN
  const record = typeof source === 'function' ? source(party) : source
  // A copy: whatever happens to the answer later (faults, serialisation) never touches the demo data.
  return { outcome: 'data', data: { ...structuredClone(record), ...resident.notes?.[party.partyType] } }
}
