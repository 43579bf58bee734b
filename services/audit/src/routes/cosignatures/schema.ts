// POST /v1/audit/checkpoints/{treeSize}/cosignatures: a witness's cosignature of a checkpoint.
import { problems, security, tags } from '../schema.ts'

export interface CosignatureParams { treeSize: number }
export interface CosignatureBody { cosignature: string }

const cosignatureResult = {
  type: 'object',
  additionalProperties: false,
  required: ['treeSize', 'witness', 'timestamp', 'signedNote'],
  properties: {
    treeSize: { type: 'integer', minimum: 0 },
    witness: { type: 'string', description: 'The witness key: `<name>+<hex key ID>`' },
    timestamp: { type: 'integer', minimum: 0, description: 'The cosignature\'s time (POSIX seconds)' },
    signedNote: { type: 'string', description: 'The checkpoint with every cosignature the log holds for it' }
  }
} as const

export const postCosignatureSchema = {
  tags,
  security,
  operationId: 'addCheckpointCosignature',
  summary: 'Add a witness\'s cosignature to a checkpoint (supervisor)',
  description: 'The cosignature line a witness (npx wams witness) returned for this checkpoint: C2SP tlog-cosignature, Ed25519 cosignature/v1. ' +
    'It must be by one of the witness keys the log is configured with (WITNESS_KEYS) and verify over the checkpoint; ' +
    'then the log serves it with the checkpoint (GET /v1/audit/checkpoint). 201 when stored, 200 when the witness had already cosigned this checkpoint as recently.',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['treeSize'],
    properties: { treeSize: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'The tree size of the cosigned checkpoint' } }
  },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['cosignature'],
    properties: {
      cosignature: {
        type: 'string',
        maxLength: 400,
        pattern: '^\u2014 [^\\s\\+]{1,255} [A-Za-z0-9\\+/]{102}==\n?$',
        description: 'The signature line `— <witness name> <base64(key ID ‖ timestamp ‖ Ed25519 signature)>`'
      }
    }
  },
  response: { 200: cosignatureResult, 201: cosignatureResult, ...problems(400, 401, 403, 404, 422) }
} as const
