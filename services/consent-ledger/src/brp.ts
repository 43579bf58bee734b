// Residence (woonplaatsbeginsel, SPEC section 2): where the BRP registers a person. Asked through
// the Haal Centraal "BRP Personen Bevragen" interface: POST {BRP_URL}/personen with
// { type: "RaadpleegMetBurgerservicenummer", burgerservicenummer: [bsn], fields: [...] }, asking
// only the municipality of registration. The BSN travels in the body only, never in a URL or a
// log line, and no error message here carries it.
//
// The answer is one of three: the person's gemeentecode, `null` (the BRP has no such person), or
// an exception (BrpUnavailableError: unreachable, too slow, or an answer outside the interface).
// The caller fails closed on the exception: no case is opened when the BRP cannot say.
import { Ajv2020 } from 'ajv/dist/2020.js'
import { request } from 'undici'

/** The one field asked: the municipality where the person is registered (BRP 09.10). */
export const BRP_FIELD = 'verblijfplaats.gemeenteVanInschrijving'

export class BrpUnavailableError extends Error {
  constructor (readonly why: string) {
    super(`the BRP did not answer usably: ${why}`)
  }
}

export interface BrpClient {
  /** The 4-digit gemeentecode where the BRP registers the person; null when it does not know the person. */
  gemeenteVanInschrijving: (bsn: string) => Promise<string | null>
}

export interface BrpClientOptions {
  /** Base URL of the BRP Personen Bevragen API, e.g. https://…/haalcentraal/api/brp (without /personen). */
  url: string
  /** Connect-and-answer deadline of one question. */
  timeoutMs: number
  /** Largest answer accepted, in bytes. */
  maxBytes?: number
}

const waardetabel = {
  type: 'object',
  required: ['code'],
  properties: { code: { type: 'string', pattern: '^[0-9]{4}$' }, omschrijving: { type: 'string' } }
} as const

// The answer of RaadpleegMetBurgerservicenummer as far as it is read here. BRP Personen Bevragen
// v2 carries gemeenteVanInschrijving at the person; earlier versions and the field path asked here
// carry it under verblijfplaats. Either is read; at most one person comes back for one BSN.
const answerSchema = {
  type: 'object',
  required: ['type', 'personen'],
  properties: {
    type: { const: 'RaadpleegMetBurgerservicenummer' },
    personen: {
      type: 'array',
      maxItems: 1,
      items: {
        type: 'object',
        properties: {
          gemeenteVanInschrijving: waardetabel,
          verblijfplaats: { type: 'object', properties: { gemeenteVanInschrijving: waardetabel } }
        }
      }
    }
  }
} as const

interface Answer {
  personen: Array<{ gemeenteVanInschrijving?: { code: string }, verblijfplaats?: { gemeenteVanInschrijving?: { code: string } } }>
}

const validateAnswer = new Ajv2020({ allErrors: false, strict: false }).compile<Answer>(answerSchema)

export function createBrpClient ({ url, timeoutMs, maxBytes = 65536 }: BrpClientOptions): BrpClient {
  const endpoint = `${url.replace(/\/+$/, '')}/personen`
  return {
    async gemeenteVanInschrijving (bsn) {
      let answer: unknown
      try {
        const res = await request(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ type: 'RaadpleegMetBurgerservicenummer', burgerservicenummer: [bsn], fields: [BRP_FIELD] }),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs)
        })
        if (res.statusCode !== 200) {
          await res.body.dump()
          throw new BrpUnavailableError(`HTTP ${res.statusCode}`)
        }
        const chunks: Buffer[] = []
        let size = 0
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length
          if (size > maxBytes) {
            res.body.destroy()
            throw new BrpUnavailableError('answer too large')
          }
          chunks.push(chunk as Buffer)
        }
        answer = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch (err) {
        if (err instanceof BrpUnavailableError) throw err
        // The cause's name only (a timeout, a refused connection, JSON that does not parse): no
        // request detail can leak through it.
        const name = (err as Error).name === 'Error' ? ((err as { code?: string }).code ?? 'Error') : (err as Error).name
        throw new BrpUnavailableError(name)
      }
      if (!validateAnswer(answer)) throw new BrpUnavailableError('answer outside the interface')
      const person = answer.personen[0]
      if (person === undefined) return null
      return person.verblijfplaats?.gemeenteVanInschrijving?.code ?? person.gemeenteVanInschrijving?.code ?? null
    }
  }
}
