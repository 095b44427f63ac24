import { connect, type Socket } from 'node:net'
import type { TestContext } from 'node:test'

// A raw HTTP/1.1 client, for what clients such as undici will not send or will not show:
// hop-by-hop headers, 1xx, trailers, close-delimited bodies, keep-alive on the wire.

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
