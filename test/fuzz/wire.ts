// Requests that only a real socket can make: what Node's HTTP parser refuses before Fastify sees a
// request (a request line or headers beyond its limits, malformed lines, forbidden bytes, framing
// that contradicts itself) and URLs light-my-request would normalise. Each is written to a
// listening service as raw bytes; the answer is read until the server closes the connection.
import { connect } from 'node:net'
import type { Answer } from './oracle.ts'

export interface WireCase { name: string, raw: Buffer, method: string, url: string }

const CRLF = '\r\n'

export function wireCases (bsn: string, caseId: string, authorization: string): WireCase[] {
  const host = 'Host: 127.0.0.1'
  const req = (name: string, method: string, url: string, headers: string[] = [], body = ''): WireCase => ({
    name,
    method,
    url,
    raw: Buffer.from(`${method} ${url} HTTP/1.1${CRLF}${[host, 'Connection: close', ...headers].join(CRLF)}${CRLF}${CRLF}${body}`, 'latin1')
  })
  const json = (o: unknown) => JSON.stringify(o)
  const big = `{"bsn":"${bsn}","x":"${'e'.repeat(70_000)}"}`
  return [
    req('request line beyond the parser (414)', 'GET', `/v1/cases/${'a'.repeat(20_000)}`),
    req('URL beyond MAX_URL_LENGTH (414)', 'GET', `/v1/cases/${caseId}?x=${'b'.repeat(9000)}`),
    req('headers beyond the parser (431)', 'GET', `/v1/cases/${caseId}`, [`X-Big: ${'c'.repeat(20_000)}`]),
    req('many headers (431)', 'GET', `/v1/cases/${caseId}`, Array.from({ length: 3000 }, (_, i) => `X-H${i}: ${i}`)),
    req('bearer token beyond the parser (431)', 'GET', `/v1/cases/${caseId}`, [`Authorization: Bearer ${'d'.repeat(20_000)}`]),
    { name: 'not HTTP at all', method: 'GET', url: '/', raw: Buffer.from(`GARBAGE ${bsn}${CRLF}${CRLF}`, 'latin1') },
    { name: 'lowercase method', method: 'GET', url: '/', raw: Buffer.from(`get /v1/cases/${bsn} HTTP/1.1${CRLF}${host}${CRLF}Connection: close${CRLF}${CRLF}`, 'latin1') },
    req('invalid UTF-8 in the path (bad URL)', 'GET', '/v1/cases/%ED%A0%80'),
    req('a BSN in the path', 'GET', `/v1/cases/${bsn}/ledger`, [authorization]),
    req('a BSN in the query', 'GET', `/v1/audit/events?subject=${bsn}`, [authorization]),
    req('raw NUL in the path', 'GET', `/v1/cases/${bsn}\u0000`),
    req('raw non-ASCII bytes in the path', 'GET', `/v1/cases/\u00ff\u00fe${bsn}`),
    req('a control character in a header value', 'GET', '/v1/openapi.json', ['X-Evil: a\u0001b']),
    req('a header name with a space', 'GET', '/v1/openapi.json', ['X Evil: 1']),
    req('Content-Length and Transfer-Encoding together', 'POST', `/v1/cases/${caseId}/data-requests`,
      [authorization, 'Content-Type: application/json', 'Content-Length: 4', 'Transfer-Encoding: chunked'], `0${CRLF}${CRLF}`),
    req('malformed chunked body', 'POST', '/v1/audit/events/search',
      [authorization, 'Content-Type: application/json', 'Transfer-Encoding: chunked'], `zz${CRLF}${json({ bsn })}${CRLF}0${CRLF}${CRLF}`),
    req('a body beyond BODY_LIMIT (413)', 'POST', '/v1/audit/events/search',
      [authorization, 'Content-Type: application/json', `Content-Length: ${big.length}`], big),
    { name: 'HTTP/1.0 without Host', method: 'GET', url: `/v1/cases/${bsn}`, raw: Buffer.from(`GET /v1/cases/${bsn} HTTP/1.0${CRLF}${CRLF}`, 'latin1') },
    { name: 'an absolute-form URL', method: 'GET', url: `http://evil.example/v1/cases/${bsn}`, raw: Buffer.from(`GET http://evil.example/v1/cases/${bsn} HTTP/1.1${CRLF}${host}${CRLF}Connection: close${CRLF}${CRLF}`, 'latin1') },
    req('an unknown method', 'BREW', `/v1/cases/${bsn}`)
  ]
}

/** Writes `raw` and reads the answer until the server closes the connection (or 5 s pass). */
export function sendRaw (port: number, raw: Buffer, timeoutMs = 5000): Promise<Answer> {
  const started = performance.now()
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const socket = connect({ host: '127.0.0.1', port })
    let settled = false
    const finish = (error?: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      const data = Buffer.concat(chunks)
      const ms = performance.now() - started
      if (data.length === 0) return resolve({ status: 0, headers: {}, body: '', ms, error: error ?? 'the server closed the connection without an answer' })
      resolve({ ...parseResponse(data), ms })
    }
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`), timeoutMs)
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('end', () => finish())
    socket.on('close', () => finish())
    socket.on('error', (err) => finish(err.message))
    // No half-close: Node's server drops the answer of a request whose client ended its side
    // (httpAllowHalfOpen false). Every case asks Connection: close, or the parser closes.
    socket.write(raw)
  })
}

function parseResponse (data: Buffer): Omit<Answer, 'ms'> {
  const split = data.indexOf('\r\n\r\n')
  const head = (split === -1 ? data : data.subarray(0, split)).toString('latin1')
  let body = split === -1 ? Buffer.alloc(0) : data.subarray(split + 4)
  const [statusLine, ...lines] = head.split('\r\n')
  const status = Number(/^HTTP\/1\.[01] ([0-9]{3})/.exec(statusLine ?? '')?.[1] ?? 0)
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const i = line.indexOf(':')
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body)
  if (status === 0) return { status: 0, headers, body: '', error: `not an HTTP answer: ${JSON.stringify(head.slice(0, 80))}` }
  return { status, headers, body: body.toString('utf8') }
}

function dechunk (body: Buffer): Buffer {
  const out: Buffer[] = []
  let rest = body
  for (;;) {
    const i = rest.indexOf('\r\n')
    if (i === -1) break
    const size = parseInt(rest.subarray(0, i).toString('latin1'), 16)
    if (!Number.isFinite(size) || size === 0) break
    out.push(rest.subarray(i + 2, i + 2 + size))
    rest = rest.subarray(i + 2 + size + 2)
  }
  return Buffer.concat(out)
}
