import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect as h2connect, type ClientHttp2Session } from 'node:http2'
import { connect, createServer as createNetServer, type AddressInfo, type Socket } from 'node:net'
import { PassThrough } from 'node:stream'
import type { TestContext } from 'node:test'
import { createLogger, type Logger } from '../../../src/log.js'
import type { Ramp } from '../../../src/ramp.js'
import type { SelfSigned } from '../../support/certs.js'

/**
 * What the transparency tests share: a backend that records exactly what reached it, a raw
 * HTTP/1.1 client that reads responses byte for byte (1xx, trailers, close-delimited bodies),
 * raw TCP backends for answers no HTTP server library would write, and readers of ramp's
 * metrics and access log. Everything listens on 127.0.0.1 and is closed after the test.
 */

// ---------------------------------------------------------------------------------------------
// Recording backend (node:http)

export interface Seen {
  method: string
  /** The request target exactly as it came on the request line. */
  url: string
  httpVersion: string
  /** Header lines as received, in order: name, value, name, value... */
  rawHeaders: string[]
  /** Body bytes so far (all of them once `ended`). */
  body: Buffer
  rawTrailers: string[]
  /** The body arrived whole (`req.complete`). */
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

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void

export interface Recorder {
  readonly url: string
  readonly port: number
  /** Every request whose head arrived, in arrival order, filled in as it goes. */
  readonly seen: Seen[]
  /** Requests other than ramp's readiness and health probes (`/healthz`). */
  traffic(): Seen[]
}

/** Answers 200 `ok` (text/plain) once the request body is in. */
export const answerOk: Handler = (req, res) => {
  req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'))
  req.resume()
}

/** A node:http backend that records each request: method, raw target, raw header lines, body bytes, trailers, abort. */
export async function recorder(t: TestContext, handle: Handler = answerOk): Promise<Recorder> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    const s: Seen = {
      method: req.method ?? '', url: req.url ?? '', httpVersion: req.httpVersion, rawHeaders: req.rawHeaders, body: Buffer.alloc(0),
      rawTrailers: [], complete: false, ended: false, aborted: false, headAt: performance.now(), closedAt: undefined, responseClosedAt: undefined, cancelledAt: undefined,
    }
    const cancelled = (): void => { s.aborted = true; s.cancelledAt ??= performance.now() }
    seen.push(s)
    req.on('data', (c: Buffer) => { s.body = Buffer.concat([s.body, c]) })
    req.on('aborted', cancelled)
    req.on('error', cancelled)
    req.on('end', () => { s.rawTrailers = req.rawTrailers })
    req.on('close', () => {
      s.complete = req.complete
      s.ended = true
      s.closedAt ??= performance.now()
    })
    res.on('close', () => {
      s.responseClosedAt = performance.now()
      if (!res.writableFinished) cancelled()
    })
    handle(req, res, s)
  })
  server.keepAliveTimeout = 2000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections() }))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    traffic: () => seen.filter((s) => !s.url.startsWith('/healthz')),
  }
}

/** `rawHeaders` as `name: value` lines. */
export function lines(raw: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) out.push(`${raw[i]}: ${raw[i + 1]}`)
  return out
}

/** The values of header `name` (any case) in `rawHeaders`, in order. */
export function valuesOf(raw: readonly string[], name: string): string[] {
  const out: string[] = []
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]?.toLowerCase() === name) out.push(raw[i + 1] as string)
  return out
}

// ---------------------------------------------------------------------------------------------
// Raw TCP backend (node:net)

export interface RawBackend {
  readonly url: string
  /** Request heads received (text up to the blank line), in order. */
  readonly heads: string[]
  /** Connections accepted so far. */
  connections: number
  /** Stops listening and cuts every connection: the port then refuses connections. */
  close(): Promise<void>
}

/**
 * A TCP server that hands each parsed request head to `answer` with the socket, so a test can
 * write any bytes back (no length, a cut body, a 304 with a length...). Request bodies are not
 * expected; keep-alive works when `answer` leaves the socket open.
 */
export async function rawBackend(t: TestContext, answer: (head: string, socket: Socket) => void): Promise<RawBackend> {
  const heads: string[] = []
  const sockets = new Set<Socket>()
  const server = createNetServer((socket) => {
    b.connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    let buf = ''
    socket.on('data', (c: Buffer) => {
      buf += c.toString('latin1')
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end)
        buf = buf.slice(end + 4)
        heads.push(head)
        answer(head, socket)
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  let closing: Promise<void> | null = null
  const close = (): Promise<void> => (closing ??= new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()) }))
  t.after(close)
  const b: RawBackend = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, heads, connections: 0, close }
  return b
}

/** The request line's target of a raw head. */
export function targetOf(head: string): string {
  return head.split('\r\n')[0]?.split(' ')[1] ?? ''
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP/1.1 client

export interface RawResponse {
  status: number
  statusLine: string
  /** Header lines exactly as received (`Name: value`). */
  headerLines: string[]
  /** 1xx responses that came before this one (status line and header lines only). */
  informational: Array<{ status: number; headerLines: string[] }>
  body: Buffer
  /** Trailer lines of a chunked body, as received. */
  trailerLines: string[]
  /** How the body was delimited. */
  framing: 'none' | 'length' | 'chunked' | 'close'
  /** The body ended as its framing says it must (false: the connection ended first). */
  complete: boolean
  /** The socket error that ended the connection, if any. */
  error: NodeJS.ErrnoException | undefined
}

export function header(res: { headerLines: string[] }, name: string): string[] {
  const out: string[] = []
  for (const l of res.headerLines) {
    const i = l.indexOf(':')
    if (l.slice(0, i).toLowerCase() === name) out.push(l.slice(i + 1).trim())
  }
  return out
}

/**
 * One client connection written to by hand and read one response at a time, so keep-alive,
 * 1xx and trailers can be checked on the wire. Every read has a deadline, so a missing answer
 * fails the test with what did arrive instead of hanging.
 */
export class RawClient {
  readonly socket: Socket
  private buf = Buffer.alloc(0)
  private wake: (() => void) | null = null
  closed = false
  error: NodeJS.ErrnoException | undefined

  private constructor(socket: Socket) {
    this.socket = socket
    socket.on('data', (c: Buffer) => { this.buf = Buffer.concat([this.buf, c]); this.poke() })
    socket.on('error', (e) => { this.error = e })
    socket.on('close', () => { this.closed = true; this.poke() })
  }

  static async open(t: TestContext, url: string): Promise<RawClient> {
    const socket = connect(Number(new URL(url).port), '127.0.0.1')
    const c = new RawClient(socket)
    t.after(() => { socket.destroy() })
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
    return c
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data)
  }

  private poke(): void {
    const w = this.wake
    this.wake = null
    w?.()
  }

  /** Waits for more bytes, the close, or the deadline; throws 'closed' once closed, 'deadline' once past it. */
  private async more(deadline: number): Promise<void> {
    if (this.closed) throw new Error('closed')
    const left = deadline - performance.now()
    if (left <= 0) throw new Error('deadline')
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.wake = null; resolve() }, left)
      this.wake = () => { clearTimeout(timer); resolve() }
    })
  }

  private async line(deadline: number): Promise<string> {
    for (;;) {
      const i = this.buf.indexOf('\r\n')
      if (i >= 0) {
        const l = this.buf.subarray(0, i).toString('latin1')
        this.buf = this.buf.subarray(i + 2)
        return l
      }
      await this.more(deadline)
    }
  }

  private async bytes(n: number, deadline: number): Promise<Buffer> {
    while (this.buf.length < n) await this.more(deadline)
    const b = this.buf.subarray(0, n)
    this.buf = this.buf.subarray(n)
    return b
  }

  /**
   * Reads one final response (and the 1xx before it). `head: true` for the answer to HEAD.
   * A connection that ends mid-body resolves with `complete: false`; one that ends before
   * a status line, or a deadline, rejects with what arrived.
   */
  async response(opts: { head?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
    const deadline = performance.now() + (opts.timeoutMs ?? 5000)
    const informational: RawResponse['informational'] = []
    let seenSoFar = ''
    try {
      for (;;) {
        const statusLine = await this.line(deadline)
        seenSoFar += `${statusLine}\r\n`
        const headerLines: string[] = []
        for (let l = await this.line(deadline); l !== ''; l = await this.line(deadline)) { headerLines.push(l); seenSoFar += `${l}\r\n` }
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN)
        if (Number.isNaN(status)) throw new Error(`not a status line: ${JSON.stringify(statusLine)}`)
        if (status >= 100 && status < 200 && status !== 101) { informational.push({ status, headerLines }); continue }
        const res: RawResponse = { status, statusLine, headerLines, informational, body: Buffer.alloc(0), trailerLines: [], framing: 'none', complete: true, error: undefined }
        await this.body(res, opts.head === true, deadline)
        return res
      }
    } catch (err) {
      throw new Error(`no whole response head (${(err as Error).message}); received ${JSON.stringify(seenSoFar + this.buf.toString('latin1').slice(0, 400))}${this.error === undefined ? '' : `, socket error ${this.error.code}`}`)
    }
  }

  private async body(res: RawResponse, head: boolean, deadline: number): Promise<void> {
    if (head || res.status === 204 || res.status === 304) return
    const te = header(res, 'transfer-encoding').join(',').toLowerCase()
    const cl = header(res, 'content-length')
    const parts: Buffer[] = []
    try {
      if (/chunked\s*$/.test(te)) {
        res.framing = 'chunked'
        for (;;) {
          const size = parseInt((await this.line(deadline)).split(';')[0] as string, 16)
          if (size === 0) break
          parts.push(await this.bytes(size, deadline))
          await this.bytes(2, deadline)
        }
        for (let l = await this.line(deadline); l !== ''; l = await this.line(deadline)) res.trailerLines.push(l)
      } else if (cl.length > 0) {
        res.framing = 'length'
        parts.push(await this.bytes(Number(cl[0]), deadline))
      } else {
        res.framing = 'close'
        while (!this.closed) {
          try { await this.more(deadline) } catch (e) { if ((e as Error).message === 'deadline') throw e }
        }
        parts.push(this.buf)
        this.buf = Buffer.alloc(0)
        res.complete = this.error === undefined
      }
    } catch (err) {
      if ((err as Error).message === 'deadline') throw err
      parts.push(this.buf)
      this.buf = Buffer.alloc(0)
      res.complete = false
    }
    res.body = Buffer.concat(parts)
    res.error = this.error
  }

  /** Resolves once the server closed the connection (or after `ms`). */
  async closedWithin(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms
    while (!this.closed) {
      try { await this.more(deadline) } catch { break }
    }
    return this.closed
  }
}

/** One request on a fresh connection, read to its end. */
export async function rawRequest(t: TestContext, url: string, request: string | Buffer, opts: { head?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
  const c = await RawClient.open(t, url)
  c.write(request)
  try {
    return await c.response(opts)
  } finally {
    c.socket.destroy()
  }
}

// ---------------------------------------------------------------------------------------------
// TLS and HTTP/2

export const tlsListener = (cert: SelfSigned, clients = ''): string =>
  `listen: { port: 0, http2: true, tls: { cert: "${cert.certPath}", key: "${cert.keyPath}" } }\n${clients}`

export async function h2session(t: TestContext, url: string, ca: Buffer): Promise<ClientHttp2Session> {
  const session = h2connect(url, { ca })
  session.on('error', () => undefined)
  t.after(() => { if (!session.destroyed) session.destroy() })
  await new Promise<void>((resolve, reject) => { session.once('connect', () => resolve()); session.once('error', reject) })
  return session
}

// ---------------------------------------------------------------------------------------------
// Metrics, access log, curl, time

export async function scrape(ramp: Ramp): Promise<string> {
  const res = await fetch(`${ramp.urls.admin}/metrics`)
  return res.text()
}

/** The sum of a metric's series whose labels include every `label="value"` of `where`. */
export function sumOf(text: string, name: string, where: Record<string, string> = {}): number {
  let sum = 0
  for (const l of text.split('\n')) {
    if (!l.startsWith(`${name}{`) && !l.startsWith(`${name} `)) continue
    if (!Object.entries(where).every(([k, v]) => l.includes(`${k}="${v}"`))) continue
    sum += Number(l.slice(l.lastIndexOf(' ') + 1))
  }
  return sum
}

/** The series lines of one metric, for failure messages. */
export function seriesOf(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
}

export interface AccessLine { status: number; url: string; method: string; version: string; backend: string | null; completed: boolean }

/** A JSON logger at info whose access lines can be read back. */
export function accessLog(): { log: Logger; access: () => AccessLine[] } {
  const out = new PassThrough()
  let text = ''
  out.on('data', (c: Buffer) => { text += c.toString() })
  return {
    log: createLogger({ level: 'info', format: 'json' }, out),
    access: () => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { msg?: string; access?: AccessLine }).flatMap((l) => (l.msg === 'access' && l.access !== undefined ? [l.access] : [])),
  }
}

/** Runs curl without blocking the event loop ramp shares with the test. */
export function curl(args: string[], timeoutMs = 15_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'latin1' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1
      resolve({ code, stdout, stderr })
    })
  })
}

/** Fails with every problem listed, one a line, when there is any. */
export function noProblems(problems: readonly string[], what: string): void {
  assert.ok(problems.length === 0, `${what}:\n  ${problems.join('\n  ')}`)
}

/** A short printable excerpt of bytes. */
export function excerpt(b: Buffer | string, n = 100): string {
  return JSON.stringify((typeof b === 'string' ? b : b.toString('latin1')).slice(0, n))
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls `cond` every 5 ms; resolves true when it holds, false at the deadline. */
export async function within(ms: number, cond: () => boolean): Promise<boolean> {
  const end = performance.now() + ms
  while (!cond()) {
    if (performance.now() > end) return false
    await sleep(5)
  }
  return true
}
