// A demo BRP: the Haal Centraal "BRP Personen Bevragen" operation RaadpleegMetBurgerservicenummer
// at POST /brp/haalcentraal/api/brp/personen, for the consent ledger's residence check (SPEC
// section 2). It knows the demo residents only (residents.ts), each registered in the municipality
// of one gemeente of the register (its gemeentecode and name), and answers only the fields asked.
// The BSNs travel in the body and never reach a log line. No authentication: the real BRP is
// reached over the municipality's own connection (PKIoverheid mTLS, API key), not through this.
import type { FastifyInstance } from 'fastify'
import { residents } from '../../residents.ts'
import { personenSchema, type PersonenQuery } from './schema.ts'

export const BRP_PREFIX = '/brp/haalcentraal/api/brp'

export default async function brpRoutes (app: FastifyInstance): Promise<void> {
  const { register } = app.partnerSystems
  // A municipality as the BRP names it: its gemeentecode and its name without "Gemeente ".
  const municipalityOf = (oin: string) => {
    const party = register.get(oin)
    if (party?.gemeentecode === undefined) return undefined
    return { code: party.gemeentecode, omschrijving: party.name.replace(/^Gemeente\s+/, '') }
  }
  // Every demo resident must live in a gemeente of the register: found at start, not on a question.
  for (const [, resident] of residents) {
    if (municipalityOf(resident.livesIn) === undefined) throw new Error(`demo BRP: ${resident.label} lives in ${resident.livesIn}, which is no gemeente with a gemeentecode in the register`)
  }

  app.post<{ Body: PersonenQuery }>(`${BRP_PREFIX}/personen`, { schema: personenSchema }, async (request) => {
    const { burgerservicenummer, fields, gemeenteVanInschrijving: onlyIn } = request.body
    const personen = burgerservicenummer.flatMap((bsn) => {
      const resident = residents.get(bsn)
      const municipality = resident === undefined ? undefined : municipalityOf(resident.livesIn)
      if (municipality === undefined || (onlyIn !== undefined && municipality.code !== onlyIn)) return []
      const person: Record<string, unknown> = {}
      for (const field of fields) {
        if (field === 'burgerservicenummer') person.burgerservicenummer = bsn
        else if (field === 'gemeenteVanInschrijving') person.gemeenteVanInschrijving = { ...municipality }
        else person.verblijfplaats = { gemeenteVanInschrijving: { ...municipality } }
      }
      return [person]
    })
    return { type: 'RaadpleegMetBurgerservicenummer', personen }
  })
}
