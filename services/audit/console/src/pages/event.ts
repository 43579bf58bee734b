// One event and its proof (GET /v1/audit/events/{id}): the leaf hash recomputed here from the event
// as received, the inclusion proof walked here to the root, the checkpoint's signature checked here.
// "geverifieerd" / "verified" only when all of it holds.
import { ApiError, getJson, type EventWithProof } from '../api.ts'
import { fill, h, field } from '../dom.ts'
import { formatNumber, formatTime, label, t } from '../i18n.ts'
import { navigate } from '../router.ts'
import { loadKeys, verifyEvent } from '../verify.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function renderEvent (main: HTMLElement, params: string[]): () => void {
  const id = params[0] ?? ''
  const input = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', value: id, size: 38, required: true })
  const form = h('form', { method: 'post', class: 'inline-form' }, field('event-id', t('eventLookup'), input), h('button', { type: 'submit' }, t('eventOpen')))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    navigate(`event/${encodeURIComponent(input.value.trim())}`)
  })
  const out = h('div', { id: 'event-result' })
  main.append(h('h1', {}, t('eventTitle')), form, out)
  let timer: ReturnType<typeof setTimeout> | undefined
  let alive = true
  if (id !== '') {
    if (!UUID.test(id)) fill(out, h('p', { class: 'bad' }, t('invalidEventId')))
    else {
      const load = async (): Promise<void> => {
        fill(out, h('p', { class: 'muted' }, t('loading')))
        try {
          const [item, keys] = await Promise.all([getJson<EventWithProof>(`/v1/audit/events/${encodeURIComponent(id)}`), loadKeys()])
          if (alive) await show(out, item, keys)
        } catch (err) {
          if (!alive) return
          if (err instanceof ApiError && err.code === 'AUDIT_EVENT_NOT_YET_SIGNED') {
            const wait = err.retryAfter ?? 1
            fill(out, h('p', { role: 'status' }, `${t('notYetSigned')} ${wait} ${t('seconds')}`))
            timer = setTimeout(() => { void load() }, wait * 1000)
          } else if (err instanceof ApiError && err.status === 404) {
            fill(out, h('p', { class: 'bad' }, t('notFound')))
          } else {
            fill(out, h('p', { class: 'bad' }, `${t('error')}: ${(err as Error).message}`))
          }
        }
      }
      void load()
    }
  }
  return () => { alive = false; clearTimeout(timer) }
}

async function show (out: HTMLElement, item: EventWithProof, keys: Awaited<ReturnType<typeof loadKeys>>): Promise<void> {
  const e = item.event
  const summary = e === null
    ? null
    : h('dl', { class: 'facts' },
      h('dt', {}, t('colTime')), h('dd', {}, formatTime(e.time)),
      h('dt', {}, t('colType')), h('dd', {}, label('type', e.type)),
      h('dt', {}, t('colOutcome')), h('dd', {}, h('span', { class: `outcome outcome-${e.outcome}` }, label('outcome', e.outcome))),
      h('dt', {}, t('colRequester')), h('dd', { class: 'mono' }, `${e.actor.org ?? '—'}${e.actor.partyType ? ` (${e.actor.partyType})` : ''}`),
      h('dt', {}, t('colProvider')), h('dd', { class: 'mono' }, e.provider ?? '—'),
      h('dt', {}, t('colCategory')), h('dd', {}, label('category', e.category)),
      h('dt', {}, t('colPurpose')), h('dd', {}, label('purpose', e.purpose)),
      h('dt', {}, t('leafIndex')), h('dd', {}, formatNumber(item.leafIndex)))
  const json = h('details', {}, h('summary', {}, t('eventJson')), h('pre', { class: 'json', tabindex: 0 }, JSON.stringify(e, null, 2)))

  if (item.view === 'provider') {
    fill(out, h('p', { class: 'verdict neutral', role: 'status', id: 'verdict' }, t('providerView')), summary, json)
    return
  }
  const result = await verifyEvent(item, keys)
  const verdict = h('p', { class: `verdict ${result.verified ? 'ok' : 'bad'}`, role: 'status', id: 'verdict', 'data-verified': String(result.verified) },
    result.verified ? `✓ ${t('verified')}` : `✗ ${t('notVerified')}`)
  fill(out,
    verdict,
    h('p', {}, e === null ? t('purged') : result.verified ? t('verifiedLong') : t('notVerifiedLong')),
    h('ul', { class: 'checks', id: 'event-checks' }, result.steps.map((s) =>
      h('li', { class: s.ok ? 'ok' : 'bad' }, s.ok ? '✓ ' : '✗ ', t(s.key), s.detail === undefined ? null : [h('br'), h('span', { class: 'mono hash' }, s.detail)]))),
    h('dl', { class: 'facts' },
      h('dt', {}, t('treeSize')), h('dd', {}, formatNumber(item.treeSize)),
      h('dt', {}, t('rootHash')), h('dd', { class: 'mono hash' }, item.rootHash),
      h('dt', {}, t('proofLength')), h('dd', {}, String(item.inclusionProof.length))),
    summary,
    json)
}
