import type { FastifyInstance } from 'fastify'
import { listPartiesSchema } from './schema.ts'

export default async function partiesRoutes (app: FastifyInstance): Promise<void> {
  // Built once: the register does not change while the process runs.
  const body = {
    version: app.partyRegister.version,
    validFrom: app.partyRegister.validFrom,
    parties: app.partyRegister.parties.filter((p) => p.active).map(({ oin, name, partyType, categories }) => ({ oin, name, partyType, categories }))
  }
  app.get('/v1/parties', { schema: listPartiesSchema }, async () => body)
}
