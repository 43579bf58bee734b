// Lines of a (large) export, as Buffers: the verifier hashes the event's bytes as they stand in
// the file, so the lines are never decoded to strings and back. A line is a view into the chunk
// read (no copy) unless it spans two chunks.
import type { Readable } from 'node:stream'

const NEWLINE = 0x0a

export async function * readLines (stream: Readable): AsyncGenerator<Buffer> {
  let rest: Buffer | null = null
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0
    let nl = chunk.indexOf(NEWLINE)
    if (rest !== null && nl >= 0) {
      yield Buffer.concat([rest, chunk.subarray(0, nl)])
      rest = null
      start = nl + 1
      nl = chunk.indexOf(NEWLINE, start)
    }
    for (; nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      yield chunk.subarray(start, nl)
      start = nl + 1
    }
    if (start < chunk.length) rest = rest === null ? chunk.subarray(start) : Buffer.concat([rest, chunk.subarray(start)])
  }
  if (rest !== null && rest.length > 0) yield rest
}
