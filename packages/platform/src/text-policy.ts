// One text policy for every free-text and identifier string that enters the exchange, at the edge
// of every service (service.ts) and in the audit event contract (audit-event.ts), so what a
// service accepts is what every store behind it can hold and give back exactly:
//  - no control characters (Unicode category Cc: C0, DEL and C1) except tab and newline;
//  - no unpaired (lone) surrogates: they are not text, and PostgreSQL refuses them;
//  - no Unicode noncharacters (U+FDD0–U+FDEF and U+xFFFE/U+xFFFF in every plane);
//  - a maximum length (a default for any string; route schemas set tighter ones per field).
// A violation is reported by JSON pointer and kind, never with the offending value.

/** The longest string (in UTF-16 code units) any request may carry, whatever its schema says. */
export const TEXT_MAX_LENGTH = 10_000
/** The deepest nesting of objects and arrays accepted. */
export const TEXT_MAX_DEPTH = 32
/** The most values (strings, numbers, objects, …) one input may hold. */
export const TEXT_MAX_VALUES = 200_000

const noncharacterPlanes = Array.from({ length: 17 }, (_, plane) => plane)
  .filter((plane) => plane > 0)
  .map((plane) => `\\u{${(plane * 0x10000 + 0xfffe).toString(16)}}\\u{${(plane * 0x10000 + 0xffff).toString(16)}}`)
  .join('')
// With the u flag, a paired surrogate is one code point; \p{Cs} only matches an unpaired one.
const FORBIDDEN = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]|\\p{Cs}|[\\ufdd0-\\ufdef\\ufffe\\uffff${noncharacterPlanes}]`, 'u')

function kindOf (char: string): string {
  const cp = char.codePointAt(0)!
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
  if (cp <= 0x9f) return `a control character (${hex})`
  if (cp >= 0xd800 && cp <= 0xdfff) return 'an unpaired surrogate'
  return `a Unicode noncharacter (${hex})`
}

/**
 * Why `text` breaks the policy, or null when it does not. The reason names the kind of character
 * and its position, never the text.
 */
export function textViolation (text: string, maxLength: number = TEXT_MAX_LENGTH): string | null {
  if (text.length > maxLength) return `is longer than ${maxLength} characters`
  const match = FORBIDDEN.exec(text)
  if (match === null) return null
  return `contains ${kindOf(match[0])} at position ${match.index}`
}

export function isPolicyText (text: string, maxLength: number = TEXT_MAX_LENGTH): boolean {
  return text.length <= maxLength && !FORBIDDEN.test(text)
}

/**
 * Makes a text from elsewhere (a partner's answer) fit the policy: every forbidden character
 * becomes U+FFFD and the text is cut at `maxLength` without splitting a surrogate pair.
 */
export function sanitizeText (text: string, maxLength: number = TEXT_MAX_LENGTH): string {
  let out = text.replace(new RegExp(FORBIDDEN.source, 'gu'), '\ufffd')
  if (out.length > maxLength) {
    out = out.slice(0, maxLength)
    if (/[\ud800-\udbff]$/.test(out)) out = out.slice(0, -1)
  }
  return out
}

export interface TextPolicyViolation {
  /** RFC 6901 JSON pointer to the value (or, for a bad property name, to its object). */
  pointer: string
  detail: string
}

export interface TextPolicyOptions {
  maxLength?: number
  maxDepth?: number
  maxValues?: number
  /** Stop after this many violations (the answer stays small). */
  maxViolations?: number
  /**
   * Also require plain JSON data: finite numbers, booleans, null, strings, arrays and plain
   * objects only (what JSON.stringify writes and JSON.parse gives back unchanged).
   */
  plainJson?: boolean
}

// A key that holds nine digits in a row may be a BSN someone typed: pointers never carry it.
const NINE_DIGITS = /(?<![0-9])[0-9]{9}(?![0-9])/g
const pointerToken = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1').replace(NINE_DIGITS, '[bsn]')

function isPlainObject (value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

// Where a value sits: its parent and its key or index. The JSON pointer is built only for a
// violation — building one for every value (three replaces per key) cost more than the check.
interface Place { value: unknown, parent: Place | null, token: string | number, depth: number }

function pointerOf (place: Place): string {
  let pointer = ''
  for (let p: Place | null = place; p !== null && p.parent !== null; p = p.parent) {
    pointer = `/${typeof p.token === 'number' ? p.token : pointerToken(p.token)}${pointer}`
  }
  return pointer === '' ? '/' : pointer
}

/**
 * Every string (and property name) in `value`, at any depth, checked against the policy.
 * Iterative, so a deeply nested input cannot exhaust the stack. Returns the violations found.
 */
export function checkTextPolicy (value: unknown, options: TextPolicyOptions = {}): TextPolicyViolation[] {
  const maxLength = options.maxLength ?? TEXT_MAX_LENGTH
  const maxDepth = options.maxDepth ?? TEXT_MAX_DEPTH
  const maxViolations = options.maxViolations ?? 20
  const maxValues = options.maxValues ?? TEXT_MAX_VALUES
  const violations: TextPolicyViolation[] = []
  const stack: Place[] = [{ value, parent: null, token: '', depth: 0 }]
  let visited = 0
  while (stack.length > 0 && violations.length < maxViolations) {
    if (++visited > maxValues) {
      violations.push({ pointer: '/', detail: `holds more than ${maxValues} values` })
      break
    }
    const item = stack.pop()!
    const v = item.value
    if (typeof v === 'string') {
      const why = textViolation(v, maxLength)
      if (why !== null) violations.push({ pointer: pointerOf(item), detail: why })
      continue
    }
    if (v === null || typeof v === 'boolean') continue
    if (typeof v === 'number') {
      if (options.plainJson && !Number.isFinite(v)) violations.push({ pointer: pointerOf(item), detail: 'is not a finite number' })
      continue
    }
    if (typeof v !== 'object') {
      if (options.plainJson || v !== undefined) violations.push({ pointer: pointerOf(item), detail: `is not JSON data (${typeof v})` })
      continue
    }
    // A cycle (or a huge shared structure) ends at the depth or the value limit.
    if (item.depth >= maxDepth) {
      violations.push({ pointer: pointerOf(item), detail: `is nested deeper than ${maxDepth} levels` })
      continue
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], parent: item, token: i, depth: item.depth + 1 })
      continue
    }
    if (options.plainJson && !isPlainObject(v)) {
      violations.push({ pointer: pointerOf(item), detail: 'is not a plain JSON object' })
      continue
    }
    const keys = Object.keys(v)
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!
      const why = textViolation(key, maxLength)
      if (why !== null) {
        violations.push({ pointer: pointerOf(item), detail: `has a property name that ${why}` })
        continue
      }
      stack.push({ value: (v as Record<string, unknown>)[key], parent: item, token: key, depth: item.depth + 1 })
    }
  }
  return violations
}

// ---- time ---------------------------------------------------------------------------------

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):?(\d{2}))$/

/**
 * An RFC 3339 date-time that PostgreSQL's timestamptz and JavaScript's Date both hold: years
 * 0001–9999 (no year 0000), no leap second, a UTC offset within ±15:59, at most nine fraction
 * digits. Also the `date-time` format of every service's request validation.
 */
export function isStorableDateTime (text: unknown): boolean {
  if (typeof text !== 'string' || text.length > 40) return false
  const m = DATE_TIME.exec(text)
  if (m === null) return false
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const offsetHour = m[7] === undefined ? 0 : Number(m[7])
  const offsetMinute = m[8] === undefined ? 0 : Number(m[8])
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 || offsetHour > 15 || offsetMinute > 59) return false
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!
  if (day > days) return false
  return !Number.isNaN(Date.parse(text))
}
