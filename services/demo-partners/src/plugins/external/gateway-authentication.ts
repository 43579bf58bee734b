// Only the gateway may call a partner system (gateway-token.ts): an EdDSA token from the configured
// gateway key, iss the gateway, aud the called partner's OIN, not expired. `app.authenticateGateway`
// is the onRequest hook of the partner routes: before the body is read, an unknown partner path is
// 404 PARTNER_NOT_FOUND, a call without a valid gateway token 401 with its code and a bearer challenge.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { GatewayTokenVerifier } from '../../gateway-token.ts'
import { PartnerNotFoundError, TOKEN_ERRORS } from '../../errors.ts'

declare module 'fastify' {
  interface FastifyInstance {
    authenticateGateway: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  }
}

/** The verified claims of each request's token (no request decoration to collide with). */
const claimsOf = new WeakMap<FastifyRequest, Record<string, unknown>>()

/** The claims of the gateway token `authenticateGateway` accepted for this request. */
export function gatewayClaims (request: FastifyRequest): Record<string, unknown> | undefined {
  return claimsOf.get(request)
}

async function gatewayAuthentication (app: FastifyInstance, { verifier }: { verifier: GatewayTokenVerifier }): Promise<void> {
  app.decorate('authenticateGateway', async (request: FastifyRequest, reply: FastifyReply) => {
    const { oin } = request.params as { oin: string }
    if (app.partnerSystems.register.get(oin) === undefined) throw new PartnerNotFoundError()
    const check = verifier.verify(request.headers.authorization, oin)
    if (!check.ok) {
      reply.header('WWW-Authenticate', check.failure === 'TOKEN_MISSING' ? 'Bearer' : 'Bearer error="invalid_token"')
      throw new TOKEN_ERRORS[check.failure]()
    }
    claimsOf.set(request, check.claims)
  })
}

export default fp(gatewayAuthentication, { name: 'demo-gateway-authentication', dependencies: ['demo-partner-systems'] })
