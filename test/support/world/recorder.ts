import { createServer, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { TestContext } from 'node:test'

/** One request as a recording backend saw it, filled in as it arrives. */
export interface Seen {
  method: string
  /** The request target exactly as it came on the request line. */
  url: string
  httpVersion: string
  headers: IncomingHttpHeaders
  /** Header lines as received, in order: name, value, name, value... */
  rawHeaders: string[]
  /** Body bytes so far (all of them once `complete`). */
  body: Buffer
  rawTrailers: string[]
  /** The body arrived whole. */
  complete: boolean
  /** The request ended or was aborted; `closedAt` says when (performance.now()). */
  ended: boolean
  aborted: boolean
  headAt: number
  closedAt: number | undefined
  /** The response's 'close' (finished or cut) as performance.now(). */
  responseClosedAt: number | undefined
  /**
   * When the backend learnt that the request was given up (performance.now()): the request
   * aborted or failed mid-body, or the response closed before it was finished.
   */
  cancelledAt: number | undefined
}

/** Answers a request; called as its head arrives, while the recorder reads the body. */
export type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void

export interface Recorder {
  readonly url: string
  readonly port: number
  /** Every request whose head arrived, readiness and health probes included, in arrival order. */
  readonly seen: Seen[]
  /** Requests other than ramp's readiness and health probes (`/healthz`). */
  traffic(): Seen[]
  /** Those whose body has arrived whole: what a test compares bodies and headers of. */
  arrived(): Seen[]
  /** Connections open to the backend now. */
  open(): number
  /** Responses the backend started and that have not closed yet. */
  responding(): number
  /** Stops listening and drops its connections; after the test at the latest. */
  close(): Promise<void>
}

const isProbe = (url: string | undefined): boolean => url?.startsWith('/healthz') === true

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

/** Answers 200 `ok` (text/plain) once the request body is in. */
const answerOk: Handler = (req, res) => {
  req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'))
}

/** Answers `status` once the body is in. */
export const answering = (status: number): Handler => (req, res) => {
  req.on('end', () => res.writeHead(status, { 'content-type': 'text/plain' }).end(`${status} from a test backend\n`))
}

/** Reads the request, then closes the connection without a response. */
export const resetting: Handler = (req) => {
  req.on('end', () => req.socket.destroy())
}

/**
 * Answers as version `name` does (`x-demo-version`, a JSON body), with `headers` added, once
 * the body is in; `delayMs` later, or once `until` settles, so a test decides how long an
 * answer stays in flight. Readiness probes are answered at once either way, so a slow
 * version still joins the table.
 */
export function answerAs(name: string, opts: { headers?: OutgoingHttpHeaders; delayMs?: number; until?: Promise<void> } = {}): Handler {
  return (req, res) => {
    req.on('end', () => {
      const answer = (): void => {
        if (res.destroyed) return
        res.writeHead(200, { ...opts.headers, 'content-type': 'application/json', 'x-demo-version': name })
        res.end(JSON.stringify({ version: name }))
      }
      if (isProbe(req.url)) answer()
      else if (opts.until !== undefined) void opts.until.then(answer)
      else if ((opts.delayMs ?? 0) > 0) setTimeout(answer, opts.delayMs)
      else answer()
    })
  }
}

/**
 * Answers with the request headers it received as JSON, and with hop-by-hop headers of its
 * own, which a proxy must not pass on.
 */
export const echoHeaders: Handler = (req, res) => {
  req.on('end', () => {
    res.writeHead(200, {
      'content-type': 'application/json',
      connection: 'x-upstream-secret',
      'x-upstream-secret': 'hidden',
      'keep-alive': 'timeout=1234',
      'proxy-connection': 'keep-alive',
      trailer: 'x-checksum',
      upgrade: 'h2c',
      'x-upstream-visible': 'yes',
    })
    res.end(JSON.stringify(req.headers))
  })
}

/** A promise to hold answers back with (`answerAs`'s `until`), and what releases them all. */
export function latch(): { done: Promise<void>; open(): void } {
  let open = (): void => undefined
  const done = new Promise<void>((resolve) => { open = resolve })
  return { done, open }
}

/**
 * A node:http backend on 127.0.0.1 that records each request (method, raw target, headers
 * and raw header lines, body bytes, trailers, how it ended) and answers it with `handle`.
 * Closed after the test `t`; with `t` null, by the caller.
 */
export async function recorder(t: TestContext | null, handle: Handler = answerOk): Promise<Recorder> {
  const seen: Seen[] = []
  const sockets = new Set<Socket>()
  let responding = 0
  const server = createServer((req, res) => {
    const s: Seen = {
      method: req.method ?? '', url: req.url ?? '', httpVersion: req.httpVersion, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.alloc(0),
      rawTrailers: [], complete: false, ended: false, aborted: false, headAt: performance.now(), closedAt: undefined, responseClosedAt: undefined, cancelledAt: undefined,
    }
    const cancelled = (): void => { s.aborted = true; s.cancelledAt ??= performance.now() }
    seen.push(s)
    responding++
    req.on('data', (c: Buffer) => { s.body = Buffer.concat([s.body, c]) })
    req.on('aborted', cancelled)
    req.on('error', cancelled)
    req.on('end', () => { s.rawTrailers = req.rawTrailers; s.complete = true })
    req.on('close', () => {
      s.complete = req.complete
      s.ended = true
      s.closedAt ??= performance.now()
    })
    res.on('close', () => {
      responding--
      s.responseClosedAt = performance.now()
      if (!res.writableFinished) cancelled()
    })
    handle(req, res, s)
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  // Longer than ramp keeps an idle upstream connection (4 s by default): ramp closes it, so
  // no request of ramp's races the backend's close.
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  let closing: Promise<void> | null = null
  const close = (): Promise<void> => (closing ??= new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  t?.after(close)
  const port = (server.address() as AddressInfo).port
  const traffic = (): Seen[] => seen.filter((s) => !isProbe(s.url))
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    traffic,
    arrived: () => traffic().filter((s) => s.complete),
    open: () => sockets.size,
    responding: () => responding,
    close,
  }
}
