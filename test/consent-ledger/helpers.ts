// Shared set-up of the consent-ledger tests: the service built in process on a fresh database and
// topic prefix (real PostgreSQL and Kafka), tokens for each kind of caller, and valid case bodies.
import pg from 'pg'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp, readConfig, type Config } from '../../services/consent-ledger/src/index.ts'
import { freshDatabase, freshTopicPrefix } from '../support/infra.ts'
import { startDemoPartners } from '../support/partners.ts'
import { bearer } from '../support/tokens.ts'
import { COORDINATOR, DEMO_BSN, OIN as PARTIES, baseCallers } from '../support/parties.ts'

export { COORDINATOR } from '../support/parties.ts'

export const OIN = { ...PARTIES, gateway: '00000099000000000001' } as const

export const BSN = { client: DEMO_BSN.client, member: DEMO_BSN.member, other: DEMO_BSN.unknown, fourth: DEMO_BSN.refused, elsewhere: DEMO_BSN.elsewhere } as const

export const callers = {
  ...baseCallers,
  participant: () => bearer({ org: OIN.zorgaanbieder, roles: ['professional'], sub: 'pro-zorg' }),
  nonParticipant: () => bearer({ org: OIN.huisarts, roles: ['professional'], sub: 'pro-huisarts' }),
  supervisor: () => bearer({ org: OIN.toezichthouder, roles: ['supervisor'], sub: 'ap-inspector' }),
  // The supervisor role claimed by a party that is not the toezichthouder.
  fakeSupervisor: () => bearer({ org: OIN.politie, roles: ['supervisor'], sub: 'not-the-ap' }),
  gateway: () => bearer({ org: OIN.gateway, roles: ['gateway'], sub: 'wams-gateway' }),
  collegeOfCareProvider: () => bearer({ org: OIN.zorgaanbieder, roles: ['college'], sub: 'not-a-gemeente' })
}

export function hulpvraagBody (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    route: 'hulpvraag',
    subjects: [{ bsn: BSN.client, role: 'client' }, { bsn: BSN.member, role: 'household-member' }],
    problems: [
      { domain: 'schulden', description: 'Huurachterstand van vier maanden en een incassotraject' },
      { domain: 'wmo', description: 'Heeft hulp nodig bij het huishouden na een operatie' }
    ],
    relatedness: 'Door de schulden stelt de cliënt de hulp thuis uit; beide versterken elkaar.',
    seriousGrounds: [],
    clientInformed: true,
    coordinator: { ...COORDINATOR },
    ...overrides
  }
}

export function ernstigBody (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    route: 'ernstig',
    subjects: [{ bsn: BSN.fourth, role: 'client' }],
    problems: [
      { domain: 'jeugd', description: 'Zorgen over de ontwikkeling van de kinderen thuis' },
      { domain: 'oov', description: 'Herhaalde meldingen van geluidsoverlast en ruzies' }
    ],
    relatedness: 'De spanningen thuis leiden tot overlast in de buurt en raken de kinderen.',
    seriousGrounds: ['overlast'],
    clientInformed: false,
    notInformedReason: 'Informeren brengt de veiligheid van de kinderen in gevaar op dit moment.',
    coordinator: { ...COORDINATOR },
    ...overrides
  }
}

export interface Ledger {
  app: FastifyInstance
  config: Config
  databaseUrl: string
  topicPrefix: string
  /** A pool of the test's own, for looking at and tampering with the tables directly. */
  sql: pg.Pool
}

interface Teardown { teardown: (fn: () => unknown) => void }

/**
 * Builds the ledger on a fresh database and topic prefix; everything is dropped in teardown. Its
 * residence check asks the demo BRP of demo partners started for it, unless `env` names a BRP_URL.
 */
export async function startLedger (t: Teardown, label: string, options: { now?: () => Date, env?: Record<string, string> } = {}): Promise<Ledger> {
  let brpUrl = options.env?.BRP_URL
  if (brpUrl === undefined) {
    const partners = await startDemoPartners()
    t.teardown(() => partners.close())
    brpUrl = partners.brpUrl
  }
  const db = await freshDatabase(label)
  const topicPrefix = freshTopicPrefix(label)
  const config = readConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: topicPrefix, LOG_LEVEL: 'silent', PORT: '0', KAFKA_PARTITIONS: '1', ...options.env, BRP_URL: brpUrl })
  const app = await buildApp(config, options.now ? { now: options.now } : {})
  const sql = new pg.Pool({ connectionString: db.url, max: 4 })
  t.teardown(async () => {
    await app.close()
    await sql.end()
    await db.drop()
  })
  return { app, config, databaseUrl: db.url, topicPrefix, sql }
}

export async function openCase (app: FastifyInstance, body: Record<string, unknown> = hulpvraagBody()): Promise<{ caseId: string, res: LightMyRequestResponse }> {
  const res = await app.inject({ method: 'POST', url: '/v1/cases', headers: callers.college(), payload: body })
  if (res.statusCode !== 201) throw new Error(`opening failed: ${res.statusCode} ${res.body}`)
  return { caseId: res.json().caseId as string, res }
}

/** Codes of a problem's errors, sorted. */
export function codes (res: LightMyRequestResponse): string[] {
  return ((res.json().errors ?? []) as Array<{ code: string }>).map((e) => e.code).sort()
}
