// The fault matrix (issue 8, "Tests that show it"): the real stack as separate OS processes — a
// private Kafka broker, the demo partners, the consent ledger, the audit service and the gateway on
// fresh databases — under a bounded steady load of permitted data requests (the college of the
// gemeente asks the GGD for careInvolved of the client of an ernstig case). Mid-load one fault is
// injected; then, for every fault:
//   - every 200 answer carries an auditEventId, and each of them is in the audit log exactly once
//     (counted in a verified export), proven in the gateway's outbox within SETTLE_MS after the
//     load ended and the fault was repaired;
//   - `wams verify` (the CLI, as a supervisor runs it) passes over the export of the latest signed
//     checkpoint, consistent with the checkpoint taken after the fault before;
//   - with every partner stalled, every answer comes within PARTNER_TIMEOUT_MS + MARGIN_MS on top
//     of the slowest answer that needs no partner during the same load (a control load; the machine's
//     own cost of an answer at that moment: the machine is shared and its load varies).
//   - no service died by itself (one that did fails the fault, and is started again as a
//     supervisor would, so that the later faults stand alone).
// At the end every audit event of both producers, of every outcome, is proven and no alarm stands.
// The figures are printed as a table (and written to $RELIABILITY_TABLE when set): answers by
// status, events found / missing / duplicated, republications, alarms, time until all proven,
// and the time from the answer to proven inclusion (the gateway's outbox: proven_at - created_at).
//
// Bounded: 12 s of load at 25 req/s per fault, each fault settled within SETTLE_MS; a fault takes
// 15–25 s, the Kafka restart as long as the broker needs to start again (20–75 s on a loaded
// 2-CPU machine); the whole file 3.5–7 minutes. `npm run reliability` runs it alone; it needs
// PostgreSQL and Java + Maven (it starts its own broker), not the shared broker.
import t, { type Test } from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import pg from 'pg'
import { TOPICS } from '@wams/platform'
import { POSTGRES_SERVER } from '../support/infra.ts'
import { histogram, percentile, startLoad, type Answer, type Load } from './load.ts'
import { INJECT_AT_MS, PERMITTED_REQUEST, REQUEST_TIMEOUT_MS, college, openCase, producerEnv, supervisor } from './scenario.ts'
import { logCheck, slugOf } from './log-check.ts'
import { sleep, startStack, type Stack } from './stack.ts'

t.setTimeout(900_000) // 3.5–7 minutes seen; room for a broker that is slow to start on a loaded machine

const RATE = Number(process.env.RELIABILITY_RATE ?? 25) // requests per second
const LOAD_MS = Number(process.env.RELIABILITY_LOAD_MS ?? 12_000)
/** How long the audit service is frozen before its topic is deleted. */
const FREEZE_MS = 3_000
/** Every 200's event proven within this long after the load ended and the fault was repaired. */
const SETTLE_MS = 60_000
const PARTNER_TIMEOUT_MS = 2_000
/** The stated margin on top of PARTNER_TIMEOUT_MS and the slowest control answer while every partner stalls. */
const MARGIN_MS = 1_000

const PRODUCER_ENV = producerEnv(30_000)
const GATEWAY_ENV = { PARTNER_TIMEOUT_MS: String(PARTNER_TIMEOUT_MS), RATE_LIMIT_PER_MINUTE: '100000' }

const say = (line: string) => { t.comment(line) }

const stack: Stack = await startStack({ label: 'faults', env: PRODUCER_ENV, gatewayEnv: GATEWAY_ENV, log: say })
t.teardown(() => stack.close())

const caseId = await openCase(stack.ledger.url)
const REQUEST = PERMITTED_REQUEST

/** Denied by the necessity rule before any partner is called (the stall fault's control). */
const CONTROL_REQUEST = { ...REQUEST, fields: ['careInvolved', 'diagnosisSummary'] }
const CONTROL_RATE = 5

// ---- the faults ---------------------------------------------------------------------------------

interface FaultContext { stack: Stack, load: Load, note: (line: string) => void }
interface Fault {
  name: string
  /** Runs from the injection on; resolves when the fault has been repaired (if it is repaired). */
  run: (ctx: FaultContext) => Promise<void>
  /** Runs the control load (CONTROL_REQUEST) beside the load. */
  control?: boolean
  /** Further assertions over the answers (and those of the control load). */
  check?: (t: Test, answers: Answer[], outbox: OutboxRow[], control: Answer[]) => void
}

const faults: Fault[] = [
  { name: 'none (baseline)', run: async () => {} },
  {
    name: 'Kafka stopped and started',
    run: async ({ stack, note }) => {
      const t0 = Date.now()
      await stack.kafka.down()
      note(`kafka stopped in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
      await stack.kafka.up()
      note(`kafka back after ${((Date.now() - t0) / 1000).toFixed(1)} s (same data dir)`)
    }
  },
  {
    // Data the broker acknowledged but the audit service had not stored yet are lost with the
    // topic. So that there are such data, the audit service is frozen (SIGSTOP) for a moment
    // before the deletion: events pile up unconsumed in the topic, and go with it.
    name: 'audit topic deleted',
    run: async ({ stack, note }) => {
      const admin = new Kafka({ clientId: 'reliability-fault', brokers: [stack.kafka.brokers], logLevel: logLevel.NOTHING }).admin()
      await admin.connect()
      try {
        const topic = stack.topicPrefix + TOPICS.audit
        stack.audit.signal('SIGSTOP')
        await sleep(FREEZE_MS)
        try {
          await admin.deleteTopics({ topics: [topic], timeout: 15_000 })
        } finally {
          stack.audit.signal('SIGCONT')
        }
        note(`audit service frozen for ${FREEZE_MS / 1000} s, then ${topic} deleted with what it held`)
      } finally {
        await admin.disconnect()
      }
    },
    check: (t, _answers, outbox) => {
      const again = outbox.filter((r) => r.publish_count > 1).length
      t.ok(again > 0, `the producer's reconciliation published the lost events again (${again} events)`)
    }
  },
  {
    name: 'audit service SIGKILLed',
    run: async ({ stack, note }) => {
      await stack.audit.kill('SIGKILL')
      await sleep(2_000)
      note(`audit service restarted, ready in ${((await stack.audit.start()) / 1000).toFixed(1)} s`)
    }
  },
  {
    name: 'gateway SIGKILLed',
    run: async ({ stack, note }) => {
      await stack.gateway.kill('SIGKILL')
      note(`gateway restarted, ready in ${((await stack.gateway.start()) / 1000).toFixed(1)} s`)
    }
  },
  {
    name: 'gateway PG connections terminated',
    run: async ({ stack, note }) => {
      const admin = new URL(POSTGRES_SERVER)
      admin.pathname = '/postgres'
      const client = new pg.Client({ connectionString: admin.toString() })
      await client.connect()
      try {
        const name = new URL(stack.databases.gateway).pathname.slice(1)
        let terminated = 0
        // Every 50 ms for 3 s, as in a PostgreSQL restart or fail-over: the connections the
        // gateway opens again in between are cut too, some of them right as they were opened.
        const rounds = 60
        for (let round = 0; round < rounds; round++) {
          const { rows } = await client.query<{ n: number }>(
            'SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name])
          terminated += rows[0]!.n
          await sleep(50)
        }
        note(`terminated ${terminated} backends of the gateway's database in ${rounds} rounds over 3 s`)
      } finally {
        await client.end()
      }
    }
  },
  {
    // The demo partners' process frozen (SIGSTOP): the kernel still accepts connections and takes
    // the requests, nobody reads them, no answer comes; thawed (SIGCONT) after the load. (Starting
    // them again with DEMO_FAULTS delays would leave a window of refused connections that opens
    // every breaker before any call stalls.)
    // Beside the load, all through it, a control load of requests that are denied before any
    // partner is called (a field not necessary: the token, the case state from the ledger, the
    // decision and the audit write, no partner) measures what an answer costs the stack apart
    // from partners; the machine is shared and its load varies. The bound: no answer takes longer
    // than PARTNER_TIMEOUT_MS plus the slowest control answer of its time plus MARGIN_MS.
    name: 'every partner stalled',
    control: true,
    run: async ({ stack, load, note }) => {
      stack.partners.signal('SIGSTOP')
      note('demo partners frozen (SIGSTOP)')
      await load.done
      stack.partners.signal('SIGCONT')
      note('demo partners thawed (SIGCONT)')
    },
    check: (t, answers, _outbox, control) => {
      const timeouts = answers.filter((a) => a.code === 'PARTNER_TIMEOUT').length
      t.ok(timeouts > 0, `the stall was reached: ${timeouts} answers 504 PARTNER_TIMEOUT`)
      t.ok(control.length > 0 && control.every((a) => a.status === 403), `the control requests are denied before any partner is called (${histogram(control)})`)
      // The gateway's own account (Server-Timing): the partner stage — permit wait, connect,
      // answer — never takes longer than the deadline plus the margin.
      const partnerMs = answers.map((a) => a.stages?.partner ?? 0)
      const slowestPartner = Math.max(...partnerMs)
      t.ok(slowestPartner <= PARTNER_TIMEOUT_MS + MARGIN_MS, `the gateway's partner stage within PARTNER_TIMEOUT_MS ${PARTNER_TIMEOUT_MS} + margin ${MARGIN_MS} ms ` +
        `(slowest ${Math.round(slowestPartner)} ms; ledger + decide + partner + audit at most ${Math.round(Math.max(...answers.map(handlerMs)))} ms)`)
      // As the caller sees it: each answer against the control answers in the stack at the same
      // time (sent before it was answered, answered after it was sent): the slowest of them is
      // what the stack itself cost then; the stall may add the deadline and the margin, no more.
      const sentAt = (a: Answer) => a.answeredAt - a.ms
      const controlMax = Math.max(...control.map((c) => c.ms))
      const base = (a: Answer) => {
        const near = control.filter((c) => sentAt(c) < a.answeredAt && c.answeredAt > sentAt(a))
        return near.length > 0 ? Math.max(...near.map((c) => c.ms)) : controlMax
      }
      const excess = answers.map((a) => a.ms - PARTNER_TIMEOUT_MS - base(a))
      const worst = Math.max(...excess)
      const late = answers.filter((_a, i) => excess[i]! > MARGIN_MS)
      t.equal(late.length, 0, `every answer within PARTNER_TIMEOUT_MS ${PARTNER_TIMEOUT_MS} + the slowest control answer of its time + margin ${MARGIN_MS}: ` +
        `the worst exceeds deadline + control by ${Math.round(worst)} ms (slowest answer ${Math.round(Math.max(...answers.map((a) => a.ms)))} ms, ` +
        `control p50 ${Math.round(percentile(control.map((a) => a.ms), 50) ?? 0)} / max ${Math.round(controlMax)} ms)${late.length > 0 ? `; late: ${histogram(late)}` : ''}`)
    }
  }
]

// ---- the run ------------------------------------------------------------------------------------

interface Row {
  fault: string
  requests: number
  statuses: string
  ok: number
  found: number
  missing: number
  duplicated: number
  republished: number
  alarmed: number
  died: string
  provenAfterFaultS: number | null
  provenAfterLast200S: number | null
  p50: number | null
  p99: number | null
  max: number | null
  verify: string
  slowestAnswerMs: number
}
const rows: Row[] = []
const exportAndVerify = logCheck({ auditUrl: () => stack.audit.url, dir: stack.dir, headers: supervisor })

interface OutboxRow { event_id: string, lag_ms: number | null, proven_ms: string | null, publish_count: number, alarmed: boolean }

async function outboxRows (ids: string[]): Promise<OutboxRow[]> {
  const { rows } = await stack.gatewaySql.query<OutboxRow>(
    `SELECT event_id, (extract(epoch FROM proven_at - created_at) * 1000)::float8 AS lag_ms,
            (extract(epoch FROM proven_at) * 1000)::bigint::text AS proven_ms, publish_count, alarmed_at IS NOT NULL AS alarmed
     FROM outbox WHERE topic = 'audit' AND event_id = ANY($1::text[])`, [ids])
  return rows
}

/** The gateway's handler time (the sum of its Server-Timing stages); 0 without the header. */
const handlerMs = (a: Answer) => Object.values(a.stages ?? {}).reduce((x, y) => x + y, 0)

/** Audit events of both producers (gateway, consent ledger) not yet proven, and how many alarmed. */
async function unproven (): Promise<{ unproven: number, alarmed: number }> {
  const total = { unproven: 0, alarmed: 0 }
  for (const sql of [stack.gatewaySql, stack.ledgerSql]) {
    const { rows } = await sql.query<{ unproven: number, alarmed: number }>(
      `SELECT count(*) FILTER (WHERE proven_at IS NULL)::int AS unproven, count(*) FILTER (WHERE alarmed_at IS NOT NULL AND proven_at IS NULL)::int AS alarmed
       FROM outbox WHERE topic = 'audit'`)
    total.unproven += rows[0]!.unproven
    total.alarmed += rows[0]!.alarmed
  }
  return total
}

/** Waits (at most `ms`) until every audit event of both producers is proven; how many are not. */
async function waitUntilSettled (ms: number): Promise<number> {
  const deadline = Date.now() + ms
  for (;;) {
    const { unproven: n } = await unproven()
    if (n === 0 || Date.now() > deadline) return n
    await sleep(250)
  }
}

// RELIABILITY_ONLY=<part of a name> runs only the matching faults (by default: all of them).
const only = process.env.RELIABILITY_ONLY?.toLowerCase()
const chosen = faults.filter((f) => only === undefined || f.name.toLowerCase().includes(only))
if (chosen.length === 0) throw new Error(`RELIABILITY_ONLY=${only} matches no fault: ${faults.map((f) => f.name).join(', ')}`)
for (const fault of chosen) {
  await t.test(fault.name, async (t) => {
    const note = (line: string) => { t.comment(line) }
    // Each fault starts from a settled stack: every audit event of both producers proven.
    const unsettled = await waitUntilSettled(30_000)
    if (unsettled > 0) note(`${unsettled} audit events of an earlier fault still unproven at the start`)
    const load = startLoad({
      url: `${stack.gateway.url}/v1/cases/${caseId}/data-requests`,
      headers: college,
      body: REQUEST,
      ratePerSecond: RATE,
      durationMs: LOAD_MS,
      timeoutMs: REQUEST_TIMEOUT_MS
    })
    const controlLoad = fault.control
      ? startLoad({ url: `${stack.gateway.url}/v1/cases/${caseId}/data-requests`, headers: college, body: CONTROL_REQUEST, ratePerSecond: CONTROL_RATE, durationMs: LOAD_MS, timeoutMs: REQUEST_TIMEOUT_MS })
      : null
    await sleep(INJECT_AT_MS)
    const injectedAt = Date.now()
    const faultDone = fault.run({ stack, load, note }).then(() => Date.now())
    const [answers, repairedAt, control] = await Promise.all([load.done, faultDone, controlLoad?.done ?? []])
    // A service that died by itself is a defect: it fails this fault. It is started again, as a
    // supervisor would, so that its events can still be proven and the later faults stand alone.
    const died: string[] = []
    for (const service of [stack.gateway, stack.audit, stack.ledger, stack.partners]) {
      const crashes = service.takeCrashes()
      if (crashes.length > 0) died.push(`${service.name} ×${crashes.length}`)
      t.same(crashes, [], `the ${service.name} did not die${crashes.length > 0 ? `: ${crashes.join('; ')}\n${service.tail()}` : ''}`)
      if (!service.running) note(`${service.name} started again after its crash: ready in ${((await service.start()) / 1000).toFixed(1)} s`)
    }
    const loadEndedAt = Math.max(...answers.map((a) => a.answeredAt))
    writeFileSync(join(stack.dir, `answers-${slugOf(fault.name)}.json`), JSON.stringify({ injectedAt, startedAt: load.startedAt, answers, control }))
    const ok = answers.filter((a) => a.status === 200)
    t.ok(ok.length > 0, `${ok.length} of ${answers.length} answers are 200 (${histogram(answers)})`)
    const withoutId = ok.filter((a) => a.auditEventId === null)
    t.equal(withoutId.length, 0, 'every 200 carries an auditEventId')
    const ids = ok.map((a) => a.auditEventId!.toLowerCase())
    t.equal(new Set(ids).size, ids.length, 'every 200 has its own auditEventId')

    // Wait until the gateway's outbox holds every 200's event as proven (the producer checked
    // the inclusion proof under a signed checkpoint itself).
    const deadline = Math.max(loadEndedAt, repairedAt) + SETTLE_MS
    let outbox: OutboxRow[] = []
    while (true) {
      outbox = await outboxRows(ids)
      if (outbox.length === ids.length && outbox.every((r) => r.proven_ms !== null)) break
      if (Date.now() > deadline) break
      await sleep(250)
    }
    const proven = outbox.filter((r) => r.proven_ms !== null)
    t.equal(outbox.length, ids.length, 'every 200\'s event is in the gateway\'s outbox')
    t.equal(proven.length, ids.length, `every 200's event proven within ${SETTLE_MS / 1000} s after the load ended and the fault was repaired`)
    const alarmed = outbox.filter((r) => r.alarmed).length

    const { ids: logged, verdict, ok: verified } = await exportAndVerify(fault.name)
    t.ok(verified, `wams verify over the export of the latest checkpoint: ${verdict}`)
    const found = ids.filter((id) => (logged.get(id) ?? 0) >= 1)
    const missing = ids.filter((id) => !logged.has(id))
    const duplicated = ids.filter((id) => (logged.get(id) ?? 0) > 1)
    t.equal(missing.length, 0, `every 200's event is in the audit log${missing.length ? `; missing e.g. ${missing.slice(0, 3).join(', ')}` : ''}`)
    t.equal(duplicated.length, 0, 'and none of them twice')
    fault.check?.(t, answers, outbox, control)

    const lags = proven.map((r) => r.lag_ms!)
    const lastProven = proven.length > 0 ? Math.max(...proven.map((r) => Number(r.proven_ms))) : null
    rows.push({
      fault: fault.name,
      requests: answers.length,
      statuses: histogram(answers),
      ok: ok.length,
      found: found.length,
      missing: missing.length,
      duplicated: duplicated.length,
      republished: outbox.reduce((n, r) => n + Math.max(0, r.publish_count - 1), 0),
      alarmed,
      died: died.join(', ') || 'none',
      provenAfterFaultS: lastProven === null ? null : (lastProven - injectedAt) / 1000,
      provenAfterLast200S: lastProven === null ? null : (lastProven - Math.max(...ok.map((a) => a.answeredAt))) / 1000,
      p50: percentile(lags, 50),
      p99: percentile(lags, 99),
      max: lags.length > 0 ? Math.max(...lags) : null,
      verify: verified ? 'OK' : 'FAILED',
      slowestAnswerMs: Math.max(...answers.map((a) => a.ms))
    })
  })
}

await t.test('at the end: every audit event of both producers proven, of every outcome, no alarm standing', async (t) => {
  const left = await waitUntilSettled(SETTLE_MS)
  const { alarmed } = await unproven()
  t.equal(left, 0, 'no audit event of the gateway or the consent ledger is left unproven')
  t.equal(alarmed, 0, 'no evidence alarm stands')
  const { rows } = await stack.gatewaySql.query<{ outcome: string, n: number }>(
    'SELECT payload::jsonb->>\'outcome\' AS outcome, count(*)::int AS n FROM outbox WHERE topic = \'audit\' GROUP BY 1 ORDER BY 2 DESC')
  t.comment(`the gateway's audit events by outcome: ${rows.map((r) => `${r.outcome}:${r.n}`).join(' ')}`)
})

// ---- the table ----------------------------------------------------------------------------------

const fmt = (v: number | null, digits = 1) => v === null ? '–' : v.toFixed(digits)
const header = ['fault', 'requests', 'statuses', 'died by itself', '200s', 'events found', 'missing', 'duplicated', 'republished', 'alarmed',
  'all proven (s after fault / after last 200)', 'answer→proven p50 / p99 / max (ms)', 'slowest answer (ms)', 'wams verify']
const table = [
  `| ${header.join(' | ')} |`,
  `| ${header.map(() => '---').join(' | ')} |`,
  ...rows.map((r) => `| ${[r.fault, r.requests, r.statuses, r.died, r.ok, r.found, r.missing, r.duplicated, r.republished, r.alarmed,
    `${fmt(r.provenAfterFaultS)} / ${fmt(r.provenAfterLast200S)}`, `${fmt(r.p50, 0)} / ${fmt(r.p99, 0)} / ${fmt(r.max, 0)}`,
    Math.round(r.slowestAnswerMs), r.verify].join(' | ')} |`)
].join('\n')
const legend = `load: ${RATE} req/s for ${LOAD_MS / 1000} s per fault, fault injected after ${INJECT_AT_MS / 1000} s; ` +
  `EVIDENCE_INTERVAL_MS=${PRODUCER_ENV.EVIDENCE_INTERVAL_MS}, EVIDENCE_REPUBLISH_MS=${PRODUCER_ENV.EVIDENCE_REPUBLISH_MS}, ` +
  `CHECKPOINT_INTERVAL_MS=${PRODUCER_ENV.CHECKPOINT_INTERVAL_MS}, PARTNER_TIMEOUT_MS=${PARTNER_TIMEOUT_MS}`
say(`fault matrix (${legend})\n${table}`)
// Also on stderr, where every tap reporter shows it, and to a file for the closing note.
process.stderr.write(`\nfault matrix (${legend})\n${table}\n`)
if (process.env.RELIABILITY_TABLE) writeFileSync(process.env.RELIABILITY_TABLE, `${legend}\n\n${table}\n`)
