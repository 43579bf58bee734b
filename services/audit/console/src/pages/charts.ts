// Charts of the figures the service computes (GET /v1/audit/statistics, the caller's scope, one
// request for the whole period): requests per day by outcome, by category and by requesting party
// type, reason codes and provider refusal reasons ranked, and answer times (the gateway's
// detail.durationMs) as p50/p95 per day and as a distribution. Chart.js draws (bundled, same
// origin); each chart also has its numbers as a table, for screen readers and for print.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartDataset } from 'chart.js'
import { ApiError, getJson, query, type Statistics } from '../api.ts'
import { field, fill, h } from '../dom.ts'
import { OUTCOMES, formatNumber, label, t, type Key } from '../i18n.ts'

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip)

const COLOURS: Record<string, string> = { permit: '#1a7f37', deny: '#b42318', refused: '#b54708', 'not-known': '#475467', error: '#6941c6' }

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
    let stats: Statistics
    try {
      const range = { from: new Date(`${from.value}T00:00:00`).toISOString(), to: new Date(new Date(`${to.value}T00:00:00`).getTime() + 86400000).toISOString() }
      stats = await getJson<Statistics>(`/v1/audit/statistics${query(range)}`, { signal })
    } catch (err) {
      if (signal.aborted) return
      status.textContent = `${t('error')}: ${err instanceof ApiError ? err.message : t('networkError')}`
      return
    }
    status.textContent = `${formatNumber(stats.total)} ${t('loaded')}`
    draw(out, stats, charts)
  }

  void load()
  return () => { controller.abort(); for (const c of charts.splice(0)) c.destroy() }
}

/** The sum per key over the days, most frequent first. */
function totals (maps: Array<Record<string, number>>, top = 20): Array<[string, number]> {
  const m = new Map<string, number>()
  for (const counts of maps) for (const [k, n] of Object.entries(counts)) m.set(k, (m.get(k) ?? 0) + n)
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top)
}

/** A time in ms as shown: whole milliseconds below 10 s are exact enough. */
const ms = (v: number) => String(Math.round(v * 10) / 10)

function draw (out: HTMLElement, stats: Statistics, charts: Chart[]): void {
  const days = stats.days.map((d) => d.day)
  const outcomes = OUTCOMES.filter((o) => stats.days.some((d) => (d.byOutcome[o] ?? 0) > 0))
  const perDay = outcomes.map((o) => ({ label: label('outcome', o), data: stats.days.map((d) => d.byOutcome[o] ?? 0), backgroundColor: COLOURS[o] ?? '#444' }))
  const categories = totals(stats.days.map((d) => d.byCategory))
  const partyTypes = totals(stats.days.map((d) => d.byPartyType))

  out.append(
    figure('chart-per-day', 'chartPerDay', days.length === 0 ? null : { labels: days, datasets: perDay, stacked: true },
      [t('day'), ...perDay.map((d) => d.label)], days.map((d, i) => [d, ...perDay.map((s) => String(s.data[i]))]), charts),
    simple('chart-category', 'chartCategory', categories.map(([c, n]) => [label('category', c), n]), t('category'), charts),
    simple('chart-party-type', 'chartPartyType', partyTypes, t('partyType'), charts),
    simple('chart-deny-reasons', 'chartDenyReasons', stats.reasons.slice(0, 10).map((r) => [r.code, r.count]), t('reason'), charts, true),
    simple('chart-refusal-reasons', 'chartRefusalReasons', stats.refusals.slice(0, 10).map((r) => [r.reason, r.count]), t('reason'), charts, true),
    ...answerTimes(stats, charts))
}

function answerTimes (stats: Statistics, charts: Chart[]): HTMLElement[] {
  const perDay = stats.durations
  if (perDay.length === 0) {
    return [h('section', { class: 'chart', 'aria-labelledby': 'chart-answer-times-title', id: 'chart-answer-times' },
      h('h2', { id: 'chart-answer-times-title' }, t('chartAnswerTimes')), h('p', { class: 'muted' }, t('noAnswerTimes')))]
  }
  const daily = figure('chart-answer-times-day', 'chartAnswerTimesPerDay', {
    labels: perDay.map((d) => d.day),
    datasets: [
      { label: 'p50', data: perDay.map((d) => d.p50), backgroundColor: '#1f4e8c' },
      { label: 'p95', data: perDay.map((d) => d.p95), backgroundColor: '#b54708' }
    ]
  }, [t('day'), 'p50 (ms)', 'p95 (ms)', t('withTime')], perDay.map((d) => [d.day, ms(d.p50), ms(d.p95), String(d.count)]), charts)
  daily.insertBefore(h('p', { class: 'muted' }, t('answerTimesNote')), daily.children[1] ?? null)
  const buckets = stats.durationBuckets.map((b) => [b.toMs === null ? `≥ ${b.fromMs} ms` : `${b.fromMs}–${b.toMs} ms`, b.count] as [string, number])
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
