// A BSN typed into free text (platform/bsn.ts): masked where a text leaves for a reader who must not
// see BSNs, and found in structured content (the supervisor's ledger) without taking ids for text.
import t from 'tap'
import { holdsBsnLikeText, maskBsns } from '@wams/platform'

t.test('maskBsns masks nine-digit runs, not longer or shorter ones', async (t) => {
  t.equal(maskBsns('BSN 999990019, tel. 0612345678, OIN 00000099000000000101, 12345678'), 'BSN [bsn], tel. 0612345678, OIN 00000099000000000101, 12345678')
  t.equal(maskBsns('a999990019b en 999990020'), 'a[bsn]b en [bsn]', 'every run, also between letters')
  t.equal(maskBsns('geen nummer'), 'geen nummer')
})

t.test('holdsBsnLikeText searches every text of a value, ids and digests aside', async (t) => {
  t.ok(holdsBsnLikeText({ data: { reason: 'namens 999990019' } }), 'in a nested object')
  t.ok(holdsBsnLikeText(['x', ['y', 'BSN 999990019']]), 'in a nested array')
  t.notOk(holdsBsnLikeText({ eventId: '01a24021-ab35-7151-acda-a123456789bc' }), 'a UUID with nine digits in a row is an id')
  t.notOk(holdsBsnLikeText({ hash: `a123456789b${'0'.repeat(53)}` }), 'so is a hex digest')
  t.notOk(holdsBsnLikeText({ org: '00000099000000000101', seq: 999990019, ok: true, none: null }), 'an OIN, numbers and other values are not text')
  // The same call twice: a stateful (global) pattern would answer the second one wrongly.
  t.ok(holdsBsnLikeText('999990019') && holdsBsnLikeText('999990019'), 'the same answer every time')
})
