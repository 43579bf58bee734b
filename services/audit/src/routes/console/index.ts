// The supervisor's console (issue 12 item 3) at /console/: static files only, public like the
// checkpoint (they hold no personal data; every API call they make carries the caller's token).
// The script is bundled with esbuild from services/audit/console/src on the first request and kept
// in memory: no build step, nothing written, works offline. Every answer has a strict CSP (no
// inline script or style, only this origin). Unlike every API answer (no-store), these files may be
// cached: `public, max-age=300` with a strong ETag (SHA-256 of the body), so a reload within five
// minutes costs nothing and after that a 304.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

const ROOT = fileURLToPath(new URL('../../../console/', import.meta.url))

/** Stricter than the service's default (which allows inline assets for the docs UI). */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join('; ')

let bundle: Promise<string> | undefined

/** The console's script: src/main.ts and what it imports (Chart.js, the transparency log's browser checks). */
export async function buildConsoleScript (): Promise<string> {
  const { build } = await import('esbuild')
  const result = await build({
    entryPoints: [`${ROOT}src/main.ts`],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // WebCrypto Ed25519: Chromium 137+, Firefox 129+, Safari 17+.
    target: ['chrome113', 'firefox129', 'safari17'],
    minify: true,
    legalComments: 'eof',
    write: false,
    logLevel: 'silent'
  })
  return result.outputFiles[0]!.text
}

function consoleScript (): Promise<string> {
  bundle ??= buildConsoleScript().catch((err: unknown) => {
    bundle = undefined // try again on the next request
    throw err
  })
  return bundle
}

/** The console's static files hold no personal data: cacheable, unlike every API answer. */
export const CONSOLE_CACHE_CONTROL = 'public, max-age=300'

const etags = new Map<string, string>()
const etagOf = (body: string) => {
  let tag = etags.get(body)
  if (tag === undefined) etags.set(body, tag = `"${createHash('sha256').update(body).digest('base64url')}"`)
  return tag
}

const send = (request: FastifyRequest, reply: FastifyReply, type: string, body: string) => {
  const etag = etagOf(body)
  reply.header('content-type', type).header('content-security-policy', CONSOLE_CSP)
    .header('cache-control', CONSOLE_CACHE_CONTROL).header('etag', etag)
  if (request.headers['if-none-match'] === etag) return reply.code(304).send()
  return reply.send(body)
}

export default async function consoleRoutes (app: FastifyInstance): Promise<void> {
  const [html, css] = await Promise.all([readFile(`${ROOT}index.html`, 'utf8'), readFile(`${ROOT}console.css`, 'utf8')])
  const schema = { hide: true }

  app.get('/console', { schema }, async (request, reply) => reply.redirect('/console/', 301))

  app.get<{ Params: { '*': string } }>('/console/*', { schema }, async (request, reply) => {
    switch (request.params['*']) {
      case '':
      case 'index.html':
        return send(request, reply, 'text/html; charset=utf-8', html)
      case 'console.css':
        return send(request, reply, 'text/css; charset=utf-8', css)
      case 'console.js':
        return send(request, reply, 'text/javascript; charset=utf-8', await consoleScript())
      default:
        return reply.callNotFound()
    }
  })
}
