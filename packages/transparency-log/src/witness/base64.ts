// Standard padded base64 (RFC 4648 §4) and nothing else: Buffer.from alone skips junk characters
// and accepts non-zero padding bits, so one value could be spelled several ways.

export function strictBase64 (text: string): Buffer | undefined {
  if (text === '' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined
  const bytes = Buffer.from(text, 'base64')
  return bytes.toString('base64') === text ? bytes : undefined
}
