// The log itself: GET /v1/audit/checkpoint, GET /v1/audit/keys and POST /v1/audit/receipts (public,
// like a transparency log's), POST /v1/audit/checkpoints and GET /v1/audit/rejected (supervisor),
// GET /v1/audit/consistency.
import inclusionReceiptsSchema from '@wams/schemas/inclusion-receipts.schema.json' with { type: 'json' }
import { base64Hash, problems, security, tags } from '../schema.ts'

export interface ReceiptsBody { eventIds: string[] }
export interface ConsistencyQuery { from: number, to: number }

const checkpointBody = {
  type: 'object',
  additionalProperties: false,
  required: ['origin', 'treeSize', 'rootHash', 'signedNote', 'signedAt'],
  properties: {
    origin: { type: 'string' },
    treeSize: { type: 'integer', minimum: 0 },
    rootHash: base64Hash,
    signedNote: { type: 'string', description: 'C2SP checkpoint: origin, tree size and root hash, signed with Ed25519' },
    signedAt: { type: 'string', format: 'date-time' }
  }
} as const

export const getCheckpointSchema = {
  tags,
  operationId: 'getLatestCheckpoint',
  summary: 'The latest signed checkpoint (public)',
  description: 'The C2SP signed note of the log\'s latest tree size and root hash, with the same fields apart; 404 before the log signed its first checkpoint.',
  response: { 200: checkpointBody, ...problems(404) }
} as const

export const postCheckpointSchema = {
  tags,
  security,
  operationId: 'signCheckpoint',
  summary: 'Sign a checkpoint of the log as it is now (supervisor)',
  description: '201 with a new checkpoint when the log grew since the latest one, else 200 with the latest. The log refuses to sign a checkpoint that is not consistent with the previous one.',
  response: { 200: checkpointBody, 201: checkpointBody, ...problems(401, 403, 500) }
} as const

export const keysSchema = {
  tags,
  operationId: 'listKeys',
  summary: 'The public keys that verify the checkpoints (public)',
  description: 'Each key as a signed-note verifier key (the --key of wams verify) and as a PEM public key.',
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['keys'],
      properties: {
        keys: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'algorithm', 'verifierKey', 'publicKeyPem'],
            properties: {
              name: { type: 'string' },
              algorithm: { const: 'Ed25519' },
              verifierKey: { type: 'string', description: 'Signed-note verifier key <name>+<key hash>+<base64>, the --key of wams verify' },
              publicKeyPem: { type: 'string' }
            }
          }
        }
      }
    }
  }
} as const

const { $schema: _s, $id: _i, ...receiptsBody } = inclusionReceiptsSchema

export const receiptsSchema = {
  tags,
  operationId: 'getInclusionReceipts',
  summary: 'Inclusion receipts: does the log hold these events under its latest signed checkpoint? (producers)',
  description: 'Producers (gateway, consent ledger) keep each audit event until a receipt proves that the log holds it; they verify the proof and the checkpoint signature themselves. Public like the checkpoint: the answer holds positions and hashes only, never event content.',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['eventIds'],
    properties: { eventIds: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', format: 'uuid' } } }
  },
  response: { 200: receiptsBody, ...problems(400) }
} as const

export const rejectedSchema = {
  tags,
  security,
  operationId: 'listRejectedMessages',
  summary: 'Messages on the audit topic the log could not store (supervisor)',
  description: 'Never dropped silently: kept, counted, listed here without their content (the newest 100), and while any exist the readiness of the audit service reports degraded.',
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['count', 'messages'],
      properties: {
        count: { type: 'integer' },
        messages: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'topic', 'partition', 'offset', 'receivedAt', 'problems'],
            properties: {
              id: { type: 'integer' },
              topic: { type: 'string' },
              partition: { type: 'integer' },
              offset: { type: 'string' },
              receivedAt: { type: 'string', format: 'date-time' },
              problems: { type: 'array', items: { type: 'string' } }
            }
          }
        }
      }
    },
    ...problems(401, 403)
  }
} as const

export const consistencySchema = {
  tags,
  security,
  operationId: 'getConsistencyProof',
  summary: 'Consistency proof between two tree sizes (RFC 9162 §2.1.4)',
  description: 'Proves that the tree of size `to` extends the tree of size `from` without changing it; `to` at most the latest checkpoint\'s tree size.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to'],
    properties: {
      from: { type: 'integer', minimum: 0, description: 'The earlier tree size' },
      to: { type: 'integer', minimum: 0, description: 'The later tree size, at most the latest checkpoint\'s' }
    }
  },
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'to', 'proof'],
      properties: { from: { type: 'integer' }, to: { type: 'integer' }, proof: { type: 'array', items: base64Hash } }
    },
    ...problems(400, 401, 403)
  }
} as const
