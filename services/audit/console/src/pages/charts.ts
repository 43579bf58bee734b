// Charts computed here from GET /v1/audit/events pages (the caller's scope): requests per day by
// outcome, by category and by requesting party type, deny and refusal reasons ranked, and answer
// times (the gateway's detail.durationMs) as p50/p95 per day and as a distribution. Chart.js draws (bundled, same origin); each chart also has its
// numbers as a table, for screen readers and for print.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartDataset } from 'chart.js'
import { ApiError, getJson, query, type AuditEvent, type EventPage } from '../api.ts'
import { field, fill, h } from '../dom.ts'
import { OUTCOMES, formatNumber, label, t, type Key } from '../i18n.ts'

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip)

const PAGE = 500
const MAX_PAGES = 40
const DECISIONS = new Set(['data-request.decision', 'involvement-check.decision'])
const COLOURS: Record<string, string> = { permit: '#1a7f37', deny: '#b42318', refused: '#b54708', 'not-known': '#475467', error: '#6941c6' }
const TIME_BUCKETS = [50, 100, 250, 500, 1000, 2500]

const isoDay = (d: Date) => d.toISOString().slice(0, 10)

export function renderCharts (main: HTMLElement): () => void {
  const today = new Date()
  const from = h('input', { type: 'date', value: isoDay(new Date(today.getTime() - 29 * 86400000)), required: true })
  const to = h('input', { type: 'date', value: isoDay(today), required: true })
  const status = h('p', { role: 'status', class: 'status', id: 'charts-status' })
  const out = h('div', { id: 'charts' })
  const charts: Chart[] = []
  let controller = new AbortController()
  const form = h('form', { method: 'post', class: 'inline-form' },
    h('fieldset', {}, h('legend', {}, t('period')),
      h('div', { class: 'field-row' }, field('c-from', t('fFrom'), from), field('c-to', t('fTo'), to), h('button', { type: 'submit' }, t('load')))))
  form.addEventListener('submit', (event) => { event.preventDefault(); void load() })
  main.append(h('h1', {}, t('chartsTitle')), h('p', {}, t('chartsIntro')), form, status, out)

  async function load (): Promise<void> {
    controller.abort()
    controller = new AbortController()
    const { signal } = controller
    for (const c of charts.splice(0)) c.destroy()
    fill(out)
    status.textContent = t('loading')
    const events: AuditEvent[] = []
    let cursor: string | null = null
    let truncated = false
    try {
      const range = { from: new Date(`${from.value}T00:00:00`).toISOString(), to: new Date(new Date(`${to.value}T00:00:00`).getTime() + 86400000).toISOString() }
      for (let page = 0; ; page++) {
        if (page === MAX_PAGES) { truncated = true; break }
        const answer: EventPage = await getJson<EventPage>(`/v1/audit/events${query({ ...range, limit: PAGE, cursor })}`, { signal })
        for (const item of answer.events) if (item.event !== null && DECISIONS.has(item.event.type)) events.push(item.event)
        status.textContent = `${t('loading')} ${formatNumber(events.length)}`
        cursor = answer.nextCursor
        if (cursor === null) break
      }
    } catch (err) {
      if (signal.aborted) return
      status.textContent = `${t('error')}: ${err instanceof ApiError ? err.message : t('networkError')}`
      return
    }
    status.textContent = `${formatNumber(events.length)} ${t('loaded')}${truncated ? ` — ${t('truncated')} ${formatNumber(MAX_PAGES * PAGE)}` : ''}`
    draw(out, events, charts)
  }

  void load()
  return () => { controller.abort(); for (const c of charts.splice(0)) c.destroy() }
}

function countBy<T> (items: T[], key: (item: T) => string | null | undefined): Map<string, number> {
  const m = new Map<string, number>()
  for (const item of items) {
    const k = key(item)
    if (k === null || k === undefined || k === '') continue
    m.set(k, (m.get(k) ?? 0) + 1)
  }
  return m
}

const ranked = (m: Map<string, number>, top = 10) => [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top)

/** The gateway's time from receiving the request to writing the record (DecisionDetail.durationMs); older events have none. */
function answerTime (e: AuditEvent): number | null {
  const v = e.detail?.durationMs
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null
}

/** The nearest-rank percentile of sorted values. */
function percentile (sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** Answer times per day: p50 and p95, and how many events of the day carry one. */
function timesPerDay (events: AuditEvent[]): Array<{ day: string, p50: number, p95: number, n: number }> {
  const byDay = new Map<string, number[]>()
  for (const e of events) {
    const v = answerTime(e)
    if (v === null) continue
    const day = e.time.slice(0, 10)
    let list = byDay.get(day)
    if (list === undefined) byDay.set(day, list = [])
    list.push(v)
  }
  return [...byDay.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([day, list]) => {
    list.sort((a, b) => a - b)
    return { day, p50: percentile(list, 50), p95: percentile(list, 95), n: list.length }
  })
}

function draw (out: HTMLElement, events: AuditEvent[], charts: Chart[]): void {
  const days = [...new Set(events.map((e) => e.time.slice(0, 10)))].sort()
  const outcomes = OUTCOMES.filter((o) => events.some((e) => e.outcome === o))
  // One pass over the events (a log of 100,000 is drawn in the browser).
  const counts = new Map<string, number>()
  for (const e of events) { const k = `${e.outcome} ${e.time.slice(0, 10)}`; counts.set(k, (counts.get(k) ?? 0) + 1) }
  const perDay = outcomes.map((o) => ({ label: label('outcome', o), data: days.map((d) => counts.get(`${o} ${d}`) ?? 0), backgroundColor: COLOURS[o] ?? '#444' }))
  const categories = ranked(countBy(events, (e) => e.category), 20)
  const partyTypes = ranked(countBy(events, (e) => e.actor.partyType), 20)
  const denyReasons = ranked(countBy(events.filter((e) => e.outcome === 'deny').flatMap((e) => e.reasons ?? []), (r) => r))
  const refusalReasons = ranked(countBy(events.filter((e) => e.outcome === 'refused'), (e) => typeof e.detail?.providerReason === 'string' ? e.detail.providerReason : null))
  const times = events.map(answerTime).filter((v): v is number => v !== null)

  out.append(
    figure('chart-per-day', 'chartPerDay', days.length === 0 ? null : { labels: days, datasets: perDay, stacked: true },
      [t('day'), ...perDay.map((d) => d.label)], days.map((d, i) => [d, ...perDay.map((s) => String(s.data[i]))]), charts),
    simple('chart-category', 'chartCategory', categories.map(([c, n]) => [label('category', c), n]), t('category'), charts),
    simple('chart-party-type', 'chartPartyType', partyTypes, t('partyType'), charts),
    simple('chart-deny-reasons', 'chartDenyReasons', denyReasons, t('reason'), charts, true),
    simple('chart-refusal-reasons', 'chartRefusalReasons', refusalReasons, t('reason'), charts, true),
    ...answerTimes(times, timesPerDay(events), charts))
}

function answerTimes (times: number[], perDay: ReturnType<typeof timesPerDay>, charts: Chart[]): HTMLElement[] {
  if (times.length === 0) {
    return [h('section', { class: 'chart', 'aria-labelledby': 'chart-answer-times-title', id: 'chart-answer-times' },
      h('h2', { id: 'chart-answer-times-title' }, t('chartAnswerTimes')), h('p', { class: 'muted' }, t('noAnswerTimes')))]
  }
  const daily = figure('chart-answer-times-day', 'chartAnswerTimesPerDay', {
    labels: perDay.map((d) => d.day),
    datasets: [
      { label: 'p50', data: perDay.map((d) => d.p50), backgroundColor: '#1f4e8c' },
      { label: 'p95', data: perDay.map((d) => d.p95), backgroundColor: '#b54708' }
    ]
  }, [t('day'), 'p50 (ms)', 'p95 (ms)', t('withTime')], perDay.map((d) => [d.day, String(d.p50), String(d.p95), String(d.n)]), charts)
  daily.insertBefore(h('p', { class: 'muted' }, t('answerTimesNote')), daily.children[1] ?? null)
  const buckets = TIME_BUCKETS.map((b, i) => [`${i === 0 ? 0 : TIME_BUCKETS[i - 1]}–${b} ms`, times.filter((v) => v < b && (i === 0 || v >= TIME_BUCKETS[i - 1]!)).length] as [string, number])
    .concat([[`≥ ${TIME_BUCKETS.at(-1)} ms`, times.filter((v) => v >= TIME_BUCKETS.at(-1)!).length]])
  return [daily, simple('chart-answer-times', 'chartAnswerTimes', buckets, t('milliseconds'), charts)]
}

function simple (id: string, title: Key, rows: Array<[string, number]>, head: string, charts: Chart[], horizontal = false): HTMLElement {
  return figure(id, title, rows.length === 0 ? null : { labels: rows.map(([k]) => k), datasets: [{ label: t('count'), data: rows.map(([, n]) => n), backgroundColor: '#1f4e8c' }], horizontal },
    [head, t('count')], rows.map(([k, n]) => [k, String(n)]), charts)
}

interface Spec { labels: string[], datasets: Array<ChartDataset<'bar', number[]>>, stacked?: boolean, horizontal?: boolean }

function figure (id: string, title: Key, spec: Spec | null, header: string[], rows: string[][], charts: Chart[]): HTMLElement {
  const section = h('section', { class: 'chart', 'aria-labelledby': `${id}-title`, id })
  section.append(h('h2', { id: `${id}-title` }, t(title)))
  if (spec === null) {
    section.append(h('p', { class: 'muted' }, t('noData')))
    return section
  }
  const summary = rows.slice(0, 5).map((r) => r.join(': ')).join('; ')
  const canvas = h('canvas', { role: 'img', 'aria-label': `${t(title)}. ${summary}${rows.length > 5 ? '…' : ''}` })
  const box = h('div', { class: spec.horizontal ? 'chart-box tall' : 'chart-box' }, canvas)
  section.append(box,
    h('details', {}, h('summary', {}, t('showTable')),
      h('table', {}, h('caption', { class: 'visually-hidden' }, t(title)),
        h('thead', {}, h('tr', {}, header.map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c))))))))
  // Drawn once the canvas is in the document (Chart.js measures its box).
  requestAnimationFrame(() => {
    if (!canvas.isConnected) return
    const axis = { stacked: spec.stacked === true, beginAtZero: true, ticks: { precision: 0 } }
    charts.push(new Chart(canvas, {
      type: 'bar',
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? 'y' : 'x',
        scales: { x: axis, y: axis },
        plugins: { legend: { display: spec.datasets.length > 1 } }
      }
    }))
  })
  return section
}
