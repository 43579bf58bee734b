// A change to an existing case: only by its college or coordinator, never to a closed case, at the
// version the writer expects (If-Match) if it names one; the command decides on the case as it is
// in the same transaction (ledger.ts). The answer is the recorded event and the case as the writer
// may see it.
import type { Principal, TraceContext } from '@wams/platform'
import { authorise, viewFor } from './case-authorisation.ts'
import type { LedgerCaseState } from './case-state.ts'
import { CaseClosedError } from './errors.ts'
import { appendEvent, type AppendResult, type Decided, type LedgerContext } from './ledger.ts'

/** Who writes which case, at which version, in which request. */
export interface CaseWrite {
  caseId: string
  /** The version the writer expects (If-Match); undefined: whatever is current. */
  expectedVersion: number | undefined
  actor: Principal
  trace: TraceContext
  transactionId: string
}

export function assertOpen (state: LedgerCaseState): void {
  if (state.phase === 'afgesloten') throw new CaseClosedError()
}

/** Appends the event `decide` returns to an existing case as its college or coordinator. */
export async function writeCase (ctx: LedgerContext, write: CaseWrite, decide: (state: LedgerCaseState) => Decided): Promise<AppendResult> {
  return appendEvent(ctx, {
    caseId: write.caseId,
    expectedVersion: write.expectedVersion,
    actor: write.actor,
    trace: write.trace,
    transactionId: write.transactionId,
    authorize: (state) => { authorise(ctx, write.actor, state, 'write') },
    decide: (state) => {
      // authorize ran first on this same state: it exists and the actor may write it.
      assertOpen(state!)
      return decide(state!)
    }
  })
}

/** The answer to a write: the event, and the case as the writer may see it. */
export function writeResult (ctx: LedgerContext, writer: Principal, result: AppendResult, extra: Record<string, unknown> = {}) {
  const { seq, eventId, type, hash, recordedAt } = result.event
  return {
    caseId: result.state.caseId,
    version: result.state.version,
    event: { seq, eventId, type, hash, recordedAt },
    state: viewFor(ctx, writer, result.state),
    ...extra
  }
}
