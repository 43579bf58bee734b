// Decision engine vs Cedar (cedar-wasm, pre-parsed policy set) on the same rules, the
// same register and case states, and the same mix of permit and deny requests.
// Run: node --import tsx bench/decision.ts [iterations]
// First checks that both engines reach the same outcome with the same reason codes on
// every request of the mix; a benchmark of two engines that disagree would mean nothing.
import { readFileSync } from 'node:fs'
import * as cedar from '@cedar-policy/cedar-wasm/nodejs'
import type { CaseState } from '@wams/schemas'
import {
  CLIENT, COORDINATOR, GEMEENTE, GGD, HUISARTS, INACTIVE, POLITIE, TOEZICHTHOUDER, VEILIG_THUIS,
  caseState as fixtureCase, oinOf, participant, policy, request as fixtureRequest,
} from '../test/support/decision-fixtures.ts'
import {
  decide,
  type DecisionContext,
  type Policy,
} from '../services/gateway/src/decision/index.ts'

const ITERATIONS = Number(process.argv[2] ?? 200_000)
const LATENCY_SAMPLES = Math.min(ITERATIONS, 100_000)

const SCHOOL = oinOf('school')
// The benchmark's case has more participants than the test's, so that detail requests of several
// party types are lawful in the mix.
function caseState (changes: Partial<CaseState> = {}): CaseState {
  return fixtureCase({ participants: [GGD, HUISARTS, POLITIE, SCHOOL, VEILIG_THUIS].map(participant), ...changes })
}
function request (changes: Partial<DecisionContext> = {}): DecisionContext {
  return fixtureRequest({ caseState: caseState(), ...changes })
}

const aanpak = caseState({ phase: 'aanpak' })
const coordinator = { ...COORDINATOR, roles: ['coordinator'] }
const hulpvraag = caseState({
  route: 'hulpvraag',
  seriousGrounds: [],
  scope: { domains: ['zorg', 'wmo'], parties: [GGD, GEMEENTE], withdrawn: false, recordedAt: '2025-03-02T14:00:00Z' },
})

const MIX: DecisionContext[] = [
  // permits
  request(),
  request({ provider: GEMEENTE, category: 'identity', fields: ['name', 'birthDate'] }),
  request({ provider: POLITIE, category: 'criminal', fields: ['policeContacts', 'probationSupervision'] }),
  request({ caseState: hulpvraag }),
  request({ caseState: aanpak, requester: coordinator, purpose: 'casusoverleg', fields: ['careInvolved', 'diagnosisSummary'] }),
  request({ caseState: aanpak, requester: { org: HUISARTS, sub: 'huisarts-jan', roles: ['professional'] }, purpose: 'casusoverleg', fields: ['diagnosisSummary'] }),
  request({ caseState: aanpak, requester: { org: VEILIG_THUIS, sub: 'vt-lisa', roles: ['professional'] }, purpose: 'casusoverleg', provider: POLITIE, category: 'safety', fields: ['riskAssessment', 'domesticViolenceReports'] }),
  request({ caseState: aanpak, requester: coordinator, purpose: 'coordinatie', provider: SCHOOL, category: 'education', fields: ['enrolled', 'attendanceRate'] }),
  // denies, one reason
  request({ subjectRef: 'psn-strang-6d0c93b1e58a2f47' }),
  request({ caseState: aanpak }),
  request({ fields: ['careInvolved', 'diagnosisSummary'] }),
  request({ caseState: caseState({ objections: [{ objectionId: '0195f3a9-1d2e-7f00-8c3b-4a5d6e7f8091', subjectRef: CLIENT, status: 'pending' }] }) }),
  request({ caseState: hulpvraag, provider: HUISARTS }),
  request({ provider: INACTIVE, category: 'housing', fields: ['tenant'] }),
  // denies, several reasons
  request({ caseState: aanpak, requester: { org: SCHOOL, sub: 'mentor', roles: ['professional'] }, purpose: 'casusoverleg', fields: ['diagnosisSummary'], necessity: 'even kijken' }),
  request({ caseState: caseState({ seriousGrounds: ['zorgmijding'], phase: 'afgesloten', closedAt: '2025-06-01T12:00:00Z' }), provider: POLITIE, category: 'criminal', fields: ['policeContacts', 'shoeSize'] }),
  request({ caseState: aanpak, requester: { org: TOEZICHTHOUDER, sub: 'inspecteur', roles: ['supervisor'] }, purpose: 'coordinatie', provider: GGD, category: 'housing', fields: [] }),
]

// --- the same requests for Cedar -------------------------------------------------------

type Uid = { type: string; id: string }
type CedarCall = Parameters<typeof cedar.statefulIsAuthorized>[0]

function caseEntity (c: CaseState) {
  return {
    uid: { type: 'Case', id: c.caseId },
    attrs: {
      municipality: c.municipality,
      coordinatorOrg: c.coordinator.org,
      coordinatorSub: c.coordinator.sub,
      phase: c.phase,
      route: c.route,
      closed: c.phase === 'afgesloten' || c.closedAt !== null,
      subjects: c.subjects.map((s) => s.subjectRef),
      participants: c.participants.map((p) => p.org),
      seriousGrounds: c.seriousGrounds,
      pendingObjections: c.objections.filter((o) => o.status === 'pending').map((o) => o.subjectRef),
      upheldObjections: c.objections.filter((o) => o.status === 'upheld').map((o) => o.subjectRef),
      scopeActive: c.scope !== null && !c.scope.withdrawn,
      scopeParties: c.scope?.parties ?? [],
      scopeDomains: c.scope?.domains ?? [],
    },
    parents: [],
  }
}

function toCedar (ctx: DecisionContext, p: Policy): CedarCall {
  const requesterParty = p.register.byOin.get(ctx.requester.org)
  const provider = p.register.byOin.get(ctx.provider)
  const category = p.categories.get(ctx.category)
  const principal: Uid = { type: 'Requester', id: `${ctx.requester.org}/${ctx.requester.sub}` }
  const providerUid: Uid = { type: 'Party', id: ctx.provider }
  const categoryUid: Uid = { type: 'Category', id: ctx.category }
  const c = ctx.caseState!
  return {
    principal,
    action: { type: 'Action', id: 'requestData' },
    resource: { type: 'Case', id: c.caseId },
    preparsedPolicySetId: 'wams',
    context: {
      provider: { __entity: providerUid },
      category: { __entity: categoryUid },
      purpose: ctx.purpose,
      subjectRef: ctx.subjectRef,
      fields: [...ctx.fields],
      fieldCount: ctx.fields.length,
      necessityLength: ctx.necessity.trim().length,
    },
    entities: [
      {
        uid: principal,
        attrs: {
          org: ctx.requester.org,
          sub: ctx.requester.sub,
          roles: [...ctx.requester.roles],
          registered: requesterParty?.active === true,
          partyType: requesterParty?.partyType ?? '',
        },
        parents: [],
      },
      {
        uid: providerUid,
        attrs: { oin: ctx.provider, listed: provider !== undefined, active: provider?.active === true, categories: [...(provider?.categories ?? [])] },
        parents: [],
      },
      {
        uid: categoryUid,
        attrs: {
          name: ctx.category,
          domain: category?.info.domain ?? '',
          sensitivity: category?.info.sensitivity ?? '',
          fields: [...(category?.fieldLevels.keys() ?? [])],
          detailFields: [...(category?.info.detail ?? [])],
          detailPartyTypes: [...(category?.detailPartyTypes ?? [])],
        },
        parents: [],
      },
      caseEntity(c),
    ],
  }
}

function loadCedarPolicies (): void {
  const parts = cedar.policySetTextToParts(readFileSync(new URL('./cedar/wams.cedar', import.meta.url), 'utf8'))
  if (parts.type !== 'success') throw new Error(JSON.stringify(parts.errors))
  // Key each policy by its @id, so the diagnostics name reason codes.
  const staticPolicies: Record<string, string> = {}
  for (const text of parts.policies) {
    const id = /@id\("([^"]+)"\)/.exec(text)?.[1]
    if (id === undefined) throw new Error(`policy without @id: ${text}`)
    staticPolicies[id] = text
  }
  const parsed = cedar.preparsePolicySet('wams', { staticPolicies })
  if (parsed.type !== 'success') throw new Error(JSON.stringify(parsed.errors))
}

function cedarDecide (call: CedarCall): { outcome: 'permit' | 'deny'; reasons: string[] } {
  const answer = cedar.statefulIsAuthorized(call)
  if (answer.type !== 'success') throw new Error(JSON.stringify(answer.errors))
  // An erroring forbid is skipped by Cedar, which would turn a deny into an allow.
  if (answer.response.diagnostics.errors.length > 0) throw new Error(JSON.stringify(answer.response.diagnostics.errors))
  const allow = answer.response.decision === 'allow'
  const reasons = allow ? [] : [...new Set(answer.response.diagnostics.reason.map((id) => id.split('#')[0]!))]
  return { outcome: allow ? 'permit' : 'deny', reasons }
}

// --- agreement -------------------------------------------------------------------------

loadCedarPolicies()
const cedarCalls = MIX.map((ctx) => toCedar(ctx, policy))
let permits = 0
for (const [i, ctx] of MIX.entries()) {
  const ours = decide(ctx, policy)
  const theirs = cedarDecide(cedarCalls[i]!)
  const same =
    ours.outcome === theirs.outcome &&
    [...ours.reasons].sort().join() === [...theirs.reasons].sort().join()
  if (!same) {
    console.error(`request ${i}: engine ${ours.outcome} ${ours.reasons.join(',')} vs cedar ${theirs.outcome} ${theirs.reasons.join(',')}`)
    process.exitCode = 1
  }
  if (ours.outcome === 'permit') permits++
}
if (process.exitCode === 1) throw new Error('the engines disagree; not benchmarking')
console.log(`agreement: ${MIX.length}/${MIX.length} requests (${permits} permit, ${MIX.length - permits} deny), same outcome and reason codes`)

// --- measurement -----------------------------------------------------------------------

interface Result {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
}

let sink = 0 // keeps the work observable so it is not optimised away

function measure (name: string, run: (i: number) => number): Result {
  for (let i = 0; i < Math.min(ITERATIONS, 20_000); i++) sink += run(i) // warm-up
  const start = process.hrtime.bigint()
  for (let i = 0; i < ITERATIONS; i++) sink += run(i)
  const elapsedNs = Number(process.hrtime.bigint() - start)
  const samples = new Float64Array(LATENCY_SAMPLES)
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const t0 = process.hrtime.bigint()
    sink += run(i)
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000
  }
  samples.sort()
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!
  return { name, perSecond: ITERATIONS / (elapsedNs / 1e9), p50: at(0.5), p99: at(0.99) }
}

const n = MIX.length
const engine = measure('decision engine', (i) => decide(MIX[i % n]!, policy).reasons.length)
const cedarResult = measure('cedar-wasm (pre-parsed)', (i) => {
  const answer = cedar.statefulIsAuthorized(cedarCalls[i % n]!)
  return answer.type === 'success' ? answer.response.diagnostics.reason.length : -1
})

const fmt = (x: number, digits = 2) => x.toFixed(digits).padStart(12)
console.log(`\nNode ${process.version}, cedar ${cedar.getCedarVersion()}, ${ITERATIONS} decisions per engine, ${LATENCY_SAMPLES} timed singly for percentiles`)
console.log(`${'engine'.padEnd(26)}${'decisions/s'.padStart(14)}${'p50 µs'.padStart(12)}${'p99 µs'.padStart(12)}`)
for (const r of [engine, cedarResult]) {
  console.log(`${r.name.padEnd(26)}${r.perSecond.toFixed(0).padStart(14)}${fmt(r.p50)}${fmt(r.p99)}`)
}
console.log(
  `${'ratio (cedar / engine)'.padEnd(26)}${(engine.perSecond / cedarResult.perSecond).toFixed(1).padStart(13)}x${(cedarResult.p50 / engine.p50).toFixed(1).padStart(11)}x${(cedarResult.p99 / engine.p99).toFixed(1).padStart(11)}x`
)
console.log(`p99 target of the engine (< 20 µs): ${engine.p99 < 20 ? 'met' : 'NOT met'}`)
if (sink === Number.MIN_SAFE_INTEGER) console.log(sink)
