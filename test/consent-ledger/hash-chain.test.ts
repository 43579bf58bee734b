// The pure hash chain (packages/platform/src/hash-chain.ts) that the ledger writes with and the
// CLI verifies with: canonical JSON per RFC 8785, the chain rule, and every kind of tampering.
import t from 'tap'
import { createHash } from 'node:crypto'
import { GENESIS_HASH, canonicalJson, chainHash, contentHash, verifyChain, type ChainLink } from '@wams/platform'

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex')

function chain (n: number): ChainLink[] {
  const out: ChainLink[] = []
  let prev = GENESIS_HASH
  for (let seq = 1; seq <= n; seq++) {
    const content = { caseId: 'c', seq, type: 'x', data: { n: seq, text: `é ${seq}` }, reason: null }
    const ch = contentHash(content)
    const hash = chainHash(prev, ch)
    out.push({ seq, content, contentHash: ch, prevHash: prev, hash })
    prev = hash
  }
  return out
}

t.test('canonical JSON is RFC 8785: sorted keys, no whitespace, JSON number forms', async (t) => {
  t.equal(canonicalJson({ b: [3, { z: 1, a: '€' }], a: 1e21, c: 0.1, d: null }), '{"a":1e+21,"b":[3,{"a":"€","z":1}],"c":0.1,"d":null}')
  t.equal(contentHash({ b: 1, a: 2 }), contentHash({ a: 2, b: 1 }), 'key order does not matter')
  t.equal(contentHash({ a: 'x' }), sha('{"a":"x"}'))
  t.throws(() => canonicalJson(Number.NaN))
  t.throws(() => canonicalJson(undefined))
})

t.test('the chain hash is SHA-256 of prev_hash ‖ content_hash, starting from 64 zeros', async (t) => {
  t.equal(GENESIS_HASH, '0'.repeat(64))
  const c = chain(2)
  t.equal(c[0]!.hash, sha(GENESIS_HASH + c[0]!.contentHash))
  t.equal(c[1]!.prevHash, c[0]!.hash)
})

t.test('an intact chain verifies, also with purged content', async (t) => {
  t.same(verifyChain(chain(5)), { valid: true, length: 5, firstInvalidSeq: null, reason: null })
  t.same(verifyChain([]), { valid: true, length: 0, firstInvalidSeq: null, reason: null })
  const purged = chain(5).map((e) => ({ ...e, content: null }))
  t.same(verifyChain(purged), { valid: true, length: 5, firstInvalidSeq: null, reason: null })
})

t.test('every kind of tampering is found, and the first bad seq is named', async (t) => {
  const changedContent = chain(5)
  ;(changedContent[2]!.content as { reason: unknown }).reason = 'rewritten'
  t.match(verifyChain(changedContent), { valid: false, firstInvalidSeq: 3, reason: 'CONTENT_HASH_MISMATCH' })

  // A careful forger recomputes the row's own hashes: the next event's prev_hash gives it away.
  const rehashed = chain(5)
  const e3 = rehashed[2]!
  ;(e3.content as { reason: unknown }).reason = 'rewritten'
  e3.contentHash = contentHash(e3.content)
  e3.hash = chainHash(e3.prevHash, e3.contentHash)
  t.match(verifyChain(rehashed), { valid: false, firstInvalidSeq: 4, reason: 'PREV_HASH_MISMATCH' })

  const removed = chain(5)
  removed.splice(1, 1)
  t.match(verifyChain(removed), { valid: false, firstInvalidSeq: 2, reason: 'SEQ_NOT_CONSECUTIVE' })

  const swapped = chain(4)
  const [a, b] = [swapped[1]!, swapped[2]!]
  swapped[1] = { ...b, seq: 2 }
  swapped[2] = { ...a, seq: 3 }
  t.match(verifyChain(swapped), { valid: false, firstInvalidSeq: 2 })

  const moved = chain(3)
  moved[1] = { ...moved[1]!, content: { ...(moved[1]!.content as object), seq: 3 } }
  t.match(verifyChain(moved), { valid: false, firstInvalidSeq: 2, reason: 'CONTENT_SEQ_MISMATCH' })

  const badHash = chain(3)
  badHash[2] = { ...badHash[2]!, hash: 'f'.repeat(64) }
  t.match(verifyChain(badHash), { valid: false, firstInvalidSeq: 3, reason: 'HASH_MISMATCH' })

  const purgedThenTampered = chain(3).map((e) => ({ ...e, content: null }))
  purgedThenTampered[1] = { ...purgedThenTampered[1]!, contentHash: 'a'.repeat(64) }
  t.match(verifyChain(purgedThenTampered), { valid: false, firstInvalidSeq: 2, reason: 'HASH_MISMATCH' }, 'a purged event still binds its content hash')
})

t.test('a cut-off or rewritten tail is found against the expected length or head', async (t) => {
  const full = chain(4)
  t.match(verifyChain(full.slice(0, 3), { expectedLength: 4 }), { valid: false, length: 3, firstInvalidSeq: 4, reason: 'LENGTH_MISMATCH' })
  t.match(verifyChain(full, { expectedLength: 4, expectedHead: full[3]!.hash }), { valid: true })
  t.match(verifyChain(full.slice(0, 3), { expectedHead: full[3]!.hash }), { valid: false, reason: 'HEAD_MISMATCH' })
})
