import type { Readable } from 'node:stream'
import { logBufferBytes, type LineSink } from '../log.js'

const newline = 0x0a

/**
 * Passes what a worker writes to its stdout pipe on to the primary's log, whole lines only.
 * Workers writing the one stdout themselves tore each other's lines whenever the reader fell
 * behind (a pipe keeps a write whole only up to 4 KiB, and a socket or a full pipe takes part
 * of one): the primary is the only writer now. Each chunk's complete lines go on in one write;
 * a line's start waits for its end, up to `logBufferBytes`; a line cut short (a killed
 * worker, or one past the bound) is dropped and counted.
 */
export function relayLines(from: Readable, sink: LineSink): void {
  let partial: Buffer | null = null
  // Past a line dropped for its length, until its end.
  let skipping = false
  from.on('data', (chunk: Buffer) => {
    let start = 0
    if (skipping) {
      const end = chunk.indexOf(newline)
      if (end === -1) return
      skipping = false
      start = end + 1
    }
    const last = chunk.lastIndexOf(newline)
    if (last < start) {
      const rest = chunk.subarray(start)
      partial = partial === null ? rest : Buffer.concat([partial, rest])
      if (partial.length > logBufferBytes) {
        partial = null
        skipping = true
        sink.drop(1)
      }
      return
    }
    const lines = chunk.subarray(start, last + 1)
    const whole = partial === null ? lines : Buffer.concat([partial, lines])
    partial = last + 1 < chunk.length ? chunk.subarray(last + 1) : null
    sink.write(whole, newlinesIn(lines))
  })
  from.on('end', () => {
    if (partial !== null) sink.drop(1)
    partial = null
  })
  // The pipe of a worker that died: what it held is lost, and counted above.
  from.on('error', () => undefined)
}

function newlinesIn(b: Buffer): number {
  let n = 0
  for (let i = b.indexOf(newline); i !== -1; i = b.indexOf(newline, i + 1)) n++
  return n
}
