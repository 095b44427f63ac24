import type { Duplex } from 'node:stream'

/**
 * Pipes two sockets both ways. When one side ends or fails, the other is ended (its peer
 * gets a FIN after whatever was already written) and both are destroyed after `graceMs` if
 * they are not closed by then, so a peer that never closes its side cannot hold a tunnel.
 * Both sockets must already have error handlers: a tunnel never crashes on a peer's error.
 * Returns the function that starts the same close from outside (shutdown).
 */
export function joinSockets(a: Duplex, b: Duplex, graceMs: number, onClosed: () => void): () => void {
  let timer: NodeJS.Timeout | undefined
  let open = 2
  const shut = (): void => {
    if (timer !== undefined) return
    // Unpiped first: a write into a side that is ending would only raise write-after-end.
    a.unpipe(b)
    b.unpipe(a)
    a.end()
    b.end()
    timer = setTimeout(() => {
      a.destroy()
      b.destroy()
    }, graceMs)
    timer.unref()
  }
  const closed = (): void => {
    shut()
    if (--open === 0) {
      clearTimeout(timer)
      onClosed()
    }
  }
  for (const s of [a, b]) {
    s.once('end', shut)
    s.once('close', closed)
  }
  a.pipe(b, { end: false })
  b.pipe(a, { end: false })
  return shut
}
