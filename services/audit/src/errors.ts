// Every error the audit service throws, each with its own code and status (@fastify/error). The
// platform's problem plugin answers each as problem+json: `code`, `status`, and the message as
// `detail` (a 5xx shows its code, never its message). Messages name no person: a caller's text is
// not echoed (a BSN typed where a number goes must not come back).
import createError from '@fastify/error'

/** An event that does not exist, or that the caller may not see: the same answer (404, not 403). */
export const AuditEventNotFoundError = createError<[]>('AUDIT_EVENT_NOT_FOUND',
  'No such event in the log, or not one you may see', 404)

/** The event is stored and sequenced, but no signed checkpoint covers it yet (404 with Retry-After). */
export const AuditEventNotYetSignedError = createError<[]>('AUDIT_EVENT_NOT_YET_SIGNED',
  'The event is in the log but not yet covered by a signed checkpoint; try again shortly', 404)

/** A page cursor that is not one the log handed out. */
export const AuditCursorInvalidError = createError<[]>('AUDIT_CURSOR_INVALID',
  'The cursor is not valid; use nextCursor of a previous page', 400)

/** A range of leaves (export) or tree sizes (consistency) whose start lies after its end. */
export const AuditRangeInvalidError = createError<[string]>('AUDIT_RANGE_INVALID', '%s', 400)

/** A range that ends beyond what the log holds (export) or has signed (consistency). */
export const AuditRangeBeyondLogError = createError<[string]>('AUDIT_RANGE_BEYOND_LOG', '%s', 400)

/** A route of the supervisor only (export, on-demand checkpoint, rejected messages). */
export const AuditSupervisorOnlyError = createError<[]>('AUDIT_SUPERVISOR_ONLY',
  'Only a supervisor of the toezichthouder may do this', 403)

/** The inzage report of a person the caller may not see it for. */
export const AuditReportNotPermittedError = createError<[]>('AUDIT_REPORT_NOT_PERMITTED',
  'Only the supervisor, or the college or coordinator of a municipality that has a case in which this person is a subject (the consent ledger says), may see this report', 403)

/** The consent ledger could not say whether the person is a subject of the caller's cases: no report (fail closed). */
export const AuditLedgerUnavailableError = createError<[]>('CONSENT_LEDGER_UNAVAILABLE',
  'The consent ledger could not be asked whether this person is in one of your cases; no report was given. Try again later.', 503)

/** The request for an inzage report could not be recorded as an audit event: no report is given. */
export const AuditReportNotRecordedError = createError<[]>('AUDIT_REPORT_NOT_RECORDED',
  'The audit record could not be written; nothing was released', 503)

/** The log has not signed its first checkpoint yet. */
export const CheckpointNotYetSignedError = createError<[]>('CHECKPOINT_NOT_YET_SIGNED',
  'The log has not signed a checkpoint yet', 404)

/** The log refuses to sign a checkpoint inconsistent with the stored tree or a previous checkpoint. */
export const CheckpointRefusedError = createError<[string]>('CHECKPOINT_REFUSED', '%s', 500)

/** A node of the Merkle tree that a proof needs is not stored (the tree is damaged). */
export const MerkleNodeMissingError = createError<[number, number]>('AUDIT_MERKLE_NODE_MISSING',
  'merkle node %d/%d is not stored', 500)

/** No signed checkpoint of that tree size (a cosignature names the checkpoint it is for). */
export const AuditCheckpointNotFoundError = createError<[]>('AUDIT_CHECKPOINT_NOT_FOUND',
  'The log signed no checkpoint of that tree size', 404)

/** A cosignature by a key that is not one of the log's witnesses (WITNESS_KEYS). */
export const AuditWitnessUnknownError = createError<[]>('AUDIT_WITNESS_UNKNOWN',
  'The cosignature is not by a witness key this log accepts (WITNESS_KEYS)', 403)

/** A cosignature that is malformed, does not verify over the checkpoint, or is stamped in the future. */
export const AuditCosignatureInvalidError = createError<[string]>('AUDIT_COSIGNATURE_INVALID', '%s', 422)

/** A statistics period longer than the service computes in one answer (or ending before it starts). */
export const AuditPeriodInvalidError = createError<[string]>('AUDIT_PERIOD_INVALID', '%s', 400)

/** The statistics took longer than their statement timeout: no partial figures are given. */
export const AuditStatisticsTimeoutError = createError<[]>('AUDIT_STATISTICS_TIMEOUT',
  'The figures for this period took too long to compute; ask for a shorter period or narrower filters', 503)
