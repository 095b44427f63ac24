import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'

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

export interface Received { method: string; url: string; headers: IncomingHttpHeaders; rawHeaders: string[]; body: string; complete: boolean }

export interface RecordingBackend {
  readonly url: string
  readonly server: Server
  /** Every request that reached the backend, complete or not, once it ended or was aborted. */
  readonly received: Received[]
  /** Requests whose head arrived (a request still streaming in is counted here first). */
  started: number
  /** Connections open to the backend now. */
  open(): number
  /** Responses the backend started and that have not closed yet. */
  responding(): number
}

/**
 * A backend that records what reaches it: each request with its headers and body, whether
 * it arrived whole, and its connections. `/big?bytes=N` streams N bytes (with backpressure);
 * `/early` answers before reading the body, holding the rest of its response back; other
 * paths answer `ok` once the body is in.
 */
export async function recordingBackend(t: TestContext): Promise<RecordingBackend> {
  const received: Received[] = []
  let open = 0
  let responding = 0
  const server = createServer((req, res) => {
    b.started++
    responding++
    res.on('close', () => { responding-- })
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('close', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(parts).toString(), complete: req.complete })
    })
    req.on('error', () => res.destroy())
    const url = new URL(req.url ?? '/', 'http://backend')
    if (url.pathname === '/big') {
      let left = Number(url.searchParams.get('bytes') ?? 0)
      res.writeHead(200, { 'content-length': String(left) })
      const chunk = Buffer.alloc(65536, 0x61)
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(left, chunk.length)
          left -= n
          if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump)
        }
        res.end()
      }
      pump()
      return
    }
    if (url.pathname === '/early') {
      res.writeHead(200, { 'content-length': '100' })
      res.write('a'.repeat(10))
      return
    }
    req.on('end', () => res.end('ok'))
  })
  server.on('connection', (s) => { open++; s.on('close', () => { open-- }) })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections() }))
  const b: RecordingBackend = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    received,
    started: 0,
    open: () => open,
    responding: () => responding,
  }
  return b
}
