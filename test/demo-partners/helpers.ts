// What the demo-partner tests share: the app built in process, gateway tokens signed like the
// gateway signs them (the dev issuer's key in development), request bodies, and an independent
// validator per category schema.
import { devIssuer, indexPartyRegister, signToken } from '@wams/platform'
import { CATEGORY_NAMES, categorySchemas, createWamsAjv, partyRegister, type CategoryName, type Party } from '@wams/schemas'
import { buildApp, readConfig, type BuildOptions } from '@wams/demo-partners'
import type { FastifyInstance } from 'fastify'

export const issuer = devIssuer(process.env.DATA_DIR ?? '.data')
export const register = indexPartyRegister(partyRegister)
export const GATEWAY_OIN = '00000099000000009000'

export const CLIENT = '999990019'
export const HOUSEHOLD_MEMBER = '999990020'
export const UNKNOWN = '999990032'
export const REFUSED_HEALTH = '999990044'
export const DEMO_BSNS = [CLIENT, HOUSEHOLD_MEMBER, UNKNOWN, REFUSED_HEALTH]

/** Every party that supplies something, the inactive one included (its system still runs). */
export const suppliers: readonly Party[] = register.parties.filter((p) => p.categories.length > 0)
export const partyOfType = (type: Party['partyType']): Party => register.parties.find((p) => p.partyType === type && p.active)!

export function gatewayToken (aud: string, claims: { iss?: string, key?: string, ttlSeconds?: number, requestId?: string } = {}): string {
  const { iss = issuer.iss, key = issuer.privateKeyPem, ttlSeconds = 60, ...rest } = claims
  return signToken(key, { iss, sub: 'gateway', org: GATEWAY_OIN, roles: ['gateway'], aud, ttlSeconds, ...rest })
}

export function requestBody (subject: string, category: CategoryName, extra: Record<string, unknown> = {}) {
  return {
    requestId: 'c0ffee00-0000-4000-8000-000000000001',
    caseRef: 'case-ref-pseudonym-1',
    subject,
    category,
    fields: ['known'],
    purpose: 'onderzoek',
    requester: { org: '00000099000000000101', partyType: 'gemeente' },
    necessity: 'Nodig om de samenhang van de problemen in het onderzoek vast te stellen.',
    legalBasis: 'Wams art. 2.4 (onderzoek); AVG art. 6 lid 1 sub e',
    ...extra
  }
}

export async function demoPartners (options: BuildOptions = {}, env: Record<string, string> = {}): Promise<FastifyInstance> {
  const app = await buildApp(readConfig({ LOG_LEVEL: 'silent', DATA_DIR: process.env.DATA_DIR ?? '.data', ...env }), options)
  await app.ready()
  return app
}

/** A data request as the gateway sends it: the party's path, a token for that party, the body. */
export function ask (app: FastifyInstance, oin: string, subject: string, category: CategoryName, options: { token?: string | null, body?: Record<string, unknown> } = {}) {
  const token = options.token === undefined ? gatewayToken(oin) : options.token
  return app.inject({
    method: 'POST',
    url: `/partners/${oin}/wams/v1/data-requests`,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    payload: { ...requestBody(subject, category), ...options.body }
  })
}

const ajv = createWamsAjv()
const validators = new Map(CATEGORY_NAMES.map((c) => [c, ajv.compile(categorySchemas[c])]))
export function validates (category: CategoryName, data: unknown): boolean {
  return validators.get(category)!(data) === true
}
export function schemaErrors (category: CategoryName, data: unknown): unknown {
  const validate = validators.get(category)!
  validate(data)
  return validate.errors
}

/** The gateway's minimisation strips what the contract does not name, nested too. */
const stripping = createWamsAjv({ removeAdditional: 'all' })
const strippers = new Map(CATEGORY_NAMES.map((c) => [c, stripping.compile(categorySchemas[c])]))
export function contractOnly (category: CategoryName, data: unknown): unknown {
  const copy = structuredClone(data)
  strippers.get(category)!(copy)
  return copy
}
