// A demo BRP: the Haal Centraal "BRP Personen Bevragen" operation RaadpleegMetBurgerservicenummer
// at POST /brp/haalcentraal/api/brp/personen, for the consent ledger's residence check (SPEC
// section 2). It knows the demo residents only (residents.ts), each registered in the municipality
// of one gemeente of the register (its gemeentecode and name), and answers only the fields asked.
// The BSNs travel in the body and never reach a log line. No authentication: the real BRP is
// reached over the municipality's own connection (PKIoverheid mTLS, API key), not through this.
import type { FastifyInstance } from 'fastify'
import type { PartyRegisterIndex } from '@wams/platform'
import { residents } from './residents.ts'

export const BRP_PREFIX = '/brp/haalcentraal/api/brp'

/** The fields this demo can answer; the real API knows many more and refuses unknown ones the same way. */
const FIELDS = ['burgerservicenummer', 'gemeenteVanInschrijving', 'verblijfplaats.gemeenteVanInschrijving'] as const
type Field = (typeof FIELDS)[number]

interface PersonenQuery {
  type: 'RaadpleegMetBurgerservicenummer'
  burgerservicenummer: string[]
  fields: Field[]
}

const bodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'burgerservicenummer', 'fields'],
  properties: {
    type: { const: 'RaadpleegMetBurgerservicenummer' },
    burgerservicenummer: {
      type: 'array', minItems: 1, maxItems: 20, uniqueItems: true,
      items: { type: 'string', pattern: '^[0-9]{9}$' },
      description: 'BSNs of the persons asked for; in the body only, never logged'
    },
    fields: { type: 'array', minItems: 1, maxItems: 10, uniqueItems: true, items: { enum: FIELDS } },
    gemeenteVanInschrijving: { type: 'string', pattern: '^[0-9]{4}$', description: 'Only persons registered in this municipality' }
  }
} as const

const waardetabel = { type: 'object', properties: { code: { type: 'string' }, omschrijving: { type: 'string' } } } as const

export default async function brpRoutes (app: FastifyInstance, { register }: { register: PartyRegisterIndex }): Promise<void> {
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

  app.post<{ Body: PersonenQuery & { gemeenteVanInschrijving?: string } }>(`${BRP_PREFIX}/personen`, {
    schema: {
      summary: 'Demo BRP: raadpleeg personen met burgerservicenummer (Haal Centraal BRP Personen Bevragen)',
      description: 'Answers the demo residents only; every other BSN gives an empty list, as the BRP does for a person it does not have.',
      tags: ['brp'],
      body: bodySchema,
      response: {
        200: {
          type: 'object',
          required: ['type', 'personen'],
          properties: {
            type: { const: 'RaadpleegMetBurgerservicenummer' },
            personen: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  burgerservicenummer: { type: 'string' },
                  gemeenteVanInschrijving: waardetabel,
                  verblijfplaats: { type: 'object', properties: { gemeenteVanInschrijving: waardetabel } }
                }
              }
            }
          }
        },
        400: { $ref: 'Problem#' }
      }
    }
  }, async (request) => {
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
