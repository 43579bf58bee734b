// The live feed: the SSE stream (GET /v1/audit/stream) read with fetch(), after the recent history,
// filterable by case, party, category, outcome (in the service) and purpose, period and flags (the
// period in the service, purpose and flags here). Flagged decisions stand out, in words and colour.
import { ApiError, getJson, query, request, type AuditEvent, type CheckpointAnswer, type EventItem, type EventPage } from '../api.ts'
import { field, h, select } from '../dom.ts'
import { CATEGORIES, OUTCOMES, PURPOSES, formatNumber, formatTime, label, t } from '../i18n.ts'
import { readSse } from '../sse.ts'

interface Filters { caseId: string, org: string, category: string, outcome: string, purpose: string, from: string, to: string, flagged: boolean }

const EMPTY: Filters = { caseId: '', org: '', category: '', outcome: '', purpose: '', from: '', to: '', flagged: false }
/** Kept in memory only while the page is open (a case id is not for the URL or storage). */
let filters: Filters = { ...EMPTY }

const HISTORY = 200
const MAX_ROWS = 500
const RETRY_MS = 3000
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function flagsOf (event: AuditEvent | null): string[] {
  const flags = event?.detail?.flags
  return Array.isArray(flags) ? flags.filter((f): f is string => typeof f === 'string') : []
}

export function renderFeed (main: HTMLElement): () => void {
  let controller = new AbortController()
  let retry: ReturnType<typeof setTimeout> | undefined
  const seen = new Set<number>()
  let lastId: number | null = null

  const status = h('p', { role: 'status', class: 'status', id: 'feed-status' }, t('streamConnecting'))
  const count = h('p', { class: 'muted', id: 'feed-count' })
  const body = h('tbody', { id: 'feed-rows' })
  const empty = h('p', { class: 'muted', id: 'feed-empty' }, t('noEvents'))
  const table = h('table', { class: 'events' },
    h('caption', { class: 'visually-hidden' }, t('feedTitle')),
    h('thead', {}, h('tr', {}, ...(['colTime', 'colType', 'colOutcome', 'colRequester', 'colProvider', 'colCategory', 'colPurpose', 'colCase', 'colNotes', 'colProof'] as const).map((k) => h('th', { scope: 'col' }, t(k))))),
    body)

  const controls = {
    caseId: h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', value: filters.caseId, pattern: UUID.source.slice(1, -1), size: 36 }),
    org: h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', value: filters.org, pattern: '[0-9]{20}', size: 22 }),
    category: select(CATEGORIES.map((c) => [c, label('category', c)]), t('any'), filters.category),
    outcome: select(OUTCOMES.map((o) => [o, label('outcome', o)]), t('any'), filters.outcome),
    purpose: select(PURPOSES.map((p) => [p, label('purpose', p)]), t('any'), filters.purpose),
    from: h('input', { type: 'datetime-local', value: filters.from }),
    to: h('input', { type: 'datetime-local', value: filters.to }),
    flagged: h('input', { type: 'checkbox', checked: filters.flagged })
  }
  const formError = h('p', { class: 'error', id: 'feed-form-error', 'aria-live': 'assertive' })
  const form = h('form', { method: 'post', class: 'filters', 'aria-labelledby': 'filters-legend' },
    h('fieldset', {},
      h('legend', { id: 'filters-legend' }, t('filters')),
      h('div', { class: 'field-row' },
        field('f-case', t('fCase'), controls.caseId),
        field('f-org', t('fParty'), controls.org),
        field('f-category', t('fCategory'), controls.category),
        field('f-outcome', t('fOutcome'), controls.outcome),
        field('f-purpose', t('fPurpose'), controls.purpose),
        field('f-from', t('fFrom'), controls.from),
        field('f-to', t('fTo'), controls.to)),
      h('div', { class: 'check' }, controls.flagged, h('label', { for: 'f-flagged' }, t('fFlagged'))),
      h('div', { class: 'actions' },
        h('button', { type: 'submit' }, t('apply')),
        h('button', { type: 'button', class: 'secondary', onclick: () => { filters = { ...EMPTY }; clearControls(); restart() } }, t('reset')))),
    formError)
  controls.flagged.id = 'f-flagged'
  const clearControls = () => {
    for (const c of [controls.caseId, controls.org, controls.from, controls.to, controls.category, controls.outcome, controls.purpose]) c.value = ''
    controls.flagged.checked = false
    formError.textContent = ''
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const next: Filters = {
      caseId: controls.caseId.value.trim(),
      org: controls.org.value.trim(),
      category: controls.category.value,
      outcome: controls.outcome.value,
      purpose: controls.purpose.value,
      from: controls.from.value,
      to: controls.to.value,
      flagged: controls.flagged.checked
    }
    if (next.caseId !== '' && !UUID.test(next.caseId)) { formError.textContent = t('invalidCase'); controls.caseId.focus(); return }
    if (next.org !== '' && !/^[0-9]{20}$/.test(next.org)) { formError.textContent = t('invalidOin'); controls.org.focus(); return }
    formError.textContent = ''
    filters = next
    restart()
  })

  main.append(
    h('h1', {}, t('feedTitle')),
    h('p', {}, t('feedIntro')),
    form,
    status,
    count,
    empty,
    h('div', { class: 'table-scroll', role: 'region', 'aria-label': t('feedTitle'), tabindex: 0 }, table))

  const serverFilters = () => ({
    caseId: filters.caseId,
    org: filters.org,
    category: filters.category,
    outcome: filters.outcome,
    from: filters.from === '' ? '' : new Date(filters.from).toISOString(),
    to: filters.to === '' ? '' : new Date(filters.to).toISOString()
  })

  const add = (item: EventItem) => {
    if (seen.has(item.leafIndex)) return
    seen.add(item.leafIndex)
    lastId = Math.max(lastId ?? -1, item.leafIndex)
    const event = item.event
    if (filters.purpose !== '' && event?.purpose !== filters.purpose) return
    const flags = flagsOf(event)
    if (filters.flagged && flags.length === 0) return
    const row = rowOf(item, flags)
    // Newest first, by place in the log.
    const after = Array.from(body.rows).find((r) => Number(r.dataset.leaf) < item.leafIndex)
    body.insertBefore(row, after ?? null)
    while (body.rows.length > MAX_ROWS) body.deleteRow(-1)
    empty.hidden = true
    count.textContent = `${formatNumber(body.rows.length)} ${t('eventsShown')}`
  }

  const history = async (signal: AbortSignal) => {
    const checkpoint = await getJson<CheckpointAnswer>('/v1/audit/checkpoint', { auth: false, signal }).catch(() => null)
    const size = checkpoint?.treeSize ?? 0
    if (size > HISTORY) { lastId = size - HISTORY - 1; return }
    let cursor: string | null = null
    for (let page = 0; page < 2; page++) {
      const answer: EventPage = await getJson<EventPage>(`/v1/audit/events${query({ ...serverFilters(), limit: 500, cursor })}`, { signal })
      for (const item of answer.events) add(item)
      cursor = answer.nextCursor
      if (cursor === null) break
    }
    if (lastId === null && size > 0) lastId = size - 1
  }

  const connect = async (first: boolean) => {
    const { signal } = controller
    try {
      if (first) await history(signal)
      const headers: Record<string, string> = { accept: 'text/event-stream' }
      if (lastId !== null) headers['last-event-id'] = String(lastId)
      const res = await request(`/v1/audit/stream${query(serverFilters())}`, { signal, headers })
      status.textContent = t('streamLive')
      status.className = 'status live'
      await readSse(res.body!, (message) => {
        if (message.event !== 'audit-event') return
        try { add(JSON.parse(message.data) as EventItem) } catch {}
      }, signal)
    } catch (err) {
      if (signal.aborted) return
      if (err instanceof ApiError && (err.status === 401 || err.status === 403 || err.status === 400)) {
        status.textContent = `${t('error')}: ${err.message}`
        status.className = 'status bad'
        return
      }
    }
    if (signal.aborted) return
    status.textContent = t('streamRetry')
    status.className = 'status'
    retry = setTimeout(() => { void connect(false) }, RETRY_MS)
  }

  function restart (): void {
    controller.abort()
    clearTimeout(retry)
    controller = new AbortController()
    seen.clear()
    lastId = null
    body.replaceChildren()
    empty.hidden = false
    count.textContent = ''
    status.textContent = t('streamConnecting')
    status.className = 'status'
    void connect(true)
  }

  void connect(true)
  return () => {
    controller.abort()
    clearTimeout(retry)
  }
}

function rowOf (item: EventItem, flags: string[]): HTMLTableRowElement {
  const e = item.event
  const notes: Array<Node | string> = []
  for (const flag of flags) {
    const text = flag === 'objection-overridden' || flag === 'no-standing' ? t(`flag:${flag}`) : flag
    notes.push(h('strong', { class: 'flag' }, `${t('flagged')}: ${text}`))
  }
  const reasons = e?.reasons ?? []
  if (reasons.length > 0) notes.push(h('span', { class: 'mono' }, reasons.join(', ')))
  if (typeof e?.detail?.providerReason === 'string') notes.push(h('span', {}, e.detail.providerReason))
  const caseText = e?.caseId ?? e?.caseRef ?? null
  const row = h('tr', { class: flags.length > 0 ? 'flagged' : null, 'data-leaf': item.leafIndex, 'data-event-id': e?.eventId ?? '' },
    h('td', {}, e ? h('time', { datetime: e.time }, formatTime(e.time)) : '—'),
    h('td', {}, label('type', e?.type)),
    h('td', {}, e ? h('span', { class: `outcome outcome-${e.outcome}` }, label('outcome', e.outcome)) : '—'),
    h('td', {}, h('span', { class: 'mono' }, e?.actor.org ?? '—'), e?.actor.partyType ? h('span', { class: 'muted' }, ` (${e.actor.partyType})`) : null),
    h('td', { class: 'mono' }, e?.provider ?? '—'),
    h('td', {}, label('category', e?.category)),
    h('td', {}, label('purpose', e?.purpose)),
    h('td', { class: 'mono', title: caseText ?? '' }, caseText === null ? '—' : caseText.slice(0, 8)),
    h('td', { class: 'notes' }, ...notes.flatMap((n, i) => i === 0 ? [n] : [h('br'), n])),
    h('td', {}, e ? h('a', { href: `#/event/${encodeURIComponent(e.eventId)}` }, t('open'), h('span', { class: 'visually-hidden' }, ` ${e.eventId}`)) : '—'))
  return row
}
