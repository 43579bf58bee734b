// Appending to a case's ledger: one PostgreSQL transaction reads the head of the chain, lets the
// command decide on the current state, writes the hash-chained event, updates the projection and
// writes the `cases` message and its audit events (one per person concerned) to the outbox. Either all of it commits or none.
//
// Concurrency is optimistic: the next event goes to seq = version + 1, and the primary key
// (case_id, seq) lets only one of two concurrent writers have it; the other gets 409 and the chain
// never forks. A writer may also name the version it expects (If-Match); a mismatch is 409 too.
import { randomUUID } from 'node:crypto'
import { uuidv7 } from '@wams/platform'
import {
  appendToOutbox, buildAuditEvent, chainHash, contentHash, GENESIS_HASH, recordAudit, withProblemMembers,
  type AuditEvent, type PartyRegisterIndex, type Pool, type Principal, type TraceContext
} from '@wams/platform'
import { applyEvent, type EventContent, type EventData, type EventType, type LedgerCaseState } from './case-state.ts'
import { VersionConflictError, VersionMismatchError } from './errors.ts'
import { recordCaseChange, type CaseStateLeases } from './case-state-leases.ts'

export interface LedgerContext {
  pool: Pool
  register: PartyRegisterIndex
  /** The clock of every recordedAt (injected by tests). */
  now: () => Date
  /** The gateways' case-state leases: a change is answered only once they all dropped their copies. */
  leases: CaseStateLeases
}

/** What a command decided to record. */
export type Decided = { [T in EventType]: {
  type: T
  data: EventData[T]
  /** The why in words: statement, necessity or reason. */
  reason: string | null
  /**
   * Pseudonym of the one person the event is about (objections): its audit event is recorded for
   * that person only. Absent: the event concerns every subject of the case, one audit event each.
   */
  subjectRef?: string | null
} }[EventType]

export interface AppendCommand {
  caseId: string
  /** The version the writer expects (If-Match); undefined: whatever is current. */
  expectedVersion?: number
  actor: Principal
  trace: TraceContext
  transactionId: string
  /** Runs first: throws when the actor may not write this case (404/403), so a stranger learns nothing. */
  authorize?: (state: LedgerCaseState | null) => void
  /** Decides on the current state (null: no such case); throws to refuse. */
  decide: (state: LedgerCaseState | null) => Decided | Promise<Decided>
}

export interface StoredEvent {
  seq: number
  eventId: string
  type: EventType
  recordedAt: string
  content: EventContent | null
  contentHash: string
  prevHash: string
  hash: string
  purgedAt: string | null
}

export interface AppendResult { state: LedgerCaseState, event: StoredEvent }

export const LEGAL_BASIS = 'Wams art. 2.1 (gecoördineerde aanpak)'
const OBJECTION_BASIS = 'AVG art. 21 (bezwaar); Wams art. 2.1 (gecoördineerde aanpak)'

export const newCaseId = (): string => randomUUID()

interface HeadRow { version: number, state: LedgerCaseState, hash: string }

export async function appendEvent (ctx: LedgerContext, cmd: AppendCommand): Promise<AppendResult> {
  const { result, changeSeq } = await commitEvent(ctx, cmd)
  // Read-after-write across gateway instances: the writer hears "done" only when no gateway
  // instance can still decide on the state before this change (case-state-leases.ts).
  await ctx.leases.awaitConfirmed(changeSeq)
  return result
}

async function commitEvent (ctx: LedgerContext, cmd: AppendCommand): Promise<{ result: AppendResult, changeSeq: number }> {
  const client = await ctx.pool.connect()
  try {
    await client.query('BEGIN')
    // The head: the projection and the hash of its last event, in one primary-key read.
    const { rows } = await client.query<HeadRow>({
      name: 'ledger-head',
      text: 'SELECT c.version, c.state, e.hash FROM cases c JOIN case_events e ON e.case_id = c.case_id AND e.seq = c.version WHERE c.case_id = $1',
      values: [cmd.caseId]
    })
    const head = rows[0]
    const state = head?.state ?? null
    const version = head?.version ?? 0
    cmd.authorize?.(state)
    if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== version) {
      throw withProblemMembers(new VersionMismatchError(version), { currentVersion: version })
    }
    const decided = await cmd.decide(state)
    const recordedAt = ctx.now()
    const content = {
      caseId: cmd.caseId,
      seq: version + 1,
      eventId: uuidv7(),
      type: decided.type,
      data: decided.data,
      actor: { org: cmd.actor.org, sub: cmd.actor.sub, roles: [...cmd.actor.roles] },
      reason: decided.reason,
      recordedAt: recordedAt.toISOString()
    } as EventContent
    const prevHash = head?.hash ?? GENESIS_HASH
    const cHash = contentHash(content)
    const hash = chainHash(prevHash, cHash)
    const next = applyEvent(state, content)

    try {
      await client.query({
        name: 'ledger-insert-event',
        text: 'INSERT INTO case_events (case_id, seq, event_id, type, content, content_hash, prev_hash, hash, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        values: [cmd.caseId, content.seq, content.eventId, content.type, JSON.stringify(content), cHash, prevHash, hash, recordedAt]
      })
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw new VersionConflictError(`Another change was recorded at version ${content.seq} first; read the case again and retry`)
      }
      throw err
    }
    if (state === null) {
      await client.query({
        name: 'ledger-insert-case',
        text: 'INSERT INTO cases (case_id, version, municipality, phase, state, closed_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        values: [cmd.caseId, next.version, next.municipality, next.phase, JSON.stringify(next), next.closedAt, recordedAt]
      })
    } else {
      const updated = await client.query({
        name: 'ledger-update-case',
        text: 'UPDATE cases SET version = $2, phase = $3, state = $4, closed_at = $5, updated_at = $6 WHERE case_id = $1 AND version = $7',
        values: [cmd.caseId, next.version, next.phase, JSON.stringify(next), next.closedAt, recordedAt, version]
      })
      if (updated.rowCount !== 1) throw new VersionConflictError('The case changed concurrently; read it again and retry')
    }

    // For the gateway's caches: what changed and its version, never personal data.
    await appendToOutbox(client, [{
      topic: 'cases',
      key: cmd.caseId,
      eventId: content.eventId,
      payload: { caseId: cmd.caseId, version: content.seq, type: content.type, recordedAt: content.recordedAt }
    }])
    await recordAudit(client, caseAuditEvents(ctx, cmd, content, next, hash, decided.subjectRef ?? null, recordedAt))
    // Last before the commit: it takes the lock that numbers changes in commit order.
    const changeSeq = await recordCaseChange(client, cmd.caseId)
    await client.query('COMMIT')
    return {
      changeSeq,
      result: {
        state: next,
        event: { seq: content.seq, eventId: content.eventId, type: content.type, recordedAt: content.recordedAt, content, contentHash: cHash, prevHash, hash, purgedAt: null }
      }
    }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}

/**
 * The audit events of one ledger event (SPEC §6 Audit): an audit event concerns at most one person,
 * so a change that concerns several (opening a case with a client and household members, a scope,
 * a participant, a phase, closing) is recorded once per subject of the case, each with that
 * person's pseudonym; an objection only for the person who objected. The detail carries what the
 * audit log needs for the inzage exceptions (route, clientInformed) and the person's role.
 */
export function caseAuditEvents (
  ctx: Pick<LedgerContext, 'register'>, cmd: Pick<AppendCommand, 'actor' | 'trace' | 'transactionId' | 'caseId'>,
  content: EventContent, state: LedgerCaseState, hash: string, only: string | null, recordedAt: Date
): AuditEvent[] {
  const isObjection = content.type === 'objection.lodged' || content.type === 'objection.decided'
  const concerned = only === null ? state.subjects : state.subjects.filter((s) => s.subjectRef === only)
  return concerned.map((subject) => buildAuditEvent({
    type: 'case.event',
    source: 'consent-ledger',
    transactionId: cmd.transactionId,
    actor: { org: cmd.actor.org, sub: cmd.actor.sub, roles: [...cmd.actor.roles], partyType: ctx.register.partyType(cmd.actor.org) },
    processingActivity: { id: `wams.case.${content.type}`, version: '1' },
    legalBasis: isObjection ? OBJECTION_BASIS : LEGAL_BASIS,
    caseId: cmd.caseId,
    subjectRef: subject.subjectRef,
    outcome: 'recorded',
    detail: {
      eventType: content.type,
      version: content.seq,
      hash,
      route: state.route,
      clientInformed: state.clientInformed,
      subjectRole: subject.role
    }
  }, cmd.trace, recordedAt))
}

/** The projected state of a case, by primary key; null when there is no such case. */
export async function readCase (pool: Pool, caseId: string): Promise<LedgerCaseState | null> {
  const { rows } = await pool.query<{ state: LedgerCaseState }>({ name: 'ledger-read-case', text: 'SELECT state FROM cases WHERE case_id = $1', values: [caseId] })
  return rows[0]?.state ?? null
}

/**
 * The cases in which the person with pseudonym `subjectRef` is a subject (client or household
 * member), of one municipality or (null) of all, closed and purged ones included (the purge keeps
 * the pseudonyms), oldest first.
 */
export async function casesOfSubject (pool: Pool, subjectRef: string, municipality: string | null): Promise<Array<{ caseId: string }>> {
  const { rows } = await pool.query<{ case_id: string }>({
    name: 'ledger-cases-of-subject',
    text: `SELECT case_id FROM cases WHERE state->'subjects' @> $1::jsonb AND ($2::text IS NULL OR municipality = $2)
           ORDER BY state->>'openedAt', case_id`,
    values: [JSON.stringify([{ subjectRef }]), municipality]
  })
  return rows.map((r) => ({ caseId: r.case_id }))
}

interface EventRow {
  seq: number,
  event_id: string,
  type: EventType,
  content: EventContent | null,
  content_hash: string
  prev_hash: string,
  hash: string,
  recorded_at: Date,
  purged_at: Date | null
}

/** Every event of a case in seq order, with its hashes; content is null once purged. */
export async function readEvents (pool: Pool, caseId: string): Promise<StoredEvent[]> {
  const { rows } = await pool.query<EventRow>({
    name: 'ledger-read-events',
    text: 'SELECT seq, event_id, type, content, content_hash, prev_hash, hash, recorded_at, purged_at FROM case_events WHERE case_id = $1 ORDER BY seq',
    values: [caseId]
  })
  return rows.map((r) => ({
    seq: r.seq,
    eventId: r.event_id,
    type: r.type,
    recordedAt: r.recorded_at.toISOString(),
    content: r.content,
    contentHash: r.content_hash,
    prevHash: r.prev_hash,
    hash: r.hash,
    purgedAt: r.purged_at?.toISOString() ?? null
  }))
}
