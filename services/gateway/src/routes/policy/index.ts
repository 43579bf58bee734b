// GET /v1/policy: what the gateway enforces, from the policy object its decisions use.
import type { FastifyInstance } from 'fastify'
import { policyDocument } from '../../decision/index.ts'
import { getPolicySchema } from './schema.ts'

export default async function policyRoutes (app: FastifyInstance): Promise<void> {
  // Built once: the policy does not change while the process runs.
  const body = policyDocument(app.policy)
  app.get('/v1/policy', { schema: getPolicySchema }, async () => body)
}
