// What the benches share: issue 13's targets side by side ("met" / "NOT met"), the CPU each
// process used (Linux /proc), and a summary of a V8 CPU profile (.cpuprofile, from --cpu-prof).
import { readdirSync, readFileSync } from 'node:fs'

// ---- targets ------------------------------------------------------------------------------------

export interface Target {
  /** What is compared, e.g. 'full gateway vs bare proxy, req/s at full load'. */
  measure: string
  /** The target as the issue states it, e.g. '≥ 50 %'. */
  target: string
  /** The measured figure, e.g. '31 % (1,200 vs 3,900)'. */
  measured: string
  met: boolean
}

/** Prints the targets as one table (the last thing a bench prints). */
export function printTargets (title: string, targets: Target[], notes: string[] = []): void {
  const rows = targets.map((t) => [t.measure, t.target, t.measured, t.met ? 'met' : 'NOT met'])
  const head = ['measure (same run)', 'target', 'measured', 'verdict']
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)))
  const line = (r: string[]) => `| ${r.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`
  console.log(`\n${title}`)
  console.log(line(head))
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
  for (const r of rows) console.log(line(r))
  for (const n of notes) console.log(`  ${n}`)
}

export const percent = (part: number, whole: number): string => `${(part / whole * 100).toFixed(0)} %`
export const thousands = (n: number): string => Math.round(n).toLocaleString('en-US')

// ---- CPU per process ------------------------------------------------------------------------------

const TICK_MS = 10 // USER_HZ = 100 on Linux

export type CpuSnapshot = Map<string, number>

/**
 * CPU time (ms, user + system) used so far, per component: the processes in `named` (pid → name),
 * this process as `self`, and PostgreSQL and Kafka by command name. Null where there is no /proc.
 */
export function cpuSnapshot (named: Map<string, string>, self = 'load generator'): CpuSnapshot | null {
  let pids: string[]
  try { pids = readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p)) } catch { return null }
  const out: CpuSnapshot = new Map()
  for (const pid of pids) {
    let stat: string
    try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8') } catch { continue }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ms = (Number(fields[11]) + Number(fields[12])) * TICK_MS // utime + stime
    const name = named.get(pid) ?? (pid === String(process.pid) ? self : comm.startsWith('postgres') ? 'postgresql' : comm === 'java' ? 'kafka' : null)
    if (name !== null) out.set(name, (out.get(name) ?? 0) + ms)
  }
  return out
}

/** CPU ms per unit of work (a request, an event) between two snapshots, per component. */
export function cpuPer (before: CpuSnapshot | null, after: CpuSnapshot | null, units: number): Map<string, number> {
  const out = new Map<string, number>()
  if (before === null || after === null || units === 0) return out
  for (const [name, ms] of after) out.set(name, (ms - (before.get(name) ?? 0)) / units)
  return out
}

/** 'gateway 2.09, postgresql 1.48, …' (ms), largest first, and the total. */
export function cpuLine (cpu: Map<string, number>): string {
  const parts = [...cpu].filter(([, ms]) => ms > 0).sort((a, b) => b[1] - a[1])
  const total = parts.reduce((n, [, ms]) => n + ms, 0)
  return `${total.toFixed(3)} ms (${parts.map(([name, ms]) => `${name} ${ms.toFixed(3)}`).join(', ')})`
}

// ---- CPU profile summary ----------------------------------------------------------------------------

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number, columnNumber: number }
  hitCount?: number
  children?: number[]
}

interface CpuProfile { nodes: ProfileNode[], startTime: number, endTime: number, samples?: number[], timeDeltas?: number[] }

/** Where a function lives: a package under node_modules, Node's own code, ours, or V8. */
export function groupOf (url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? `v8 ${functionName}` : 'native'
  const nm = url.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/')
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  if (url.startsWith('node:')) return 'node:internal'
  const ours = /\/(services|packages)\/([^/]+)\//.exec(url)
  if (ours) return `${ours[1]}/${ours[2]}`
  if (/\/(bench|schemas)\//.test(url)) return /\/(bench|schemas)\//.exec(url)![1]!
  return 'other'
}

function where (url: string): string {
  const ours = url.replace(/^file:\/\//, '')
  const nm = ours.lastIndexOf('/node_modules/')
  if (nm >= 0) return ours.slice(nm + '/node_modules/'.length)
  const root = /\/(services|packages|bench|schemas)\//.exec(ours)
  return root ? ours.slice(root.index + 1) : ours
}

export interface ProfileSummary { totalMs: number, idleMs: number, self: Row[], total: Row[], groups: Array<[string, number]> }
interface Row { name: string, group: string, ms: number }

/** Self and total time per function (recursion counted once), and self time per group. */
export function summariseProfile (profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  // Time per node from the samples (each sample holds until the next); hitCount × mean interval without them.
  const selfMs = new Map<number, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  if (samples.length > 0 && deltas.length === samples.length) {
    for (let i = 0; i < samples.length; i++) {
      const us = deltas[i + 1] ?? 0
      selfMs.set(samples[i]!, (selfMs.get(samples[i]!) ?? 0) + us / 1000)
    }
  } else {
    const hits = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0)
    const per = hits > 0 ? (profile.endTime - profile.startTime) / 1000 / hits : 0
    for (const node of profile.nodes) selfMs.set(node.id, (node.hitCount ?? 0) * per)
  }
  const keyOf = (n: ProfileNode) => {
    const f = n.callFrame
    const name = f.functionName || '(anonymous)'
    return f.url ? `${name} ${where(f.url)}:${f.lineNumber + 1}` : name
  }
  const self = new Map<string, Row>()
  const total = new Map<string, Row>()
  const groups = new Map<string, number>()
  let totalMs = 0
  let idleMs = 0
  const onStack = new Map<string, number>()
  // Iterative depth-first walk from the root; a node's self time counts for every distinct function on its stack.
  const root = profile.nodes[0]!
  const stack: Array<{ node: ProfileNode, leaving: boolean }> = [{ node: root, leaving: false }]
  while (stack.length > 0) {
    const { node, leaving } = stack.pop()!
    const key = keyOf(node)
    if (leaving) {
      const n = onStack.get(key)! - 1
      if (n === 0) onStack.delete(key); else onStack.set(key, n)
      continue
    }
    onStack.set(key, (onStack.get(key) ?? 0) + 1)
    stack.push({ node, leaving: true })
    const ms = selfMs.get(node.id) ?? 0
    if (ms > 0) {
      totalMs += ms
      if (node.callFrame.functionName === '(idle)') idleMs += ms
      const group = groupOf(node.callFrame.url, node.callFrame.functionName)
      const s = self.get(key) ?? { name: key, group, ms: 0 }
      s.ms += ms
      self.set(key, s)
      groups.set(group, (groups.get(group) ?? 0) + ms)
      for (const k of onStack.keys()) {
        const row = total.get(k) ?? { name: k, group: '', ms: 0 }
        row.ms += ms
        total.set(k, row)
      }
    }
    for (const child of node.children ?? []) stack.push({ node: byId.get(child)!, leaving: false })
  }
  // The group of a total row: that of the function itself (found among the nodes).
  for (const node of profile.nodes) {
    const row = total.get(keyOf(node))
    if (row) row.group = groupOf(node.callFrame.url, node.callFrame.functionName)
  }
  const notRoot = (r: Row) => r.name !== '(root)' && r.name !== '(idle)'
  return {
    totalMs,
    idleMs,
    self: [...self.values()].filter(notRoot).sort((a, b) => b.ms - a.ms),
    total: [...total.values()].filter(notRoot).sort((a, b) => b.ms - a.ms),
    groups: [...groups].filter(([g]) => g !== 'v8 (idle)').sort((a, b) => b[1] - a[1])
  }
}

/** Prints the summary of one .cpuprofile: busy time, self time per group, top functions by self and by total time. */
export function printProfileSummary (file: string, topSelf = 15, topTotal = 10, title = 'Gateway CPU profile'): void {
  const s = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile)
  const busy = s.totalMs - s.idleMs
  const pct = (ms: number) => `${(ms / busy * 100).toFixed(1).padStart(5)} %`
  const ms = (v: number) => `${v.toFixed(0).padStart(7)} ms`
  console.log(`\n${title} (${file}): ${(s.totalMs / 1000).toFixed(1)} s profiled, ${(busy / 1000).toFixed(1)} s busy; percentages of busy time`)
  console.log('Self time by group:')
  for (const [group, v] of s.groups.slice(0, 15)) console.log(`  ${group.padEnd(40)}${ms(v)}${pct(v)}`)
  console.log(`Top ${topSelf} functions by self time:`)
  for (const r of s.self.slice(0, topSelf)) console.log(`  ${ms(r.ms)}${pct(r.ms)}  [${r.group}] ${r.name}`)
  console.log(`Top ${topTotal} functions by total time (callees included, recursion once):`)
  for (const r of s.total.slice(0, topTotal)) console.log(`  ${ms(r.ms)}${pct(r.ms)}  [${r.group}] ${r.name}`)
}
