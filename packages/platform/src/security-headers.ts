// The security headers of the NLGov API Design Rules on every routed answer, as helmet computes
// them from our settings. helmet's output depends on the settings only, so it is computed once at
// start and set from that list; @fastify/helmet rebuilt the middleware on every request (3 % of
// the gateway's CPU at full load, issue 13).
import helmet, { type HelmetOptions } from 'helmet'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { IncomingMessage, ServerResponse } from 'node:http'

const SECURITY_HEADER_OPTIONS: HelmetOptions = {
  // NLGov API design rules: no framing, no sniffing, HSTS, no referrer; the docs UI needs inline assets.
  contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"], scriptSrc: ["'self'", "'unsafe-inline'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'] } },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginEmbedderPolicy: false
}

/** What helmet sets with these options, read off one run of its middleware. */
function securityHeaders (): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {}
  const recorder = {
    setHeader (name: string, value: string | number | readonly string[]) { headers[name] = Array.isArray(value) ? value.join(', ') : String(value) },
    removeHeader (name: string) { delete headers[name] },
    getHeader (name: string) { return headers[name] }
  }
  let failed: unknown = null
  helmet(SECURITY_HEADER_OPTIONS)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => { if (err) failed = err })
  if (failed !== null) throw failed instanceof Error ? failed : new Error(String(failed))
  return Object.freeze(headers)
}

/** Sets the headers at the start of every request, as @fastify/helmet's global hook did. */
async function securityHeadersPlugin (app: FastifyInstance): Promise<void> {
  const headers = securityHeaders()
  app.addHook('onRequest', (_request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    reply.headers(headers)
    done()
  })
}

export default fp(securityHeadersPlugin, { name: 'wams-security-headers' })
