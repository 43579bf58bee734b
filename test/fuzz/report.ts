// Counting and printing: requests per service and operation, a histogram of statuses, what kind of
// requests were made, the evidence figures, and every violation with a few reproducible samples
// (method, URL, caller, body, answer).
import type { FuzzRequest } from './generate.ts'
import type { Answer, Violation } from './oracle.ts'
import type { EvidenceResult } from './evidence.ts'

export interface Sample { rule: string, detail: string, op: string, kind: string, caller: string, request: string, body: string, status: number, answer: string }

/**
 * Escapes (as \uXXXX) what could break a TAP line or a terminal: controls, line and paragraph
 * separators, bidi overrides, unpaired surrogates, noncharacters. JSON.stringify leaves U+2028, C1
 * controls and the like as they are, and a TAP parser may take some of them for line ends.
 */
// eslint-disable-next-line no-control-regex -- the control characters are what it escapes
const RISKY = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufdd0-\ufdef\ufffe\uffff]|\p{Cs}/gu
export const printable = (s: string): string => s.replace(RISKY, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)

const show = (s: string | Buffer | undefined, max: number): string => {
  if (s === undefined) return ''
  const text = typeof s === 'string' ? s : `(bytes) ${s.toString('latin1')}`
  // JSON.stringify makes control characters and lone surrogates visible as escapes.
  return printable(JSON.stringify(text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text))
}

export class Report {
  total = 0
  private readonly services = new Map<string, { requests: number, statuses: Map<number, number>, maxMs: number, totalMs: number }>()
  private readonly ops = new Map<string, number>()
  private readonly kinds = new Map<string, number>()
  private readonly callers = { valid: 0, broken: 0 }
  private readonly violations = new Map<string, { count: number, samples: Sample[], seen: Set<string> }>()
  private readonly workers: Array<[string, number]> = []
  private readonly harnessErrors: string[] = []

  record (req: FuzzRequest, a: Answer, violations: Violation[]): void {
    this.total++
    const s = this.services.get(req.service) ?? { requests: 0, statuses: new Map(), maxMs: 0, totalMs: 0 }
    s.requests++
    s.statuses.set(a.status, (s.statuses.get(a.status) ?? 0) + 1)
    s.maxMs = Math.max(s.maxMs, a.ms)
    s.totalMs += a.ms
    this.services.set(req.service, s)
    const opKey = `${req.service} ${req.op}`
    this.ops.set(opKey, (this.ops.get(opKey) ?? 0) + 1)
    for (const k of req.kind.split('+')) this.kinds.set(k, (this.kinds.get(k) ?? 0) + 1)
    if (req.caller.valid) this.callers.valid++
    else this.callers.broken++
    for (const v of violations) {
      const entry = this.violations.get(v.rule) ?? { count: 0, samples: [], seen: new Set<string>() }
      entry.count++
      const key = `${req.service} ${req.op} ${a.status} ${req.kind}`
      if (entry.samples.length < 6 && !entry.seen.has(key)) {
        entry.seen.add(key)
        entry.samples.push({
          rule: v.rule,
          detail: printable(v.detail),
          op: `${req.service} ${req.op}`,
          kind: printable(req.kind),
          caller: req.caller.name,
          request: `${req.method} ${show(req.url, 200)}`,
          body: show(req.payload, 400),
          status: a.status,
          answer: show(a.body, 300)
        })
      }
      this.violations.set(v.rule, entry)
    }
  }

  worker (name: string, runs: number): void { this.workers.push([name, runs]) }
  harness (name: string, error: string): void { this.harnessErrors.push(`${name}: ${error}`) }

  violationsByRule (): Map<string, { count: number, samples: Sample[] }> {
    const out = new Map<string, { count: number, samples: Sample[] }>()
    for (const [rule, v] of this.violations) out.set(rule, { count: v.count, samples: v.samples })
    if (this.harnessErrors.length > 0) out.set('harness', { count: this.harnessErrors.length, samples: this.harnessErrors.map((e) => ({ rule: 'harness', detail: e }) as Sample) })
    return out
  }

  table (x: {
    seed: number,
    seconds: number,
    evidence: EvidenceResult,
    readiness: string[],
    documented503: Map<string, number>,
    undocumented: Map<string, number>,
    log: { lines: number, bsnLines: number },
    permitTemplates: number
  }): string[] {
    const lines: string[] = []
    const pad = (s: string | number, n: number) => String(s).padEnd(n)
    const num = (s: string | number, n: number) => String(s).padStart(n)
    lines.push(`──── fuzz figures (seed ${x.seed}, ${x.seconds.toFixed(1)} s of fuzzing, ${this.total} requests, ${(this.total / x.seconds).toFixed(0)}/s) ────`)
    lines.push(`${pad('service', 9)}${num('requests', 9)}${num('avg ms', 8)}${num('max ms', 8)}  statuses`)
    for (const [name, s] of [...this.services].sort()) {
      const hist = [...s.statuses].sort((a, b) => a[0] - b[0]).map(([st, n]) => `${st || 'none'}:${n}`).join(' ')
      lines.push(`${pad(name, 9)}${num(s.requests, 9)}${num((s.totalMs / s.requests).toFixed(1), 8)}${num(s.maxMs.toFixed(0), 8)}  ${hist}`)
    }
    lines.push(`callers: ${this.callers.valid} with a valid token, ${this.callers.broken} without or with a broken one`)
    lines.push(`kinds: ${[...this.kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`)
    lines.push(`operations: ${[...this.ops].sort().map(([k, n]) => `${k} ${n}`).join('; ')}`)
    lines.push(`workers (fast-check runs): ${this.workers.map(([w, n]) => `${w} ${n}`).join(', ')}; permit templates ${x.permitTemplates}`)
    lines.push(`documented 503s: ${[...x.documented503].map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`)
    const e = x.evidence
    lines.push('evidence    answered  in outbox+log  missing')
    for (const [name, tl] of [['permits', e.permits], ['denies', e.denies], ['others', e.others]] as const) {
      lines.push(`${pad(name, 10)}${num(tl.answered, 10)}${num(tl.checked, 15)}${num(tl.missing, 9)}`)
    }
    lines.push(`evidence: waited ${(e.waitedMs / 1000).toFixed(1)} s; ${e.missingFromOutbox.length} not in the outbox; ${e.missingFromLog.length} not in the log` +
      ` (${e.missingFromLog.filter((m) => m.rejectedByStore).length} of them rejected by the store); ${e.outcomeMismatch.length} outcome mismatches; ${e.duplicateIds} duplicate ids`)
    lines.push(`evidence: outboxes ${e.outboxSizes.gateway} gateway + ${e.outboxSizes.ledger} ledger audit events, not in the log: ${e.outboxNotInLog.gateway} + ${e.outboxNotInLog.ledger}; rejected by the store: ${e.rejected}`)
    lines.push(`evidence: ${e.sampled} sampled through GET /v1/audit/events/{id}, proof failures ${e.proofFailures.length}; proven to the producer: ${e.producerProven.proven}/${e.producerProven.of}`)
    if (e.answerToCheckpointMs) lines.push(`evidence: answer → covering signed checkpoint p50 ${e.answerToCheckpointMs.p50} ms, p99 ${e.answerToCheckpointMs.p99} ms, max ${e.answerToCheckpointMs.max} ms`)
    lines.push(`gateway log: ${x.log.lines} lines, ${x.log.bsnLines} with a BSN`)
    lines.push(`readiness at the end: ${x.readiness.join('; ')}`)
    if (x.undocumented.size > 0) lines.push(`statuses the documents do not list (information): ${[...x.undocumented].sort().map(([k, n]) => `${k} ×${n}`).join('; ')}`)
    const rules = this.violationsByRule()
    lines.push(`violations: ${rules.size === 0 ? 'none' : [...rules].map(([r, v]) => `${r} ${v.count}`).join(', ')}`)
    for (const [, v] of rules) {
      for (const s of v.samples) {
        lines.push(`  ✗ ${s.rule}: ${s.detail}`)
        if (s.op) lines.push(`      ${s.op} [${s.kind}] as ${s.caller}: ${s.request} body ${s.body} → ${s.status} ${s.answer}`)
      }
    }
    return lines.map(printable)
  }
}
