// Producer and consumer agree by construction (issue 8): the audit event contract is one function
// (assertAuditEvent) that the producers run before an event enters their outbox and the audit
// store runs before it stores one. Arbitrary, hostile input (NUL and other control characters,
// unpaired surrogates, noncharacters, huge strings, odd dates, values that are not JSON) thrown at
// the producer side shows, on real PostgreSQL:
//   producer-accepted ⇒ the outbox row is exactly what the store classifies as an event, inserts,
//                        and the sequencer puts into the log (the stored copy hashes to its leaf);
//   producer-refused  ⇒ it throws, and nothing is written to the outbox.
import t from 'tap'
import fc from 'fast-check'
import pino from 'pino'
import { randomUUID } from 'node:crypto'
import { v7 as uuidv7 } from 'uuid'
import {
  OUTBOX_MIGRATIONS, buildAuditEvent, createPool, migrate, parseTraceparent, recordAudit, type AuditEvent, type AuditEventInput, type ConsumedMessage
} from '@wams/platform'
import { canonicalEventJson, leafHash } from '@wams/transparency-log'
import { AuditStore, classify } from '../../services/audit/src/store.ts'
import { freshDatabase } from '../support/infra.ts'
import { freshInfra, startAudit, waitFor } from '../audit/support.ts'

const NUM_RUNS = Number(process.env.AUDIT_CONTRACT_RUNS ?? 200)

// ---- arbitraries ------------------------------------------------------------------------------

const hostileChar = fc.oneof(
  fc.constantFrom('\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f',
    '\ufdd0', '\ufdef', '\ufffe', '\uffff', '\u{1fffe}', '\u{10ffff}', '\ufffd', '😀', 'é', '"', '\\', '/', '~', ' '),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)), // unpaired surrogates
  fc.integer({ min: 0, max: 0x10ffff }).filter((cp) => cp < 0xd800 || cp > 0xdfff).map((cp) => String.fromCodePoint(cp))
)
const mostlyFine = fc.string({ minLength: 0, maxLength: 12 })
// Strings that are mostly clean, sometimes with one hostile character, sometimes huge.
const text = fc.oneof(
  { weight: 4, arbitrary: mostlyFine },
  { weight: 3, arbitrary: fc.tuple(mostlyFine, hostileChar, mostlyFine).map(([a, c, b]) => a + c + b) },
  { weight: 1, arbitrary: fc.string({ unit: hostileChar, maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom(4000, 4001, 10_000, 10_001, 70_000).map((n) => 'x'.repeat(n)) }
)
const odd = fc.oneof(
  fc.constant(undefined), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY), fc.constant(-0), fc.constant(1e308),
  fc.bigInt().map((b) => b as unknown), fc.date().map((d) => d as unknown), fc.constant(() => 1)
)
const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
    { weight: 1, arbitrary: odd },
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(text, tie('value'), { maxKeys: 3 })
  )
})).value

const year = fc.oneof(fc.constantFrom(0, 1, 1970, 2025, 9999), fc.integer({ min: 0, max: 9999 }))
const pad = (n: number, w = 2) => String(n).padStart(w, '0')
const time = fc.oneof(
  { weight: 3, arbitrary: fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()) },
  {
    weight: 3,
    arbitrary: fc.tuple(year, fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 61 }),
      fc.constantFrom('Z', 'z', '+01:00', '-15:59', '+16:00', '+23:59', '+0100', ''), fc.constantFrom('', '.5', '.123456', '.1234567890'), fc.constantFrom('T', 't', ' '))
      .map(([y, mo, d, h, s, tz, frac, sep]) => `${pad(y, 4)}-${pad(mo)}-${pad(d)}${sep}${pad(h)}:${pad(s)}:${pad(s)}${frac}${tz}`)
  },
  { weight: 1, arbitrary: fc.constantFrom('2025-12-31T23:59:60Z', '0000-01-01T00:00:00Z', '+010000-01-01T00:00:00.000Z', '2024-02-29T12:00:00Z', '2023-02-29T12:00:00Z', 'yesterday') },
  { weight: 1, arbitrary: text }
)

const OIN = '00000099000000000101'
// Each run changes one or two fields of a valid event, so about a third of the events are valid.
const fieldArbitraries = {
  sub: fc.oneof(text, fc.constant(null)),
  org: fc.oneof(fc.constant(OIN), text),
  roles: fc.array(fc.oneof(fc.constant('college'), text), { maxLength: 3 }),
  partyType: fc.oneof(fc.constant('gemeente'), text, fc.constant(null)),
  legalBasis: fc.oneof(text, fc.constant(null)),
  necessity: fc.oneof(text, fc.constant(null)),
  category: fc.oneof(fc.constant('health'), text),
  policyVersion: fc.oneof(fc.constant('2025.1'), text),
  transactionId: fc.oneof(fc.constant(randomUUID()), text),
  activityVersion: fc.oneof(fc.constant('1'), text),
  fields: fc.array(text, { maxLength: 3 }),
  reasons: fc.array(fc.oneof(fc.constant('SCOPE_MISSING'), text), { maxLength: 2 }),
  // The detail is typed per event type: a decision's detail with hostile text where text goes, or anything at all.
  detail: fc.oneof(
    fc.record({ decision: fc.constant('permit'), partnerStatus: fc.constant(451), providerReason: text }),
    fc.record({ decision: fc.constant('deny'), flags: fc.constant(['objection-overridden']), protectsOthers: fc.record({ reason: text }) }),
    fc.dictionary(text, jsonish, { maxKeys: 4 })
  ),
  time
}
type Overrides = { [K in keyof typeof fieldArbitraries]?: typeof fieldArbitraries[K] extends fc.Arbitrary<infer V> ? V : never }
const oneField: fc.Arbitrary<Overrides> = fc.oneof(...Object.entries(fieldArbitraries).map(([key, arb]) => (arb as fc.Arbitrary<unknown>).map((v) => ({ [key]: v }) as Overrides)))
const overrides = fc.tuple(oneField, fc.option(oneField, { nil: undefined })).map(([a, b]) => ({ ...a, ...b }))

const trace = parseTraceparent(undefined)

function inputOf (o: Overrides): AuditEventInput {
  return {
    type: 'data-request.decision',
    source: 'gateway',
    transactionId: o.transactionId ?? randomUUID(),
    actor: { org: o.org ?? OIN, sub: o.sub === undefined ? 'college-desk' : o.sub, roles: o.roles ?? ['college'], partyType: o.partyType === undefined ? 'gemeente' : o.partyType },
    processingActivity: { id: 'wams.data-request.onderzoek', version: o.activityVersion ?? '1' },
    legalBasis: o.legalBasis === undefined ? 'Wams art. 2.1' : o.legalBasis,
    caseId: randomUUID(),
    provider: '00000099000000000201',
    category: o.category ?? 'health',
    purpose: 'onderzoek',
    fieldsRequested: o.fields ?? ['careInvolved'],
    fieldsReleased: [],
    outcome: 'deny',
    reasons: o.reasons ?? [],
    necessity: o.necessity === undefined ? 'Nodig om te weten welke hulp er al is.' : o.necessity,
    policyVersion: o.policyVersion ?? '2025.1',
    ...(o.time === undefined ? {} : { time: o.time }),
    detail: o.detail === undefined ? { decision: 'deny' } : o.detail
  } as AuditEventInput
}

/** The event as buildAuditEvent assembles it, without its validation: what a careless producer would write. */
function assembled (input: AuditEventInput): AuditEvent {
  return {
    eventId: uuidv7(),
    time: new Date().toISOString(),
    traceId: trace.traceId,
    spanId: trace.spanId,
    legalBasis: null,
    caseId: null,
    subjectRef: null,
    subjectType: null,
    provider: null,
    category: null,
    purpose: null,
    fieldsRequested: [],
    fieldsReleased: [],
    reasons: [],
    necessity: null,
    policyVersion: null,
    ...input
  } as AuditEvent
}

// ---- the property -----------------------------------------------------------------------------

t.test('whatever a producer can commit, the audit store stores and sequences; whatever it refuses is never written', async (t) => {
  const infra = await freshInfra(t, 'audit_contract')
  const app = await startAudit(t, infra)
  const store = new AuditStore({ pool: app.auditLog.pool, logger: pino({ level: 'silent' }), instanceId: 'contract-property' })
  // A producer's database: its outbox, as the gateway and the consent ledger have it (no relay runs).
  const producerDb = await freshDatabase('audit_contract_producer')
  const producer = createPool(producerDb.url, 2)
  await migrate(producer, OUTBOX_MIGRATIONS)
  t.teardown(async () => { await producer.end(); await producerDb.drop() })
  const outboxRows = async () => (await producer.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox')).rows[0]!.n

  const stored: string[] = []
  let refused = 0
  let offset = 1_000_000
  const started = Date.now()

  await fc.assert(fc.asyncProperty(overrides, async (o) => {
    const input = inputOf(o)
    const event = assembled(input)
    const before = await outboxRows()
    let committed = true
    try {
      await recordAudit(producer, [event]) // runs the contract, then writes the outbox row
    } catch {
      committed = false
    }
    // buildAuditEvent (the producers' usual path) agrees with recordAudit.
    let built = true
    try { buildAuditEvent(input, trace) } catch { built = false }
    if (built !== committed) throw new Error(`buildAuditEvent ${built ? 'accepts' : 'refuses'} what recordAudit ${committed ? 'accepts' : 'refuses'}`)

    if (!committed) {
      refused++
      if (await outboxRows() !== before) throw new Error('a refused event was written to the outbox')
      return
    }
    // Exactly the row the relay would publish is the message the store consumes.
    const { rows } = await producer.query<{ payload: string, message_key: string }>('SELECT payload, message_key FROM outbox WHERE event_id = $1', [event.eventId])
    if (rows.length !== 1) throw new Error('an accepted event is not in the outbox')
    const message: ConsumedMessage = { topic: `${infra.prefix}audit`, partition: 0, offset: String(offset++), key: rows[0]!.message_key, value: rows[0]!.payload, headers: { 'event-id': event.eventId } }
    const classified = classify(message)
    if (classified.kind !== 'event') throw new Error(`the store refuses what the producer committed: ${classified.problems.join('; ')}`)
    const inserted = store.stats.inserted
    const rejected = store.stats.rejected
    await store.handle([message])
    if (store.stats.inserted !== inserted + 1 || store.stats.rejected !== rejected) throw new Error('the store did not insert a committed event')
    stored.push(event.eventId)
  }), { numRuns: NUM_RUNS, interruptAfterTimeLimit: 25_000 })

  t.ok(stored.length >= NUM_RUNS / 10, `${stored.length} accepted events were stored`)
  t.ok(refused >= NUM_RUNS / 10, `${refused} refused events were never written`)

  // Every stored event is sequenced into the log, and the stored copy hashes to its leaf.
  const sequenced = await waitFor('every stored event in the log', async () => {
    const { rows } = await app.auditLog.pool.query<{ event_id: string, event: Record<string, unknown>, leaf_hash: Buffer, leaf_index: string | null }>(
      'SELECT event_id, event, leaf_hash, leaf_index FROM audit_events WHERE event_id = ANY($1::uuid[])', [stored])
    return rows.length === stored.length && rows.every((r) => r.leaf_index !== null) ? rows : null
  }, 20_000)
  t.equal(sequenced.length, stored.length, 'each accepted event is in the log')
  const mismatched = sequenced.filter((r) => !leafHash(Buffer.from(canonicalEventJson(r.event), 'utf8')).equals(r.leaf_hash))
  t.same(mismatched.map((r) => r.event_id), [], 'each event read back from the store hashes to its leaf (stored exactly)')
  const { rows: [rej] } = await app.auditLog.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM rejected_messages')
  t.equal(rej!.n, 0, 'the store rejected nothing a producer committed')
  t.ok(Date.now() - started < 30_000, `bounded run: ${Date.now() - started} ms`)
})
