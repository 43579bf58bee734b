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
