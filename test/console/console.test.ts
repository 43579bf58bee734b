// The supervisor's console (issue 12 item 3) in a real browser: Debian's Chromium driven by
// playwright-core (no browser download), against a real audit service on real PostgreSQL and Kafka
// with events made by the gateway's and the consent ledger's own builders (./audit/support.ts).
// - sign in with a pasted supervisor token; the live feed shows the history, a decision made
//   during the test, and the flagged decision highlighted;
// - the event page recomputes the leaf hash and the inclusion proof in the browser: "geverifieerd";
//   the same event altered on its way (a request interception) is "niet geverifieerd", and so is an
//   event whose stored content the test changes in the audit service's PostgreSQL (the leaf hash
//   and the tree stay as they were), while an untouched event still verifies;
// - the log's health: the signed note verified in the browser, then consistency with the previous
//   checkpoint after the log grew;
// - the inzage report renders, and in print media the navigation and the form are hidden;
// - charts are drawn; English is one click away;
// - axe-core finds no WCAG 2.1 A/AA violation on any page; no request URL holds the token or the
//   BSN; every API answer is Cache-Control: no-store, the static console files cacheable; the console's CSP reports no violation.
// Screenshots of each page go to .tap/console/.
import t, { type Test } from 'tap'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { AuditEvent } from '@wams/platform'
import { cosignerVerifierKey, generateSigningKey, parseNote, signCosignature } from '@wams/transparency-log'
import { ORG, caseOpened, decision, freshInfra, producer, pseudonymise, send, startAudit, waitForCheckpoint } from '../audit/support.ts'
import { token } from '../support/tokens.ts'

t.setTimeout(90_000)
const started = Date.now()
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (!existsSync(CHROMIUM)) {
  t.fail(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`)
  process.exit(1)
}
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const SHOTS = new URL('../../.tap/console/', import.meta.url).pathname
mkdirSync(SHOTS, { recursive: true })

const BSN = '999990019'
const subjectRef = pseudonymise('bsn', BSN)
const caseId = randomUUID()
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86400000)
const isoDay = (d: Date) => d.toISOString().slice(0, 10)
const PROTECTS = 'De kinderen in het gezin lopen acuut gevaar; hun veiligheid moet nu beoordeeld worden.'

// The supervisor's witness: the log accepts its cosignatures (WITNESS_KEYS); the console checks them
// only with the key the supervisor pastes into it.
const witness = { name: 'ap.example/witness', privateKey: generateSigningKey().privateKey }
const witnessKey = cosignerVerifierKey(witness.name, witness.privateKey)

const infra = await freshInfra(t, 'console')
const audit = await startAudit(t, infra, { env: { WITNESS_KEYS: witnessKey } })
await audit.listen({ host: '127.0.0.1', port: 0 })
const base = `http://127.0.0.1:${(audit.server.address() as AddressInfo).port}`
const broker = await producer(t, infra)

const gemeente = { requester: ORG.voorbeeldstad, requesterType: 'gemeente', caseId, subjectRef }
const history: AuditEvent[] = [
  ...caseOpened(caseId, ORG.voorbeeldstad, day(3), { subjects: [{ subjectRef, role: 'client' }] }),
  // Answer times (detail.durationMs) on some events; the others are as written before it was recorded.
  decision({ ...gemeente, provider: ORG.zorggroep, outcome: 'permit', time: day(3), detail: { decision: 'permit', partnerStatus: 200, durationMs: 180 } }),
  decision({ ...gemeente, provider: ORG.huisarts, outcome: 'refused', time: day(2), detail: { decision: 'permit', partnerStatus: 451, providerReason: 'Medisch beroepsgeheim: geen toestemming van de patiënt.', durationMs: 420 } }),
  decision({ ...gemeente, provider: ORG.politie, outcome: 'deny', category: 'criminal', fields: ['policeContacts'], reasons: ['CATEGORY_NOT_PERMITTED'], time: day(2), detail: { decision: 'deny', durationMs: 12 } }),
  decision({ requester: ORG.politie, requesterType: 'politie', caseId, subjectRef, provider: ORG.zorggroep, outcome: 'deny', purpose: 'casusoverleg', reasons: ['PROVIDER_NOT_PARTICIPANT', 'ROLE_NOT_PERMITTED'], roles: ['professional'], time: day(1) }),
  decision({
    ...gemeente,
    provider: ORG.zorggroep,
    outcome: 'permit',
    category: 'identity',
    fields: ['name'],
    reasons: ['OBJECTION_PENDING_OVERRIDDEN'],
    roles: ['coordinator'],
    time: day(1),
    detail: { decision: 'permit', partnerStatus: 200, flags: ['objection-overridden'], protectsOthers: { reason: PROTECTS } }
  }),
  decision({ ...gemeente, provider: ORG.huisarts, outcome: 'not-known', time: day(0) })
]
const [permit, refused, , , flagged] = history.slice(1)
await send(broker, history)
await waitForCheckpoint(audit, history.length, 45_000)

const supervisorToken = token({ org: ORG.ap, roles: ['supervisor'], sub: 'ap-inspecteur' })

const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true })
t.teardown(() => browser.close())
const context = await browser.newContext({ locale: 'nl-NL', viewport: { width: 1280, height: 900 } })
const page: Page = await context.newPage()
page.setDefaultTimeout(15_000)

const urls: string[] = []
const withoutNoStore: string[] = []
const staticNotCacheable: string[] = []
const staticSeen = new Set<string>()
const cspErrors: string[] = []
context.on('request', (request) => { urls.push(request.url()) })
context.on('response', (response) => {
  const url = response.url()
  if (!url.startsWith(base) || response.status() >= 400) return
  const cacheControl = response.headers()['cache-control'] ?? ''
  // The console's own files hold no personal data: cacheable; every API answer: no-store.
  if (new URL(url).pathname.startsWith('/console')) {
    staticSeen.add(new URL(url).pathname)
    if (response.status() === 200 && !/public, max-age=300/.test(cacheControl)) staticNotCacheable.push(url)
  } else if (response.status() < 300 && !/no-store/.test(cacheControl)) withoutNoStore.push(url)
})
page.on('console', (message) => { if (message.type() === 'error') cspErrors.push(message.text()) })
page.on('pageerror', (err) => { cspErrors.push(`page error: ${err.message}`) })

async function axe (t: Test, name: string): Promise<void> {
  await page.evaluate(AXE)
  const violations = await page.evaluate(async () => {
    const run = (globalThis as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: Array<{ id: string, impact: string, nodes: Array<{ target: string[] }> }> }> } }).axe.run
    const result = await run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)
  })
  t.same(violations, [], `${name}: axe-core finds no WCAG 2.1 A/AA violation`)
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true })
}

t.test('sign in with a pasted token; the live feed shows history, a new decision and the flagged one', async (t) => {
  const res = await page.goto(`${base}/console/`)
  t.equal(res?.status(), 200)
  t.match(res?.headers()['content-security-policy'], /script-src 'self'(;|$)/, 'no inline script allowed')
  await page.locator('h1', { hasText: 'Aanmelden' }).waitFor()
  t.equal(await page.getAttribute('html', 'lang'), 'nl', 'Dutch by default')
  await axe(t, 'signin')

  await page.getByLabel('Toegangstoken').fill(supervisorToken)
  await page.getByRole('button', { name: 'Aanmelden' }).click()
  await page.locator('h1', { hasText: 'Live besluiten' }).waitFor()
  t.equal(await page.evaluate(() => sessionStorage.getItem('wams.console.token')), supervisorToken, 'the token is in sessionStorage')
  t.equal(await page.evaluate(() => localStorage.getItem('wams.console.token')), null, 'and not in localStorage')
  await page.locator('#feed-status', { hasText: 'Live verbonden' }).waitFor()
  await page.locator(`#feed-rows tr[data-event-id="${permit!.eventId}"]`).waitFor()
  t.equal(await page.locator('#feed-rows tr').count(), history.length, 'every event of the history')

  const row = page.locator(`#feed-rows tr[data-event-id="${flagged!.eventId}"]`)
  t.match(await row.getAttribute('class'), /flagged/, 'the overridden objection is highlighted')
  t.match(await row.innerText(), /Gemarkeerd: bezwaar doorbroken ter bescherming van anderen/, 'and says so in words')

  const live = decision({ ...gemeente, provider: ORG.politie, outcome: 'deny', category: 'safety', fields: ['riskAssessment'], reasons: ['CATEGORY_NOT_PERMITTED'] })
  await send(broker, [live])
  await page.locator(`#feed-rows tr[data-event-id="${live.eventId}"]`).waitFor({ timeout: 20_000 })
  t.equal(await page.locator('#feed-rows tr').first().getAttribute('data-event-id'), live.eventId, 'a decision made now arrives live, on top')

  await page.getByLabel('Doel').selectOption('casusoverleg')
  await page.getByRole('button', { name: 'Toepassen' }).click()
  await page.locator('#feed-status', { hasText: 'Live verbonden' }).waitFor()
  await page.waitForFunction(() => document.querySelectorAll('#feed-rows tr').length === 1)
  t.match(await page.locator('#feed-rows tr').innerText(), /casusoverleg/, 'filtered by purpose')
  await page.getByLabel('Alleen gemarkeerde besluiten').check()
  await page.getByLabel('Doel').selectOption('')
  await page.getByRole('button', { name: 'Toepassen' }).click()
  await page.waitForFunction(() => document.querySelectorAll('#feed-rows tr').length === 1 && document.querySelector('#feed-rows tr.flagged') !== null)
  t.pass('filtered to the flagged decisions')
  await page.getByRole('button', { name: 'Wissen' }).click()
  await page.waitForFunction((n) => document.querySelectorAll('#feed-rows tr').length === n, history.length + 1)
  await axe(t, 'feed')
})

t.test('the event page verifies the event in the browser; a tampered event is not verified', async (t) => {
  await page.locator(`#feed-rows tr[data-event-id="${permit!.eventId}"] a`).click()
  await page.locator('#verdict').waitFor()
  t.equal(await page.locator('#verdict').innerText(), '✓ geverifieerd')
  t.equal(await page.locator('#verdict').getAttribute('data-verified'), 'true')
  t.equal(await page.locator('#event-checks li.ok').count(), 4, 'checkpoint signature, leaf hash, server leaf hash, inclusion proof')
  await axe(t, 'event')

  // The service's answer altered in flight: the event says deny where the log holds permit.
  const pattern = `${base}/v1/audit/events/${permit!.eventId}`
  await page.route(pattern, async (route) => {
    const response = await route.fetch()
    const body = await response.json() as { event: { outcome: string } }
    body.event.outcome = 'deny'
    await route.fulfill({ response, json: body })
  })
  await page.reload()
  await page.locator('#verdict').waitFor()
  t.equal(await page.locator('#verdict').innerText(), '✗ niet geverifieerd', 'a changed event is not verified')
  t.equal(await page.locator('#verdict').getAttribute('data-verified'), 'false')
  t.ok(await page.locator('#event-checks li.bad').count() >= 1, 'the failing checks are shown')
  t.match(await page.locator('#event-result').innerText(), /De wiskunde klopt niet/)
  await page.screenshot({ path: `${SHOTS}event-tampered.png`, fullPage: true })
  await page.unroute(pattern)

  // A proof altered in flight fails too, with the event itself intact.
  await page.route(pattern, async (route) => {
    const response = await route.fetch()
    const body = await response.json() as { inclusionProof: string[] }
    body.inclusionProof = body.inclusionProof.map((p, i) => i === 0 ? `${p[0] === 'A' ? 'B' : 'A'}${p.slice(1)}` : p)
    await route.fulfill({ response, json: body })
  })
  await page.reload()
  await page.locator('#verdict').waitFor()
  t.equal(await page.locator('#verdict').innerText(), '✗ niet geverifieerd', 'a changed proof is not verified')
  await page.unroute(pattern)
})

t.test('an event changed in the database is not verified; an untouched one still is', async (t) => {
  // What an insider with write access to the audit database might do: rewrite the stored event
  // (here its category) and leave the leaf hash and the tree alone. The service serves what it
  // stores; only the browser's recomputation can tell.
  const changed = await audit.auditLog.pool.query(
    `UPDATE audit_events SET event = jsonb_set(event, '{category}', '"identity"'), category = 'identity'
     WHERE event_id = $1 AND event->>'category' = 'health'`, [refused!.eventId])
  t.equal(changed.rowCount, 1, 'the stored event of one leaf rewritten')
  await page.goto(`${base}/console/#/event/${refused!.eventId}`)
  await page.locator('#verdict').waitFor()
  t.equal(await page.locator('#verdict').innerText(), '✗ niet geverifieerd', 'the event changed in the database is not verified')
  t.equal(await page.locator('#verdict').getAttribute('data-verified'), 'false')
  t.match(await page.locator('#event-result .facts').last().innerText(), /Identiteit|identity/i, 'the page shows the content as stored now')
  const bad = await page.locator('#event-checks li.bad').allInnerTexts()
  t.ok(bad.some((b) => /bladhash van de server is gelijk aan de hier berekende/.test(b)), 'the failing check is named: the leaf hash computed here is not the logged one')
  t.ok(bad.some((b) => /Inclusiebewijs/.test(b)), 'and the inclusion proof does not lead to the signed root')
  t.equal(await page.locator('#event-checks li.ok', { hasText: 'Checkpoint ondertekend' }).count(), 1, 'the checkpoint itself is still signed')
  await page.screenshot({ path: `${SHOTS}event-tampered-db.png`, fullPage: true })

  await page.goto(`${base}/console/#/event/${permit!.eventId}`)
  await page.locator('#verdict').waitFor()
  t.equal(await page.locator('#verdict').innerText(), '✓ geverifieerd', 'an untouched event of the same log still verifies')
})

t.test('log health: the signed note checked in the browser, then consistency after the log grew', async (t) => {
  await page.goto(`${base}/console/#/log`)
  await page.locator('#log-verdict').waitFor()
  t.equal(await page.locator('#log-verdict').innerText(), '✓ Log in orde')
  t.match(await page.locator('#check-signature').getAttribute('class') ?? '', '', 'signature line present')
  t.match(await page.locator('#check-signature').innerText(), /✓/, 'the log\'s signature verifies with the key of /v1/audit/keys')
  const first = Number((await page.locator('#tree-size').innerText()).replace(/\D/g, ''))
  t.ok(first >= history.length + 1, `tree size ${first}`)

  const more = [decision({ ...gemeente, provider: ORG.zorggroep, outcome: 'permit' }), decision({ ...gemeente, provider: ORG.zorggroep, outcome: 'permit' })]
  await send(broker, more)
  await waitForCheckpoint(audit, first + more.length, 30_000)
  await page.getByRole('button', { name: 'Opnieuw controleren' }).click()
  await page.locator('#check-consistency', { hasText: `Consistent vanaf grootte ${first}` }).waitFor()
  t.equal(await page.locator('#log-verdict').innerText(), '✓ Log in orde', 'consistent with the checkpoint seen before, proof checked here')

  // The witness cosigns the current checkpoint; the console checks the line with the key pasted into it.
  const served = (await audit.inject({ url: '/v1/audit/checkpoint' })).json() as { treeSize: number, signedNote: string }
  const line = signCosignature(parseNote(served.signedNote).text, witness, Math.floor(Date.now() / 1000) - 1)
  const posted = await audit.inject({ method: 'POST', url: `/v1/audit/checkpoints/${served.treeSize}/cosignatures`, headers: { authorization: `Bearer ${supervisorToken}` }, payload: { cosignature: line } })
  t.equal(posted.statusCode, 201, posted.body.slice(0, 200))
  await page.getByRole('button', { name: 'Opnieuw controleren' }).click()
  await page.locator('table.signatures tbody tr', { hasText: witness.name }).waitFor()
  t.match(await page.locator('table.signatures tbody tr', { hasText: witness.name }).innerText(), /niet gecontroleerd/, 'an unknown witness key: not checked')
  await page.getByLabel(/Sleutels van getuigen/).fill(witnessKey)
  await page.getByRole('button', { name: 'Sleutels gebruiken' }).click()
  await page.locator('#witness-status', { hasText: '1 sleutel(s) in gebruik' }).waitFor()
  await page.locator('table.signatures tbody tr', { hasText: 'geldig' }).nth(1).waitFor()
  t.match(await page.locator('table.signatures tbody tr', { hasText: witness.name }).innerText(), /medeondertekening \(getuige\)[\s\S]*geldig/, 'the cosignature verifies in the browser')
  t.equal(await page.locator('#log-verdict').innerText(), '✓ Log in orde')

  // A remembered checkpoint of another history: the browser refuses the current one.
  await page.evaluate((size) => sessionStorage.setItem('wams.console.previousCheckpoint', JSON.stringify({ origin: JSON.parse(sessionStorage.getItem('wams.console.previousCheckpoint')!).origin, size, rootHash: btoa(String.fromCharCode(...new Uint8Array(32).fill(7))) })), first)
  await page.getByRole('button', { name: 'Opnieuw controleren' }).click()
  await page.locator('#log-verdict', { hasText: 'Probleem met het log' }).waitFor()
  t.match(await page.locator('#check-consistency').innerText(), /NIET consistent/, 'a split view is shown as such')
  await axe(t, 'log')
})

t.test('the inzage report renders and prints without navigation', async (t) => {
  await page.goto(`${base}/console/#/inzage`)
  await page.getByLabel('BSN').fill(BSN)
  await page.getByRole('button', { name: 'Overzicht opvragen' }).click()
  await page.locator('#report-heading').waitFor()
  t.match(await page.locator('.report').innerText(), /Verstrekkingen/)
  t.equal(await page.getByLabel('BSN').inputValue(), '', 'the BSN is cleared from the form')
  await axe(t, 'inzage')
  await page.emulateMedia({ media: 'print' })
  const hidden = await page.evaluate(() => ['.site-header', 'nav', 'form', '.site-footer'].map((s) => getComputedStyle(document.querySelector(s)!).display))
  t.same(hidden, ['none', 'none', 'none', 'none'], 'print media: no navigation, no form')
  t.not(await page.evaluate(() => getComputedStyle(document.querySelector('.report')!).display), 'none', 'the report itself prints')
  await page.pdf({ path: `${SHOTS}inzage.pdf` }).catch(() => {})
  await page.screenshot({ path: `${SHOTS}inzage-print.png`, fullPage: true })
  await page.emulateMedia({ media: 'screen' })
})

t.test('charts, and the English switch', async (t) => {
  await page.goto(`${base}/console/#/charts`)
  await page.locator('#charts-status', { hasText: 'besluiten geladen' }).waitFor()
  await page.waitForFunction(() => document.querySelectorAll('#charts canvas').length >= 5)
  t.match(await page.locator('#chart-deny-reasons').innerText(), /Redenen van de regels/)
  const tableText = await page.locator('#chart-deny-reasons table').textContent()
  t.match(tableText, /CATEGORY_NOT_PERMITTED2/, 'deny reasons ranked: the most frequent first')
  // Answer times: p50/p95 per day from detail.durationMs, computed by the service (percentile_cont;
  // day 2: 12 and 420 ms give 216 and 399.6), and their distribution.
  const daily = await page.locator('#chart-answer-times-day table tbody tr').allTextContents()
  t.same(daily, [`${isoDay(day(3))}1801801`, `${isoDay(day(2))}216399.62`], 'p50 and p95 per day, and how many events carry a time')
  t.match(await page.locator('#chart-answer-times-day').innerText(), /detail\.durationMs/, 'what the time is, in words')
  t.match(await page.locator('#chart-answer-times table').textContent(), /0–50 ms1.*100–250 ms1.*250–500 ms1/s, 'the distribution')
  await axe(t, 'charts')

  await page.getByRole('button', { name: 'Switch to English' }).click()
  await page.locator('h1', { hasText: 'Charts' }).waitFor()
  t.equal(await page.getAttribute('html', 'lang'), 'en')
  await page.locator('#charts-status', { hasText: 'decisions loaded' }).waitFor()
  await axe(t, 'charts-en')
})

t.test('no token or BSN in any URL; every API answer no-store; static console files cacheable; no CSP violation or script error', async (t) => {
  t.ok(urls.length > 20, `${urls.length} requests recorded`)
  t.same(urls.filter((u) => u.includes(supervisorToken) || /bearer|token=/i.test(u) || u.includes(BSN)), [], 'no URL holds the token or the BSN')
  t.same(withoutNoStore, [], 'every API answer of the service is Cache-Control: no-store')
  t.ok(staticSeen.has('/console/console.js') && staticSeen.has('/console/console.css'), 'the console\'s static files were fetched')
  t.same(staticNotCacheable, [], 'the static console files are cacheable (public, max-age=300)')
  t.same(cspErrors, [], 'no console error')
  t.ok(Date.now() - started < 90_000, `done in ${((Date.now() - started) / 1000).toFixed(1)} s`)
})
