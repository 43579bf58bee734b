// Server-sent events read with fetch() and a ReadableStream: EventSource cannot send an
// Authorization header, and the token must not go in the URL.
export interface SseMessage { id: string | null, event: string, data: string }

/** Reads messages until the stream ends or `signal` aborts; comments (heartbeats) are skipped. */
export async function readSse (body: ReadableStream<Uint8Array>, onMessage: (message: SseMessage) => void, signal: AbortSignal): Promise<void> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const abort = () => { void reader.cancel().catch(() => {}) }
  signal.addEventListener('abort', abort, { once: true })
  let buffer = ''
  let id: string | null = null
  let event = 'message'
  let data: string[] = []
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true })
      let nl: number
      while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1))
        if (line === '') {
          if (data.length > 0) onMessage({ id, event, data: data.join('\n') })
          event = 'message'
          data = []
          continue
        }
        if (line.startsWith(':')) continue
        const colon = line.indexOf(':')
        const name = colon < 0 ? line : line.slice(0, colon)
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (name === 'data') data.push(val)
        else if (name === 'event') event = val
        else if (name === 'id') id = val
      }
    }
  } finally {
    signal.removeEventListener('abort', abort)
  }
}
