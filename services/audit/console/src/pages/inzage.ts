// The inzage report of one person (POST /v1/audit/subject-report): the BSN typed into a form and
// sent in the body only (never in a URL), cleared from the form once sent; the report shown as a
// letter that prints cleanly (console.css, @media print). The withheld count (UAVG art. 41) is for
// the municipality only: shown on screen, never printed.
import { ApiError, request } from '../api.ts'
import { field, fill, h, select } from '../dom.ts'
import { formatNumber, lang, t, type Lang } from '../i18n.ts'

interface Party { org: string | null, name: string, partyType: string | null }
interface Entry { eventId: string, time: string, outcome: string, requester: Party, provider: Party, categoryText: string, fieldsText: string[], purposeText: string, legalBasis: string | null, providerReason: string | null, text: string }
interface CaseEntry { eventId: string, time: string, eventType: string, by: Party, text: string }
interface Report {
  language: Lang
  generatedAt: string
  summary: string
  disclosures: Entry[]
  refusals: Entry[]
  caseEvents: CaseEntry[]
  withheld: { events: number, cases: number, basis: string }
}

/** The BSN eleven-test. */
export function isBsn (value: string): boolean {
  if (!/^[0-9]{9}$/.test(value)) return false
  let sum = 0
  for (let i = 0; i < 8; i++) sum += Number(value[i]) * (9 - i)
  sum -= Number(value[8])
  return sum % 11 === 0
}

export function renderInzage (main: HTMLElement): void {
  const bsn = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false', maxlength: 9, required: true, name: 'bsn' })
  const language = select([['nl', 'Nederlands'], ['en', 'English']], null, lang())
  const status = h('p', { role: 'status', class: 'status', id: 'inzage-status' })
  const out = h('div', { id: 'inzage-report' })
  // method post: were the script not to run, the form would never put the BSN in a URL.
  const form = h('form', { method: 'post', class: 'card no-print', novalidate: true },
    field('bsn', t('bsn'), bsn, t('bsnHint')),
    field('report-language', t('reportLanguage'), language),
    h('button', { type: 'submit' }, t('getReport')),
    status)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const value = bsn.value.trim()
    if (!isBsn(value)) { status.textContent = t('bsnInvalid'); bsn.setAttribute('aria-invalid', 'true'); bsn.focus(); return }
    bsn.removeAttribute('aria-invalid')
    status.textContent = t('loading')
    fill(out)
    const body = { bsn: value, language: language.value === 'en' ? 'en' : 'nl' }
    bsn.value = '' // not kept in the page
    request('/v1/audit/subject-report', { method: 'POST', body }).then(async (res) => {
      const report = await res.json() as Report
      status.textContent = ''
      fill(out, letter(report))
      out.querySelector('h2')?.focus()
    }, (err: unknown) => {
      status.textContent = err instanceof ApiError && (err.status === 403 || err.code === 'AUDIT_REPORT_NOT_PERMITTED')
        ? t('reportNotPermitted')
        : `${t('error')}: ${err instanceof ApiError ? err.message : t('networkError')}`
    })
  })
  main.append(h('h1', { class: 'no-print' }, t('inzageTitle')), h('p', { class: 'no-print' }, t('inzageIntro')), form, out)
}

/** The report in its own language (the report's, not necessarily the console's). */
function letter (r: Report): HTMLElement {
  const L = (nl: string, en: string) => r.language === 'nl' ? nl : en
  const when = (iso: string) => new Intl.DateTimeFormat(r.language === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Amsterdam' }).format(new Date(iso))
  const table = (caption: string, rows: Array<{ time: string, text: string, eventId: string }>) => rows.length === 0
    ? h('p', {}, L('Geen.', 'None.'))
    : h('table', { class: 'report-table' },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, L('Datum', 'Date')), h('th', { scope: 'col' }, L('Omschrijving', 'Description')))),
      h('tbody', {}, rows.map((e) => h('tr', {}, h('td', { class: 'nowrap' }, when(e.time)), h('td', {}, e.text)))))
  return h('article', { class: 'report', lang: r.language, 'aria-labelledby': 'report-heading' },
    h('h2', { id: 'report-heading', tabindex: -1 }, L('Overzicht van het gebruik van uw gegevens', 'Overview of the use of your data')),
    h('p', { class: 'report-meta' }, `${L('Datum van dit overzicht', 'Date of this overview')}: ${when(r.generatedAt)}`),
    h('p', { class: 'report-summary' }, r.summary),
    h('section', { 'aria-labelledby': 'rep-disclosures' }, h('h3', { id: 'rep-disclosures' }, `${L('Verstrekkingen', 'Disclosures')} (${r.disclosures.length})`), table(L('Verstrekkingen', 'Disclosures'), r.disclosures)),
    h('section', { 'aria-labelledby': 'rep-refusals' }, h('h3', { id: 'rep-refusals' }, `${L('Geweigerde verzoeken', 'Refused requests')} (${r.refusals.length})`), table(L('Geweigerde verzoeken', 'Refused requests'), r.refusals)),
    h('section', { 'aria-labelledby': 'rep-case' }, h('h3', { id: 'rep-case' }, `${L('Gebeurtenissen in uw zaak', 'Events in your case')} (${r.caseEvents.length})`), table(L('Gebeurtenissen in uw zaak', 'Events in your case'), r.caseEvents)),
    h('p', { class: 'report-sender' }, L('Opgesteld met het Wams-auditlog.', 'Drawn up from the Wams audit log.')),
    r.withheld.events > 0
      ? h('aside', { class: 'withheld no-print', lang: lang(), 'aria-labelledby': 'withheld-title' },
        h('h3', { id: 'withheld-title' }, t('withheldTitle')),
        h('p', {}, `${formatNumber(r.withheld.events)} ${t('withheldText')} ${formatNumber(r.withheld.cases)} ${t('withheldCases')}. `, r.withheld.basis))
      : null,
    h('p', { class: 'no-print' }, h('button', { type: 'button', onclick: () => window.print() }, t('print'))))
}
