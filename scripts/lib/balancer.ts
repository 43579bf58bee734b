// A small HTTP load balancer for the local production shape: what a Kubernetes Service is in
// front of the replicas of a service. Round robin over the instances, one fresh connection per
// request; a request whose instance refuses the connection (it is down) goes to the next one, each
// tried once, so a dead instance costs no answer. A request that reached an instance is never sent
// again (a data request must not be decided twice): its failure is the caller's, as 502.
// The body is read whole first so that it can be sent to the next instance.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'

export interface Balancer {
  port: number
  url: string
  close: () => Promise<void>
}

function problem (res: ServerResponse, status: number, detail: string): void {
  if (res.headersSent) { res.destroy(); return }
  res.writeHead(status, { 'content-type': 'application/problem+json' })
  res.end(JSON.stringify({ type: 'about:blank', title: 'Bad Gateway', status, code: 'UPSTREAM_UNAVAILABLE', detail }))
}

/** Listens on 127.0.0.1:`port` (0: a free port) and spreads requests over `targets` (base URLs). */
export async function startBalancer (targets: string[], port = 0, timeoutMs = 60_000): Promise<Balancer> {
  if (targets.length === 0) throw new Error('a balancer needs at least one target')
  const upstreams = targets.map((t) => new URL(t))
  let next = 0

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, tried: number): void => {
    const target = upstreams[(next++) % upstreams.length]!
    // Hop-by-hop headers stay on this hop; the body goes whole, with its length.
    const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...headers } = req.headers
    const upstream = request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...headers, host: target.host, 'content-length': String(body.length) },
      timeout: timeoutMs,
      agent: false
    }, (answer) => {
      const { connection: _c, 'keep-alive': _k, ...answerHeaders } = answer.headers
      res.writeHead(answer.statusCode ?? 502, answerHeaders)
      answer.pipe(res)
      answer.on('error', () => res.destroy())
    })
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')))
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (!res.headersSent && err.code === 'ECONNREFUSED' && tried + 1 < upstreams.length) forward(req, res, body, tried + 1)
      else problem(res, 502, `no instance answered (${err.code ?? err.message})`)
    })
    upstream.end(body)
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => forward(req, res, Buffer.concat(chunks), 0))
    req.on('error', () => res.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  const bound = typeof address === 'object' && address !== null ? address.port : port
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }
}
