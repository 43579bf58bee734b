// POST /brp/haalcentraal/api/brp/personen: the Haal Centraal "BRP Personen Bevragen" operation
// RaadpleegMetBurgerservicenummer, as far as the demo answers it.

/** The fields this demo can answer; the real API knows many more and refuses unknown ones the same way. */
export const FIELDS = ['burgerservicenummer', 'gemeenteVanInschrijving', 'verblijfplaats.gemeenteVanInschrijving'] as const
export type Field = (typeof FIELDS)[number]

export interface PersonenQuery {
  type: 'RaadpleegMetBurgerservicenummer'
  burgerservicenummer: string[]
  fields: Field[]
  gemeenteVanInschrijving?: string
}

const bodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'burgerservicenummer', 'fields'],
  properties: {
    type: { const: 'RaadpleegMetBurgerservicenummer' },
    burgerservicenummer: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[0-9]{9}$' },
      description: 'BSNs of the persons asked for; in the body only, never logged'
    },
    fields: { type: 'array', minItems: 1, maxItems: 10, uniqueItems: true, items: { enum: FIELDS } },
    gemeenteVanInschrijving: { type: 'string', pattern: '^[0-9]{4}$', description: 'Only persons registered in this municipality' }
  }
} as const

const waardetabel = { type: 'object', properties: { code: { type: 'string' }, omschrijving: { type: 'string' } } } as const

export const personenSchema = {
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
} as const
