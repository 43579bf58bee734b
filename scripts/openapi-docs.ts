// Writes the OpenAPI documents of the three services (GET /v1/openapi.json) to a folder, for
// `npm run lint`. Each service is built in this process in its offline mode: the routes and the
// document only, nothing connects (no PostgreSQL, no Kafka) and nothing starts. Dev keys go to a
// temporary DATA_DIR, removed at the end.
//   node --import tsx scripts/openapi-docs.ts [out-dir]     (default: build/openapi)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp as buildGateway, readConfig as gatewayConfig } from '@wams/gateway'
import { buildApp as buildLedger, readConfig as ledgerConfig } from '@wams/consent-ledger'
import { buildApp as buildAudit, readConfig as auditConfig } from '@wams/audit'

export const SERVICES = ['gateway', 'consent-ledger', 'audit'] as const
export type ServiceName = typeof SERVICES[number]

/** The published document of each service, built offline. */
export async function openapiDocuments (): Promise<Record<ServiceName, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'wams-openapi-'))
  const env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0' }
  const builders: Record<ServiceName, () => Promise<FastifyInstance>> = {
    gateway: () => buildGateway(gatewayConfig(env), { offline: true }),
    'consent-ledger': () => buildLedger(ledgerConfig(env), { offline: true }),
    audit: () => buildAudit(auditConfig(env), { offline: true })
  }
  const docs: Partial<Record<ServiceName, unknown>> = {}
  try {
    for (const name of SERVICES) {
      const app = await builders[name]()
      try {
        const res = await app.inject({ method: 'GET', url: '/v1/openapi.json' })
        if (res.statusCode !== 200) throw new Error(`${name}: GET /v1/openapi.json answered ${res.statusCode}`)
        docs[name] = res.json()
      } finally {
        await app.close()
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
  return docs as Record<ServiceName, unknown>
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = resolve(process.argv[2] ?? 'build/openapi')
  mkdirSync(out, { recursive: true })
  const docs = await openapiDocuments()
  for (const name of SERVICES) {
    writeFileSync(join(out, `${name}.json`), `${JSON.stringify(docs[name], null, 2)}\n`)
    process.stdout.write(`${join(out, `${name}.json`)}\n`)
  }
}
