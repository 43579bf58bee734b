// One round of `npx wams witness`: fetch the log's latest checkpoint, ask the log for the
// consistency proof from the checkpoint this witness cosigned last, cosign (the Witness checks the
// log's signature and the proof, and refuses a rollback or a split view), and hand the
// cosignature to the log (POST /v1/audit/checkpoints/{treeSize}/cosignatures).
import { WitnessRefusal, checkCosignatures, parseCheckpoint, type Witness } from '@wams/transparency-log'

export type RoundResult =
  | { status: 'cosigned', origin: string, treeSize: number, rootHash: string, cosignature: string }
  | { status: 'up-to-date', origin: string, treeSize: number }
  | { status: 'no-checkpoint' }
  | { status: 'refused', refusal: WitnessRefusal, note: string }

export interface RoundOptions {
  witness: Witness
  /** The audit service's base URL. */
  logUrl: string
  /** The bearer token (a supervisor's) for the consistency proof and the cosignature; read per round. */
  token: () => string
  timeoutMs?: number
}

export async function witnessRound (options: RoundOptions): Promise<RoundResult> {
  const { witness } = options
  const latest = await call(options, 'GET', '/v1/audit/checkpoint', { auth: false, allow404: true })
  if (latest === null) return { status: 'no-checkpoint' }
  const note = (latest as { signedNote: string }).signedNote
  const { origin, size, rootHash } = parseCheckpoint(note) // unverified: the Witness verifies
  const last = witness.stateOf(origin)
  // Cosigned already and the log serves it: nothing to do (otherwise cosign again and post).
  if (last?.treeSize === size && last.rootHash.equals(rootHash) && checkCosignatures(note, [witness.verifierKey], 1).ok) {
    return { status: 'up-to-date', origin, treeSize: size }
  }
  let proof: string[] = []
  if (last !== undefined && size > last.treeSize) {
    const answer = await call(options, 'GET', `/v1/audit/consistency?from=${last.treeSize}&to=${size}`, { auth: true })
    proof = (answer as { proof: string[] }).proof
  }
  let cosignature: string
  try {
    cosignature = witness.cosign(note, proof)
  } catch (err) {
    if (err instanceof WitnessRefusal) return { status: 'refused', refusal: err, note }
    throw err
  }
  await call(options, 'POST', `/v1/audit/checkpoints/${size}/cosignatures`, { auth: true, body: { cosignature } })
  return { status: 'cosigned', origin, treeSize: size, rootHash: rootHash.toString('base64'), cosignature }
}

async function call (
  options: RoundOptions,
  method: 'GET' | 'POST',
  path: string,
  how: { auth: boolean, allow404?: boolean, body?: unknown }
): Promise<unknown> {
  const url = `${options.logUrl.replace(/\/+$/, '')}${path}`
  const headers: Record<string, string> = { accept: 'application/json' }
  if (how.auth) headers.authorization = `Bearer ${options.token()}`
  if (how.body !== undefined) headers['content-type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(url, {
      method,
      headers,
      ...(how.body !== undefined ? { body: JSON.stringify(how.body) } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000)
    })
  } catch (err) {
    const cause = (err as { cause?: { code?: string, message?: string } }).cause
    throw new Error(`${method} ${url}: ${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}`)
  }
  if (res.status === 404 && how.allow404) return null
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: the log answered ${res.status} ${text.slice(0, 300)}`)
  return JSON.parse(text)
}
