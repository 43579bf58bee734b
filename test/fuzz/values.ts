// The fuzzer's vocabulary: BSNs (demo residents, other numbers passing the eleven-test, random
// nine-digit runs), text a person could type (Dutch, accents, emoji, right-to-left, tabs and
// newlines — all inside the text policy), and the hostile characters the policy must refuse at
// every edge. The policy is restated here on purpose, independently of the platform's code, so
// the fuzzer can disagree with it.
import fc from 'fast-check'
import { DEMO_BSN } from '../support/parties.ts'

/** Nine digits passing the eleven-test (SPEC §6). */
export function elevenProof (digits: string): boolean {
  if (!/^[0-9]{9}$/.test(digits)) return false
  let sum = 0
  for (let i = 0; i < 8; i++) sum += Number(digits[i]) * (9 - i)
  sum -= Number(digits[8])
  return sum % 11 === 0
}

/** The demo residents and a few more numbers that pass the eleven-test. */
export const BSN_POOL: readonly string[] = [
  DEMO_BSN.client, DEMO_BSN.member, DEMO_BSN.unknown, DEMO_BSN.refused, '999990056',
  '111222333', '123456782', '999999990', '100000009', '012345672'
]
for (const b of BSN_POOL) if (!elevenProof(b)) throw new Error(`BSN_POOL: ${b} fails the eleven-test`)

/**
 * A nine-digit run standing on its own: not part of a longer number (an OIN) nor of a word, a UUID
 * or a base64 hash (letters or digits on either side).
 */
export const NINE_DIGITS = /(?<![0-9A-Za-z])[0-9]{9}(?![0-9A-Za-z])/g
export const bsnPattern = (bsn: string) => new RegExp(`(?<![0-9A-Za-z])${bsn}(?![0-9A-Za-z])`)

/** A BSN-like value: mostly one of the pool, sometimes any nine digits (eleven-proof or not). */
export const bsnArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...BSN_POOL) },
  { weight: 2, arbitrary: fc.stringMatching(/^[0-9]{9}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9]{8}$/).map((d) => { for (let c = 0; c <= 9; c++) if (elevenProof(d + c)) return d + c; return `${d}0` }) }
)

// ---- the text policy, restated ---------------------------------------------------------------------

const NONCHAR_PLANES = Array.from({ length: 16 }, (_, i) => i + 1)
  .map((p) => `\\u{${(p * 0x10000 + 0xfffe).toString(16)}}\\u{${(p * 0x10000 + 0xffff).toString(16)}}`).join('')
/** C0 except tab and newline, DEL, C1, unpaired surrogates, noncharacters. */
export const FORBIDDEN_TEXT = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]|\\p{Cs}|[\\ufdd0-\\ufdef\\ufffe\\uffff${NONCHAR_PLANES}]`, 'u')

/** True when some string anywhere in `value` (keys included) breaks the policy's characters. */
export function holdsForbiddenText (value: unknown, depth = 0): boolean {
  if (depth > 64) return false
  if (typeof value === 'string') return FORBIDDEN_TEXT.test(value)
  if (Array.isArray(value)) return value.some((v) => holdsForbiddenText(v, depth + 1))
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => FORBIDDEN_TEXT.test(k) || holdsForbiddenText(v, depth + 1))
  }
  return false
}

/** Characters the policy refuses, one of each kind and a few of each kind's edges. */
export const HOSTILE_CHARS: readonly string[] = [
  '\u0000', '\u0001', '\u0007', '\u0008', '\u000b', '\u000c', '\r', '\u001b', '\u001f', '\u007f',
  '\u0080', '\u0085', '\u009f', '\ud800', '\udbff', '\udc00', '\udfff', '\ufdd0', '\ufdef',
  '\ufffe', '\uffff', '\u{1fffe}', '\u{10ffff}'
]
for (const c of HOSTILE_CHARS) if (!FORBIDDEN_TEXT.test(c)) throw new Error(`HOSTILE_CHARS: U+${c.codePointAt(0)!.toString(16)} is not forbidden`)

/** Characters that are text (the policy accepts them) but often break naive code. */
export const AWKWARD_CHARS: readonly string[] = [
  '\t', '\n', ' ', '\u00a0', 'é', 'ë', 'ĳ', 'ß', '€', '\u200b', '\u200d', '\u202e', '\u2028', '\u2029', '\ufeff',
  // eslint-disable-next-line no-template-curly-in-string -- a literal '${x}' is one of the awkward inputs
  '\ufffd', '🙂', '👩‍👩‍👧', '\u{1d11e}', '中文', 'العربية', 'e\u0301', '"', '\'', '\\', '<script>', '%00', '${x}', '{{x}}', '../', '\u{e000}'
]
for (const c of AWKWARD_CHARS) if (FORBIDDEN_TEXT.test(c)) throw new Error('AWKWARD_CHARS: holds a forbidden character')

const WORDS = [
  'Nodig', 'om', 'vast', 'te', 'stellen', 'welke', 'hulp', 'het', 'gezin', 'al', 'krijgt', 'en', 'wat', 'ontbreekt',
  'zorg', 'betrokken', 'bij', 'de', 'problemen', 'onderzoek', 'schulden', 'woning', 'veiligheid', 'kinderen',
  'begeleiding', 'casusoverleg', 'noodzakelijk', 'voor', 'plan', 'aanpak', 'één', 'gezin', 'één', 'plan'
]

/** Text within the policy: words, awkward characters, sometimes a BSN a person typed. */
export function textArb (minLength = 0, maxLength = 400): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...WORDS) },
    { weight: 2, arbitrary: fc.constantFrom(...AWKWARD_CHARS) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
    { weight: 1, arbitrary: bsnArb.map((b) => `BSN ${b}`) }
  )
  return fc.array(piece, { minLength: 1, maxLength: 30 }).map((parts) => {
    let s = parts.join(' ').replace(new RegExp(FORBIDDEN_TEXT.source, 'gu'), '')
    if (s.length < minLength) s = (s + ' Nodig voor het onderzoek naar de hulp aan het gezin.').padEnd(minLength, '.')
    if (s.length > maxLength) s = s.slice(0, maxLength).replace(/[\ud800-\udbff]$/, '')
    return s
  })
}

/** A valid text with one or more hostile characters put into it. */
export function hostileTextArb (base: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(base, fc.array(fc.tuple(fc.constantFrom(...HOSTILE_CHARS), fc.nat()), { minLength: 1, maxLength: 3 }))
    .map(([s, inserts]) => {
      let out = s
      for (const [c, at] of inserts) {
        // Insert between code points, so a surrogate pair of the base text stays whole.
        const points = [...out]
        const i = points.length === 0 ? 0 : at % (points.length + 1)
        points.splice(i, 0, c)
        out = points.join('')
      }
      return out
    })
    // A lone high surrogate and a lone low one inserted side by side make one valid character
    // (seed 20261204 made U+10000 that way): the text must keep at least one hostile character.
    .filter((out) => [...out].some((point) => HOSTILE_CHARS.includes(point)))
}

/** UUIDs as a client may type them wrongly. */
export function malformedUuids (real: string): string[] {
  return [
    real.toUpperCase(), `{${real}}`, real.replace(/-/g, ''), `urn:uuid:${real}`, real.slice(0, -1), `${real}0`,
    `${real} `, ` ${real}`, real.replace(/[0-9a-f]$/, 'g'), '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff', 'not-a-uuid', '0', '-1', 'null', 'undefined', '[object Object]'
  ]
}
