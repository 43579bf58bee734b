// The log's health: the latest checkpoint (GET /v1/audit/checkpoint), its signature checked here
// with the key of GET /v1/audit/keys, its cosignature lines, and its consistency with the previous
// checkpoint this session saw (kept in sessionStorage), the proof asked and checked here.
import { ApiError, getJson, type CheckpointAnswer } from '../api.ts'
import { field, fill, h } from '../dom.ts'
import { formatNumber, formatTime, t, type Key } from '../i18n.ts'
import { checkCheckpoint, checkConsistency, keysWithTrustedWitnesses, previousCheckpoint, rememberCheckpoint, setTrustedWitnessKeys, trustedWitnessKeys, type Consistency } from '../verify.ts'

export function renderLog (main: HTMLElement): () => void {
  const out = h('div', { id: 'log-health', 'aria-live': 'polite' })
  let alive = true
  const run = () => { void check(out, () => alive) }
  const witnessKeys = h('textarea', { rows: 3, cols: 70, spellcheck: 'false', autocomplete: 'off' }, trustedWitnessKeys().join('\n'))
  const witnessStatus = h('p', { role: 'status', class: 'status', id: 'witness-status' })
  const witnessForm = h('form', { method: 'post', class: 'card' },
    field('witness-keys', t('witnessKeys'), witnessKeys, t('witnessKeysHint')),
    h('button', { type: 'submit', class: 'secondary' }, t('witnessKeysSave')),
    witnessStatus)
  witnessForm.addEventListener('submit', (event) => {
    event.preventDefault()
    void setTrustedWitnessKeys(witnessKeys.value).then(({ kept, refused }) => {
      witnessKeys.value = trustedWitnessKeys().join('\n')
      witnessStatus.textContent = `${kept} ${t('witnessKeysKept')}${refused > 0 ? `, ${refused} ${t('witnessKeysRefused')}` : ''}`
      run()
    })
  })
  main.append(
    h('h1', {}, t('logTitle')),
    h('p', {}, t('logIntro')),
    h('p', {}, h('button', { type: 'button', onclick: run }, t('recheck'))),
    out,
    h('h2', {}, t('witnessesTitle')),
    witnessForm)
  run()
  return () => { alive = false }
}

function verdict (ok: boolean, key: Key): HTMLElement {
  return h('span', { class: ok ? 'ok' : 'bad' }, ok ? '✓ ' : '✗ ', t(key))
}

async function check (out: HTMLElement, alive: () => boolean): Promise<void> {
  fill(out, h('p', { class: 'muted' }, t('loading')))
  let checkpoint: CheckpointAnswer
  try {
    checkpoint = await getJson<CheckpointAnswer>('/v1/audit/checkpoint', { auth: false })
  } catch (err) {
    if (alive()) fill(out, h('p', { class: 'bad' }, err instanceof ApiError && err.status === 404 ? t('noCheckpoint') : `${t('error')}: ${(err as Error).message}`))
    return
  }
  const keys = await keysWithTrustedWitnesses()
  const cp = await checkCheckpoint(checkpoint.signedNote, keys, { treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash })
  const previous = previousCheckpoint()
  let consistency: Consistency | { status: 'error', detail: string }
  if (!cp.signed || !cp.matches) {
    consistency = { status: 'error', detail: t('failed') }
  } else {
    try {
      consistency = await checkConsistency(previous, cp)
    } catch (err) {
      consistency = { status: 'error', detail: (err as Error).message }
    }
  }
  const consistent = consistency.status === 'first' || consistency.status === 'same' || consistency.status === 'consistent'
  // Only a checkpoint that verified, and extends the previous one, becomes the one to compare with.
  if (cp.signed && cp.matches && consistent) rememberCheckpoint({ origin: cp.origin, size: cp.size, rootHash: checkpoint.rootHash })
  if (!alive()) return

  const healthy = cp.signed && cp.matches && consistent
  const consistencyText = (() => {
    switch (consistency.status) {
      case 'first': return t('noPrevious')
      case 'same': return t('sameCheckpoint')
      case 'consistent': return `${t('consistentFrom')} ${formatNumber(consistency.from)} → ${formatNumber(cp.size)} (${t('proofLength')}: ${consistency.proofLength})`
      case 'rollback': return `${t('rollback')} (${formatNumber(consistency.from)} → ${formatNumber(cp.size)})`
      case 'inconsistent': return `${t('inconsistent')} (${formatNumber(consistency.from)} → ${formatNumber(cp.size)})`
      default: return `${t('error')}: ${consistency.detail}`
    }
  })()
  fill(out,
    h('p', { class: `verdict ${healthy ? 'ok' : 'bad'}`, id: 'log-verdict', role: 'status' }, healthy ? `✓ ${t('healthy')}` : `✗ ${t('unhealthy')}`),
    h('dl', { class: 'facts' },
      h('dt', {}, t('origin')), h('dd', { class: 'mono' }, checkpoint.origin),
      h('dt', {}, t('treeSize')), h('dd', { id: 'tree-size' }, formatNumber(checkpoint.treeSize)),
      h('dt', {}, t('rootHash')), h('dd', { class: 'mono hash' }, checkpoint.rootHash),
      h('dt', {}, t('signedAt')), h('dd', {}, formatTime(checkpoint.signedAt)),
      previous === null ? null : [h('dt', {}, t('previousKept')), h('dd', {}, `${formatNumber(previous.size)} · `, h('span', { class: 'mono hash' }, previous.rootHash))]),
    h('ul', { class: 'checks' },
      h('li', { id: 'check-signature' }, verdict(cp.signed, 'checkSignature')),
      h('li', { id: 'check-head' }, verdict(cp.matches, 'checkHeadMatches')),
      h('li', { id: 'check-consistency' }, verdict(consistent, 'checkConsistency'), h('br'), h('span', {}, consistencyText))),
    h('h2', {}, t('signatures')),
    h('table', { class: 'signatures' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('sigName')), h('th', { scope: 'col' }, t('sigKeyId')), h('th', { scope: 'col' }, t('colType')), h('th', { scope: 'col' }, t('date')), h('th', { scope: 'col' }, t('sigStatus')))),
      h('tbody', {}, cp.lines.map((line) => h('tr', {},
        h('td', { class: 'mono' }, line.name),
        h('td', { class: 'mono' }, line.keyId),
        h('td', {}, line.kind === 'log' ? t('sigLog') : t('sigWitness')),
        h('td', {}, line.timestamp === undefined ? '—' : formatTime(new Date(line.timestamp * 1000).toISOString())),
        h('td', { class: line.status === 'valid' ? 'ok' : line.status === 'invalid' ? 'bad' : 'muted' },
          line.status === 'valid' ? t('sigValid') : line.status === 'invalid' ? t('sigInvalid') : t('sigUnknown')))))),
    h('h2', {}, t('signedNote')),
    h('pre', { class: 'note', tabindex: 0 }, checkpoint.signedNote))
}
