// The signing keys of an identity provider, from its JWKS: found by OpenID Connect discovery
// (`{iss}/.well-known/openid-configuration` → `jwks_uri`) or given as `jwksUri`, kept in memory,
// and fetched again
//  - when a token names a key (kid) the set does not hold, at most once per `minRefreshMs`
//    (an attacker's burst of made-up kids costs the provider one request per interval), and
//  - every `refreshMs` in the background, so a key the provider removed stops being accepted.
// Every fetch counts towards the bound, whether it succeeded or not, and every one that fails
// keeps the set it had: while the provider is unreachable the keys already known still verify,
// and a token with any other key is refused (fail closed). jose's local JWK set picks the key by
// the JOSE rules (kid, key type and curve for the algorithm, `use`, `key_ops`).
import { KeyObject } from 'node:crypto'
import { createLocalJWKSet, errors as joseErrors, type JSONWebKeySet } from 'jose'

export interface RemoteKeysOptions {
  /** Least time between two fetches (discovery, JWKS) of one provider. */
  minRefreshMs: number
  /** Background refresh interval. */
  refreshMs: number
  /** Deadline of one HTTP request to the provider. */
  timeoutMs: number
  /** Told about failed fetches and new key sets. */
  log?: { warn: (obj: object, msg: string) => void, info: (obj: object, msg: string) => void }
}

export type RemoteKeySource = { discovery: true } | { jwksUri: string }

/** Why no key was found: the token is refused (401) either way. */
export class JwksKeyError extends Error {
  readonly code: 'WAMS_KEY_UNKNOWN' | 'WAMS_JWKS_UNAVAILABLE'
  constructor (code: JwksKeyError['code'], message: string) {
    super(message)
    this.code = code
  }
}

const MAX_DOCUMENT_BYTES = 256 * 1024

/** https, or http to this machine only (development and tests). */
export function checkProviderUrl (value: string, what: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`${what} is not a URL: ${value}`)
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`${what} must be https (http only on this machine): ${value}`)
  }
  return url
}

export class RemoteIssuerKeys {
  readonly iss: string
  readonly #source: RemoteKeySource
  readonly #options: RemoteKeysOptions
  #jwksUri: URL | null = null
  #keys: ReturnType<typeof createLocalJWKSet> | null = null
  #pems = new WeakMap<object, string>()
  #lastFetch = Number.NEGATIVE_INFINITY
  #pending: Promise<void> | null = null
  #timer: NodeJS.Timeout | null = null
  /** How many times the JWKS was fetched (for tests and logs). */
  fetches = 0

  constructor (iss: string, source: RemoteKeySource, options: RemoteKeysOptions) {
    this.iss = iss
    this.#source = source
    this.#options = options
    if ('jwksUri' in source) this.#jwksUri = checkProviderUrl(source.jwksUri, `jwksUri of ${iss}`)
    else checkProviderUrl(iss, 'iss of an issuer with discovery')
  }

  /** Fetches the set once now (not waiting for it) and then every `refreshMs`. */
  start (): void {
    if (this.#timer !== null) return
    this.refresh().catch(() => {})
    this.#timer = setInterval(() => { this.refresh().catch(() => {}) }, this.#options.refreshMs)
    this.#timer.unref()
  }

  stop (): void {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
  }

  /**
   * The public key (SPKI PEM) for a token's header. A kid the set does not hold makes it fetch
   * the set again, unless it did so less than `minRefreshMs` ago (then: refused at once).
   */
  async key (header: { alg?: unknown, kid?: unknown }): Promise<string> {
    const protectedHeader = { alg: String(header.alg), ...(typeof header.kid === 'string' ? { kid: header.kid } : {}) }
    const found = await this.#select(protectedHeader)
    if (found !== null) return found
    if (this.#pending === null && Date.now() - this.#lastFetch < this.#options.minRefreshMs) {
      throw this.#keys === null
        ? new JwksKeyError('WAMS_JWKS_UNAVAILABLE', `the keys of ${this.iss} could not be fetched`)
        : new JwksKeyError('WAMS_KEY_UNKNOWN', `${this.iss} has no such key (the set was fetched less than ${this.#options.minRefreshMs} ms ago)`)
    }
    try {
      await this.refresh()
    } catch {
      // The provider is unreachable: only a key already known would do, and it did not.
      throw new JwksKeyError('WAMS_JWKS_UNAVAILABLE', `the keys of ${this.iss} could not be fetched`)
    }
    const again = await this.#select(protectedHeader)
    if (again !== null) return again
    throw new JwksKeyError('WAMS_KEY_UNKNOWN', `${this.iss} has no such key`)
  }

  /**
   * Fetches the set (after discovery, the first time): one fetch at a time, and none while the
   * last one is less than `minRefreshMs` ago (the one in flight is joined). A failed fetch keeps
   * the set it had.
   */
  refresh (): Promise<void> {
    if (this.#pending !== null) return this.#pending
    if (Date.now() - this.#lastFetch < this.#options.minRefreshMs) return Promise.resolve()
    this.#lastFetch = Date.now()
    this.#pending = this.#fetchSet()
      .catch((err: Error) => {
        this.#options.log?.warn({ iss: this.iss, err: { message: err.message } }, 'identity provider: its keys could not be fetched; the keys already known are kept')
        throw err
      })
      .finally(() => { this.#pending = null })
    return this.#pending
  }

  async #select (protectedHeader: { alg: string, kid?: string }): Promise<string | null> {
    if (this.#keys === null) return null
    try {
      const key = await this.#keys(protectedHeader)
      let pem = this.#pems.get(key)
      if (pem === undefined) {
        pem = KeyObject.from(key as CryptoKey).export({ type: 'spki', format: 'pem' }).toString()
        this.#pems.set(key, pem)
      }
      return pem
    } catch (err) {
      if (err instanceof joseErrors.JWKSNoMatchingKey) return null
      throw new JwksKeyError('WAMS_KEY_UNKNOWN', `no usable key of ${this.iss}: ${(err as Error).message}`)
    }
  }

  async #fetchSet (): Promise<void> {
    if (this.#jwksUri === null) {
      const discovery = await this.#getJson(new URL(`${this.iss.replace(/\/$/, '')}/.well-known/openid-configuration`)) as { issuer?: unknown, jwks_uri?: unknown }
      // OpenID Connect Discovery §4.3: the document's issuer is exactly the one asked for.
      if (discovery.issuer !== this.iss) throw new Error(`the discovery document of ${this.iss} names another issuer`)
      if (typeof discovery.jwks_uri !== 'string') throw new Error(`the discovery document of ${this.iss} has no jwks_uri`)
      this.#jwksUri = checkProviderUrl(discovery.jwks_uri, `jwks_uri of ${this.iss}`)
    }
    this.fetches++
    const set = await this.#getJson(this.#jwksUri) as JSONWebKeySet
    // Throws on anything that is not a JWK set; the set in use stays.
    this.#keys = createLocalJWKSet(set)
    this.#pems = new WeakMap()
    this.#options.log?.info({ iss: this.iss, kids: set.keys.map((k) => k.kid ?? null) }, 'identity provider: key set fetched')
  }

  async #getJson (url: URL): Promise<unknown> {
    const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(this.#options.timeoutMs), headers: { accept: 'application/json, application/jwk-set+json' } })
    if (res.status !== 200) {
      await res.body?.cancel()
      throw new Error(`${url.href} answered ${res.status}`)
    }
    if (Number(res.headers.get('content-length') ?? 0) > MAX_DOCUMENT_BYTES) {
      await res.body?.cancel()
      throw new Error(`${url.href} answered more than ${MAX_DOCUMENT_BYTES} bytes`)
    }
    const text = await res.text()
    if (Buffer.byteLength(text) > MAX_DOCUMENT_BYTES) throw new Error(`${url.href} answered more than ${MAX_DOCUMENT_BYTES} bytes`)
    return JSON.parse(text)
  }
}
