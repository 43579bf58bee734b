// Moving between pages (the fragment holds the route) and the one notice the sign-in page shows.
import type { Key } from './i18n.ts'

let rerender: () => void = () => {}
let signInNotice: Key | null = null

export function onRoute (fn: () => void): void { rerender = fn }

export function navigate (path: string): void {
  if (location.hash === `#/${path}`) rerender()
  else location.hash = `#/${path}`
}

export function noticeOnSignIn (key: Key | null): void { signInNotice = key }
export function takeSignInNotice (): Key | null { const k = signInNotice; signInNotice = null; return k }
