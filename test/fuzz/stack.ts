// The three services in this process, as test/e2e.test.ts builds them: fresh databases, one fresh
// topic prefix, the demo partners behind a test register. The audit service listens (producers
// ask it for inclusion receipts at AUDIT_URL; the SSE stream is fuzzed over real HTTP) and signs
// a checkpoint every 200 ms; the ledger listens for the gateway. The gateway logs into a scanner
// that keeps only the lines holding a BSN of the fuzzer's pool.
import pg from 'pg'
import pino from 'pino'
import { Writable } from 'node:stream'
import { createServer, type AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { loggerOptions } from '@wams/platform'
import { buildApp as buildLedger, readConfig as ledgerConfig } from '@wams/consent-ledger'
import { buildApp as buildGateway, readConfig as gatewayConfig } from '@wams/gateway'
import { buildApp as buildAudit, readConfig as auditConfig } from '@wams/audit'
import { freshDatabase, freshTopicPrefix } from '../support/infra.ts'
import { startDemoPartners, writeTestRegister } from '../support/partners.ts'
import { BSN_POOL } from './values.ts'

export interface Stack {
  gateway: FastifyInstance
  ledger: FastifyInstance
  audit: FastifyInstance
  auditUrl: string
  /** Where each service listens (raw sockets of wire.ts; the SSE stream). */
  ports: Record<'gateway' | 'ledger' | 'audit', number>
  gatewaySql: pg.Pool
  ledgerSql: pg.Pool
  auditSql: pg.Pool
  topicPrefix: string
  /** Gateway log lines seen, and the ones that held a BSN of the pool (first few kept). */
  log: { lines: number, bsnLines: number, samples: string[] }
}

interface Teardown { teardown: (fn: () => unknown) => void }

const BSN_IN_LINE = new RegExp(`(?<![0-9])(?:${BSN_POOL.join('|')})(?![0-9])`)

/** The broker is shared: a topic-metadata hiccup at start is retried, not a failed run. */
async function withRetry<T> (what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (err) {
      if (attempt >= 4 || !/Kafka/.test((err as Error).message)) throw err
      process.stderr.write(`# fuzz: ${what} did not start (${(err as Error).message}); again\n`)
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt))
    }
  }
}

const url = (app: FastifyInstance) => `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

/** A port nobody listens on now: the audit service must know the ledger's URL before the ledger starts. */
async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export async function startStack (t: Teardown, env: { gateway?: Record<string, string> } = {}): Promise<Stack> {
  const topicPrefix = freshTopicPrefix('fuzz')
  const common = { KAFKA_TOPIC_PREFIX: topicPrefix, LOG_LEVEL: 'silent', PORT: '0', KAFKA_PARTITIONS: '2', EVIDENCE_INTERVAL_MS: '250' }
  const [ledgerDb, gatewayDb, auditDb] = await Promise.all([freshDatabase('fuzz_ledger'), freshDatabase('fuzz_gw'), freshDatabase('fuzz_audit')])
  const pools: pg.Pool[] = []
  // One teardown, last started first: the services, then the partners, the pools, the databases.
  const closers: Array<() => unknown> = []
  t.teardown(async () => {
    for (const close of closers.reverse()) await close()
  })
  closers.push(async () => { await ledgerDb.drop(); await gatewayDb.drop(); await auditDb.drop() })
  closers.push(() => Promise.all(pools.map((p) => p.end())))
  const pool = (u: string) => {
    const p = new pg.Pool({ connectionString: u, max: 3 })
    p.on('error', () => {})
    pools.push(p)
    return p
  }

  const partners = await startDemoPartners()
  closers.push(() => partners.close())

  // The audit service asks the ledger before it gives a municipality a subject report; the ledger
  // sends the audit service its receipts: the ledger's port is chosen first.
  const ledgerPort = await freePort()
  const audit = await withRetry('audit', () => buildAudit(auditConfig({ ...common, DATABASE_URL: auditDb.url, CHECKPOINT_INTERVAL_MS: '200', CONSENT_LEDGER_URL: `http://127.0.0.1:${ledgerPort}` })))
  closers.push(() => audit.close())
  await audit.listen({ host: '127.0.0.1', port: 0 })
  const auditUrl = url(audit)

  // The residence check asks the demo BRP of the demo partners (SPEC §2).
  const brpUrl = `${partners.baseUrl}/brp/haalcentraal/api/brp`
  const ledger = await withRetry('consent ledger', () => buildLedger(ledgerConfig({ ...common, DATABASE_URL: ledgerDb.url, AUDIT_URL: auditUrl, BRP_URL: brpUrl })))
  closers.push(() => ledger.close())
  await ledger.listen({ host: '127.0.0.1', port: ledgerPort })

  const log = { lines: 0, bsnLines: 0, samples: [] as string[] }
  const stream = new Writable({
    write (chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) {
        if (line === '') continue
        log.lines++
        if (BSN_IN_LINE.test(line)) {
          log.bsnLines++
          if (log.samples.length < 5) log.samples.push(line.replace(/[0-9]{9}/g, (m) => `${m.slice(0, 3)}XXXXXX`).slice(0, 300))
        }
      }
      done()
    }
  })
  const gateway = await withRetry('gateway', () => buildGateway(gatewayConfig({
    ...common,
    DATABASE_URL: gatewayDb.url,
    AUDIT_URL: auditUrl,
    CONSENT_LEDGER_URL: url(ledger),
    REGISTER_FILE: writeTestRegister(partners.baseUrl),
    ...env.gateway
  }), { logger: pino(loggerOptions('gateway', 'info'), stream) }))
  closers.push(() => gateway.close())
  await gateway.listen({ host: '127.0.0.1', port: 0 })
  const port = (app: FastifyInstance) => (app.server.address() as AddressInfo).port

  return {
    gateway,
    ledger,
    audit,
    auditUrl,
    topicPrefix,
    log,
    ports: { gateway: port(gateway), ledger: port(ledger), audit: port(audit) },
    gatewaySql: pool(gatewayDb.url),
    ledgerSql: pool(ledgerDb.url),
    auditSql: pool(auditDb.url)
  }
}
