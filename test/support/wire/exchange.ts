import { connect } from 'node:net'

/** The port of a listener URL, for raw sockets. */
export function portOf(url: string): number {
  return Number(new URL(url).port)
}

export interface Exchange {
  /** Everything the server sent, as latin1 text. */
  text: string
  /** The socket error that ended the exchange (ECONNRESET for a reset), if any. */
  error: NodeJS.ErrnoException | undefined
  /** From the first write to the close. */
  ms: number
}

/**
 * Writes `parts` on a raw connection, `gapMs` apart, and reads until the server closes it:
 * the only way to send what no HTTP client would. `closeAfterMs` ends a connection the
 * server keeps open (a keep-alive answer).
 */
export function exchange(port: number, parts: ReadonlyArray<string | Buffer>, opts: { gapMs?: number; closeAfterMs?: number } = {}): Promise<Exchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let error: NodeJS.ErrnoException | undefined
    const started = performance.now()
    const timers: NodeJS.Timeout[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', (e) => { error = e })
    socket.on('close', () => {
      for (const t of timers) clearTimeout(t)
      resolve({ text: Buffer.concat(chunks).toString('latin1'), error, ms: performance.now() - started })
    })
    parts.forEach((p, i) => timers.push(setTimeout(() => { if (!socket.destroyed) socket.write(p) }, i * (opts.gapMs ?? 0))))
    if (opts.closeAfterMs !== undefined) timers.push(setTimeout(() => socket.destroy(), opts.closeAfterMs))
  })
}

/** The status line's code of a raw response, or null when nothing came back. */
export function statusOf(text: string): number | null {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text)
  return m === null ? null : Number(m[1])
}
