// Sign-in: a pasted bearer token, checked with one scoped read, then kept in sessionStorage.
import { ApiError, clearToken, getJson, setToken } from '../api.ts'
import { field, h } from '../dom.ts'
import { t } from '../i18n.ts'
import { navigate, takeSignInNotice } from '../router.ts'

export function renderSignIn (main: HTMLElement): void {
  const notice = takeSignInNotice()
  const status = h('p', { role: 'status', class: 'status', id: 'signin-status' }, notice === null ? '' : t(notice))
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true, class: 'wide' })
  const form = h('form', { method: 'post', class: 'card', novalidate: true },
    field('token', t('tokenLabel'), input),
    h('button', { type: 'submit' }, t('signInButton')),
    status)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const token = input.value.trim().replace(/^Bearer\s+/i, '')
    if (token === '') { status.textContent = t('tokenEmpty'); input.focus(); return }
    status.textContent = t('signInChecking')
    setToken(token)
    getJson('/v1/audit/events?limit=1').then(() => {
      input.value = ''
      navigate('feed')
    }, (err: unknown) => {
      clearToken()
      status.textContent = `${t('signInFailed')}: ${err instanceof ApiError ? `${err.status} ${err.message}` : t('networkError')}`
    })
  })
  main.append(
    h('h1', {}, t('signInTitle')),
    h('p', {}, t('signInIntro')),
    h('p', {}, t('signInDev'), ' ', h('code', {}, 'npx wams token --org 00000099000000001501 --roles supervisor')),
    form)
}
