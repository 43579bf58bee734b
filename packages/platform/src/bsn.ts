// Burgerservicenummer: nine digits passing the eleven-test (elfproef):
// 9·d1 + 8·d2 + … + 2·d8 − 1·d9 ≡ 0 (mod 11), and not all zeros.
export function isValidBsn (value: unknown): value is string {
  if (typeof value !== 'string' || !/^[0-9]{9}$/.test(value)) return false
  let sum = 0
  for (let i = 0; i < 8; i++) sum += (9 - i) * (value.charCodeAt(i) - 48)
  sum -= value.charCodeAt(8) - 48
  return sum % 11 === 0 && value !== '000000000'
}

/** JSON Schema fragment for a BSN field; the eleven-test runs as ajv format `bsn`. */
export const bsnSchema = { type: 'string', format: 'bsn', description: 'BSN (9 digits, eleven-test)' } as const

// A nine-digit run in free text may be a BSN someone typed: where a text leaves for a reader who
// must not see BSNs (a log line, the audit log, the supervisor) it is masked, or held back.
const BSN_IN_TEXT = /(?<![0-9])[0-9]{9}(?![0-9])/g
// The same pattern without the global flag: test() on a global one would carry lastIndex over.
const HAS_BSN_IN_TEXT = new RegExp(BSN_IN_TEXT.source)

/** The text with every nine-digit run replaced by `[bsn]`. */
export const maskBsns = (text: string): string => text.replace(BSN_IN_TEXT, '[bsn]')

// Ids are not text: a UUID or a hex digest may hold nine digits in a row by chance.
const ID_OR_DIGEST = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32,})$/i

/** Whether any text in the value (searched through arrays and objects; ids and digests aside) holds a nine-digit run. */
export function holdsBsnLikeText (value: unknown): boolean {
  if (typeof value === 'string') return !ID_OR_DIGEST.test(value) && HAS_BSN_IN_TEXT.test(value)
  if (Array.isArray(value)) return value.some(holdsBsnLikeText)
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsBsnLikeText)
  return false
}
