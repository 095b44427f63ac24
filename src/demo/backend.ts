import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface DemoBackendOptions {
  name: string
  color: string
  host?: string
  port?: number
  /** Share of requests (0..1) answered with 500, to play a faulty release. */
  failRate?: number
  /** Added to every response, in ms. */
  delayMs?: number
  random?: () => number
}

export interface DemoBackend {
  readonly url: string
  readonly server: Server
  /** Requests served, by path-less count; tests compare it with what clients saw. */
  readonly served: () => number
  close(): Promise<void>
}

/**
 * The demo service: answers every path with its version and colour as JSON and in the
 * `x-demo-version` header, so a person (or a test) sees which version served a request.
 * Query parameters shape a response: `?delay=ms`, `?status=code`, `?bytes=n` (a body of n
 * bytes, streamed). A request body is consumed as a stream and its length reported.
 */
export async function startDemoBackend(opts: DemoBackendOptions): Promise<DemoBackend> {
  let count = 0
  const random = opts.random ?? Math.random
  const server = createServer((req, res) => {
    count++
    let received = 0
    req.on('data', (chunk: Buffer) => { received += chunk.length })
    req.on('error', () => res.destroy())
    req.on('end', () => {
      const q = new URL(req.url ?? '/', 'http://demo').searchParams
      const delay = Number(q.get('delay') ?? opts.delayMs ?? 0)
      const reply = (): void => respond(req, res, opts, q, received, random)
      if (delay > 0) setTimeout(reply, delay)
      else reply()
    })
  })
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const host = opts.host === undefined || opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host
  return {
    url: `http://${host}:${port}`,
    server,
    served: () => count,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}

function respond(req: IncomingMessage, res: ServerResponse, opts: DemoBackendOptions, q: URLSearchParams, received: number, random: () => number): void {
  if (res.destroyed) return
  res.setHeader('x-demo-version', opts.name)
  const path = (req.url ?? '/').split('?')[0]
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(`{"ok":true,"version":${JSON.stringify(opts.name)}}`)
    return
  }
  const bytes = Number(q.get('bytes') ?? 0)
  if (bytes > 0) {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes) })
    streamBytes(res, bytes)
    return
  }
  const failed = (opts.failRate ?? 0) > 0 && random() < (opts.failRate ?? 0)
  const status = failed ? 500 : Number(q.get('status') ?? 200)
  const body = JSON.stringify({ version: opts.name, color: opts.color, method: req.method, path, received, ...(failed ? { error: 'injected failure' } : {}) })
  res.writeHead(Number.isInteger(status) && status >= 200 && status <= 599 ? status : 200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) })
  res.end(body)
}

const chunk = Buffer.alloc(64 * 1024, 0x61)

/** Writes `total` bytes honouring backpressure, so a large download never sits in memory. */
function streamBytes(res: ServerResponse, total: number): void {
  let left = total
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, chunk.length)
      left -= n
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        res.once('drain', pump)
        return
      }
    }
    res.end()
  }
  pump()
}
