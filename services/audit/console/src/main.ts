// The supervisor's console (issue 12 item 3): one page, routes in the fragment (#/feed, #/log,
// #/event/<id>, #/inzage, #/charts), Dutch by default. Sign-in is a pasted bearer token kept only
// in sessionStorage; every API call sends it in the Authorization header.
import { clearToken, claimsOf, getToken, whenUnauthorized } from './api.ts'
import { h, fill } from './dom.ts'
import { lang, setLang, t, type Key } from './i18n.ts'
import { renderSignIn } from './pages/signin.ts'
import { renderFeed } from './pages/feed.ts'
import { renderLog } from './pages/log.ts'
import { renderEvent } from './pages/event.ts'
import { renderInzage } from './pages/inzage.ts'
import { renderCharts } from './pages/charts.ts'
import { navigate, noticeOnSignIn, onRoute } from './router.ts'

/** A page draws into main and may return what stops it (a stream, a timer). */
export type Page = (main: HTMLElement, params: string[]) => void | (() => void)

const PAGES: Record<string, { page: Page, nav?: Key, title: Key }> = {
  feed: { page: renderFeed, nav: 'navFeed', title: 'feedTitle' },
  log: { page: renderLog, nav: 'navLog', title: 'logTitle' },
  charts: { page: renderCharts, nav: 'navCharts', title: 'chartsTitle' },
  inzage: { page: renderInzage, nav: 'navInzage', title: 'inzageTitle' },
  event: { page: renderEvent, nav: 'navEvent', title: 'eventTitle' },
  signin: { page: renderSignIn, title: 'signInTitle' }
}

let stop: (() => void) | undefined

function signedIn (): boolean {
  const token = getToken()
  if (token === null) return false
  const exp = claimsOf(token)?.exp
  if (typeof exp === 'number' && exp * 1000 < Date.now()) {
    clearToken()
    noticeOnSignIn('signInExpired')
    return false
  }
  return true
}

function route (): void {
  const hash = location.hash
  if (hash !== '' && !hash.startsWith('#/')) return // an in-page anchor, not a route
  const [name = 'feed', ...params] = hash.slice(2).split('/').filter((s) => s !== '').map(decodeURIComponent)
  const known = PAGES[name] !== undefined ? name : 'feed'
  const target = signedIn() ? (known === 'signin' ? 'feed' : known) : 'signin'
  stop?.()
  stop = undefined
  renderChrome(target)
  const main = document.getElementById('main')!
  main.replaceChildren()
  const entry = PAGES[target]!
  document.title = `${t(entry.title)} — ${t('title')}`
  stop = entry.page(main, target === known ? params : []) ?? undefined
}

function renderChrome (current: string): void {
  document.documentElement.lang = lang()
  const skip = document.getElementById('skip-link')!
  skip.textContent = t('skip')
  fill(document.getElementById('brand')!, t('title'))
  const nav = document.getElementById('nav')!
  nav.setAttribute('aria-label', t('mainMenu'))
  const token = getToken()
  const items = token === null
    ? []
    : Object.entries(PAGES).filter(([name, p]) => p.nav !== undefined && name !== 'event').map(([name, p]) =>
      h('li', {}, h('a', { href: `#/${name}`, 'aria-current': name === current ? 'page' : null }, t(p.nav!))))
  fill(nav, items.length > 0 ? h('ul', {}, items) : null)
  const claims = claimsOf(token)
  const who = claims === null ? null : `${claims.org ?? '?'} · ${(claims.roles ?? []).join(', ')}`
  fill(document.getElementById('session')!,
    who === null ? null : h('span', { class: 'who' }, `${t('signedInAs')} `, h('span', { class: 'mono' }, who)),
    h('button', { type: 'button', class: 'link-button', lang: lang() === 'nl' ? 'en' : 'nl', 'aria-label': t('switchLangLabel'), onclick: () => { setLang(lang() === 'nl' ? 'en' : 'nl'); route() } }, t('switchLang')),
    token === null ? null : h('button', { type: 'button', class: 'link-button', onclick: signOut }, t('signOut')))
  fill(document.getElementById('footer')!, h('p', {}, t('footer')))
}

function signOut (): void {
  clearToken()
  sessionStorage.clear()
  navigate('signin')
}

whenUnauthorized(() => {
  clearToken()
  noticeOnSignIn('signInExpired')
  navigate('signin')
})

document.getElementById('skip-link')?.addEventListener('click', (event) => {
  event.preventDefault()
  document.getElementById('main')?.focus()
})
onRoute(route)
window.addEventListener('hashchange', route)
setLang(lang())
route()
