// Why a witness does not cosign, with the HTTP status C2SP tlog-witness (§ add-checkpoint) gives
// each case, so a witness behind HTTP answers as the protocol says and a caller can tell a log that
// misbehaves (rollback, split view, inconsistent) from one it does not know or cannot check.

export type RefusalReason =
  | 'malformed' //          not a checkpoint, or a proof line that is not a hash (400)
  | 'unknown-origin' //     a log the witness is not configured for (404)
  | 'bad-signature' //      no valid signature by the log's key (403)
  | 'old-size-mismatch' //  the caller's old size is not the witness's (409; the witness's size is told)
  | 'rollback' //           smaller than the checkpoint the witness cosigned last (400)
  | 'split-view' //         the same size as the one cosigned last, another root hash (409)
  | 'inconsistent' //       the consistency proof from the last cosigned checkpoint does not verify (422)

const STATUS: Record<RefusalReason, number> = {
  malformed: 400,
  'unknown-origin': 404,
  'bad-signature': 403,
  'old-size-mismatch': 409,
  rollback: 400,
  'split-view': 409,
  inconsistent: 422
}

/** The refusals that a checkpoint signed by the log can earn only by the log's misbehaviour. */
export const MISBEHAVIOUR: ReadonlySet<RefusalReason> = new Set(['rollback', 'split-view', 'inconsistent'])

export class WitnessRefusal extends Error {
  override name = 'WitnessRefusal'
  readonly status: number

  constructor (
    readonly reason: RefusalReason,
    message: string,
    /** The checkpoint's origin and size, and the size the witness cosigned last (when known). */
    readonly detail: { origin?: string, size?: number, witnessSize?: number } = {}
  ) {
    super(message)
    this.status = STATUS[reason]
  }
}
