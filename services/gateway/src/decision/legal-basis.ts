import type { Purpose, Sensitivity } from '@wams/schemas'
import type { LegalBasisData } from './policy-data.ts'

/**
 * The legal basis a request for this purpose and kind of data rests on, e.g.
 * "Wams art. 2.4 (onderzoek); AVG art. 6 lid 1 sub e; AVG art. 9 lid 2 sub g".
 */
export function legalBasisText (data: LegalBasisData, purpose: Purpose, sensitivity: Sensitivity): string {
  const parts = [`${data.purposes[purpose]} (${purpose})`, data.lawfulness]
  if (sensitivity === 'special') parts.push(data.special)
  if (sensitivity === 'criminal') parts.push(data.criminal)
  return parts.join('; ')
}
