// Console load time for a log of 100,000 events, measured in the browser (issue 12, closing note).
// An audit service on a fresh database is filled through the store's own path (AuditStore.handle:
// validate, canonicalise, hash, insert; the service's sequencer builds the tree and signs the
// checkpoint), with decision events made by the gateway's own builder. Then Debian's Chromium
// (playwright-core) opens each page for a supervisor in a fresh tab and we time, from navigation:
// the first feed rows; the charts drawn; the log-health page's checkpoint verified; an event page's
// "geverifieerd". Prints a table.
// Run: node --import tsx bench/console.ts [events, default 100000] [runs, default 3]
import { randomBytes, randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import { chromium, type BrowserContext } from 'playwright-core'
import { LOCAL_POSTGRES, createPool, dropDatabase, ensureDatabase, parseTraceparent, type AuditEvent, type ConsumedMessage } from '@wams/platform'
import { buildApp, readConfig } from '../services/audit/src/index.ts'
import { AuditStore } from '../services/audit/src/store.ts'
import { decisionEvent } from '../services/gateway/src/decision-audit.ts'
import { token } from '../test/support/tokens.ts'

const EVENTS = Number(process.argv[2] ?? 100_000)
const RUNS = Number(process.argv[3] ?? 3)
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const log = (s: string) => process.stderr.write(`${s}\n`)

const GEMEENTEN = ['00000099000000000101', '00000099000000000102']
const REQUESTERS: Array<[string, string]> = [[GEMEENTEN[0]!, 'gemeente'], [GEMEENTEN[1]!, 'gemeente'], ['00000099000000001301', 'politie'], ['00000099000000000201', 'zorgaanbieder']]
const PROVIDERS = ['00000099000000000201', '00000099000000000301', '00000099000000001301', '00000099000000000702']
const CATEGORIES = ['health', 'identity', 'criminal', 'safety', 'housing', 'involvement']
const DENY_REASONS = ['CATEGORY_NOT_PERMITTED', 'PROVIDER_NOT_PARTICIPANT', 'ROLE_NOT_PERMITTED', 'OBJECTION_PENDING', 'FIELD_NOT_NECESSARY']
const DAYS = 30

/** A realistic mix: mostly permits, a fifth denied, some refused, not known or failed; 30 days; answer times log-normal around 150 ms. */
function makeEvents (n: number): AuditEvent[] {
  const cases = Array.from({ length: 2000 }, () => randomUUID())
  const now = Date.now()
  const events: AuditEvent[] = []
  for (let i = 0; i < n; i++) {
    const [org, partyType] = REQUESTERS[i % REQUESTERS.length]!
    const r = (i * 7919) % 100
    const outcome = r < 60 ? 'permit' : r < 80 ? 'deny' : r < 88 ? 'refused' : r < 97 ? 'not-known' : 'error'
    const durationMs = Math.round(Math.exp(Math.log(150) + 0.8 * Math.sqrt(-2 * Math.log(Math.random() || 1e-9)) * Math.cos(2 * Math.PI * Math.random())))
    const detail = outcome === 'deny'
      ? { decision: 'deny' as const, durationMs }
      : outcome === 'error'
        ? { decision: 'permit' as const, partnerStatus: null, error: 'PARTNER_TIMEOUT', durationMs }
        : { decision: 'permit' as const, partnerStatus: { permit: 200, refused: 451, 'not-known': 404 }[outcome], durationMs, ...(outcome === 'refused' ? { providerReason: 'Medisch beroepsgeheim: geen toestemming van de patiënt.' } : {}) }
    events.push(decisionEvent({
      type: 'data-request.decision',
      requestId: randomUUID(),
      trace: parseTraceparent(undefined),
      principal: { iss: 'https://idp.example', org, sub: `user-${i % 37}`, roles: ['college'] },
      partyType,
      caseId: cases[i % cases.length]!,
      subjectRef: randomBytes(32).toString('base64url').slice(0, 43),
      provider: PROVIDERS[i % PROVIDERS.length]!,
      category: CATEGORIES[i % CATEGORIES.length]!,
      purpose: 'onderzoek',
      fieldsRequested: ['careInvolved', 'careType'],
      fieldsReleased: outcome === 'permit' ? ['careInvolved', 'careType'] : [],
      outcome,
      reasons: outcome === 'deny' ? [DENY_REASONS[i % DENY_REASONS.length]!] : [],
      necessity: 'Nodig om te beoordelen of zorg al betrokken is bij het gezin en om dubbele hulp te voorkomen.',
      legalBasis: 'Wams art. 2.4; AVG art. 6 lid 1 sub e',
      policyVersion: 'a'.repeat(64),
      detail
    }, new Date(now - ((n - i) / n) * DAYS * 86400000)))
  }
  return events
}

async function main (): Promise<void> {
  const url = new URL(process.env.WAMS_POSTGRES_SERVER ?? LOCAL_POSTGRES)
  url.pathname = `/bench_console_${randomBytes(4).toString('hex')}`
  const dbUrl = url.toString()
  await ensureDatabase(dbUrl)
  const app = await buildApp(readConfig({
    DATABASE_URL: dbUrl, KAFKA_TOPIC_PREFIX: `bench.${randomBytes(4).toString('hex')}.`, KAFKA_BROKERS: BROKERS, LOG_LEVEL: 'silent', PORT: '0', CHECKPOINT_INTERVAL_MS: '1000'
  }))
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const rows: Array<[string, string]> = []
  const pool = createPool(dbUrl, 4)
  try {
    let t0 = performance.now()
    const events = makeEvents(EVENTS)
    log(`${EVENTS} events built in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    // The store's own path, as the Kafka consumer calls it: batches of 1000 messages.
    const store = new AuditStore({ pool, logger: pino({ level: 'silent' }), instanceId: 'bench-console' })
    t0 = performance.now()
    for (let i = 0; i < events.length; i += 1000) {
      const batch: ConsumedMessage[] = events.slice(i, i + 1000).map((e, j) => ({ topic: 'bench', partition: 0, offset: String(i + j), key: e.eventId, value: JSON.stringify(e), headers: {} }))
      await store.handle(batch)
    }
    const storedS = (performance.now() - t0) / 1000
    for (;;) {
      const { rows: [r] } = await pool.query<{ size: string | null }>('SELECT max(tree_size) AS size FROM checkpoints')
      if (Number(r?.size ?? 0) >= EVENTS) break
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    const filledS = (performance.now() - t0) / 1000
    rows.push(['fill: stored (AuditStore.handle)', `${storedS.toFixed(1)} s (${Math.round(EVENTS / storedS)} events/s)`])
    rows.push(['fill: sequenced and checkpointed', `${filledS.toFixed(1)} s`])
    log(`filled in ${filledS.toFixed(1)} s`)

    const supervisor = token({ org: '00000099000000001501', roles: ['supervisor'], sub: 'ap-inspecteur', ttlSeconds: 3600 })
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true })
    const context: BrowserContext = await browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 } })
    // Signed in as after pasting the token (sessionStorage of each new tab, never a URL).
    await context.addInitScript((tok) => { sessionStorage.setItem('wams.console.token', tok) }, supervisor)
    const middle = events[Math.floor(EVENTS / 2)]!.eventId
    const timed = async (hash: string, ready: (page: import('playwright-core').Page) => Promise<unknown>): Promise<number> => {
      const page = await context.newPage()
      page.setDefaultTimeout(180_000)
      const start = performance.now()
      await page.goto(`${base}/console/#/${hash}`)
      await ready(page)
      const ms = performance.now() - start
      await page.close()
      return ms
    }
    const measures: Array<[string, string, (page: import('playwright-core').Page) => Promise<unknown>]> = [
      ['feed: first rows', 'feed', (p) => p.locator('#feed-rows tr').first().waitFor()],
      ['charts: drawn', 'charts', async (p) => {
        await p.locator('#charts-status', { hasText: 'besluiten geladen' }).waitFor()
        await p.waitForFunction(() => document.querySelectorAll('#charts canvas').length >= 7)
      }],
      ['log health: checkpoint verified', 'log', (p) => p.locator('#log-verdict', { hasText: '✓ Log in orde' }).waitFor()],
      [`event page: "geverifieerd" (leaf ${Math.floor(EVENTS / 2)})`, `event/${middle}`, (p) => p.locator('#verdict', { hasText: '✓ geverifieerd' }).waitFor()]
    ]
    // A first load bundles the console (esbuild, once per service) and warms the caches: not counted.
    await timed('feed', measures[0]![2])
    let chartsStatus = ''
    for (const [name, hash, ready] of measures) {
      const runs: number[] = []
      for (let i = 0; i < RUNS; i++) runs.push(await timed(hash, ready))
      runs.sort((a, b) => a - b)
      rows.push([name, `median ${runs[Math.floor(runs.length / 2)]!.toFixed(0)} ms (${runs.map((r) => r.toFixed(0)).join(', ')})`])
      log(`${name}: ${runs.map((r) => r.toFixed(0)).join(', ')} ms`)
    }
    {
      const page = await context.newPage()
      page.setDefaultTimeout(180_000)
      await page.goto(`${base}/console/#/charts`)
      await page.locator('#charts-status', { hasText: 'besluiten geladen' }).waitFor()
      chartsStatus = await page.locator('#charts-status').innerText()
      await page.close()
    }
    rows.push(['charts: what was drawn', chartsStatus])
    await browser.close()
  } finally {
    await pool.end()
    await app.close()
    await dropDatabase(dbUrl)
  }
  const width = Math.max(...rows.map(([a]) => a.length))
  console.log(`\nConsole load times, ${EVENTS.toLocaleString('en')} events, ${RUNS} run(s) each, fresh tab per load (Chromium ${CHROMIUM})\n`)
  console.log(`${'measure'.padEnd(width)} | result`)
  console.log(`${'-'.repeat(width)}-|-${'-'.repeat(40)}`)
  for (const [a, b] of rows) console.log(`${a.padEnd(width)} | ${b}`)
}

await main()
