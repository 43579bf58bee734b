// The witnesses whose cosignatures the log accepts: WITNESS_KEYS, C2SP verifier keys of type 0x04
// (tlog-cosignature), comma- or space-separated. A malformed key stops the start, not a request.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { parseCosignerKey, type CosignerKey } from '@wams/transparency-log'
import type { Config } from '../../config.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The witness keys of WITNESS_KEYS (empty: the log accepts no cosignature). */
    witnessKeys: readonly CosignerKey[]
  }
}

export function parseWitnessKeys (value: string | undefined): CosignerKey[] {
  return (value ?? '').split(/[\s,]+/).filter((k) => k !== '').map((k) => parseCosignerKey(k))
}

async function witnessesPlugin (app: FastifyInstance, { config }: { config: Config }): Promise<void> {
  app.decorate('witnessKeys', parseWitnessKeys(config.WITNESS_KEYS))
}

export default fp(witnessesPlugin, { name: 'audit-witnesses' })
