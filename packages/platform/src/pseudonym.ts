// Keyed pseudonyms: BSNs become HMAC-SHA256(key, "bsn:" + BSN) at the edge. The same key in every
// service makes the pseudonym comparable (ledger, gateway, audit search) while a BSN cannot be
// recovered without the key. Domain separation ("bsn:", "case:", "source:" for client networks) keeps pseudonym kinds apart.
import { createHmac } from 'node:crypto'

export type Pseudonymiser = (kind: 'bsn' | 'case' | 'source', value: string, scope?: string) => string

export function createPseudonymiser (key: string): Pseudonymiser {
  if (key.length < 32) throw new Error('PSEUDONYM_KEY must be at least 32 characters')
  return (kind, value, scope = '') =>
    createHmac('sha256', key).update(`${kind}:${scope}:${value}`).digest('base64url')
}
