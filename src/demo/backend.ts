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
  /** Draws each response's delay in ms (the bench's latency distributions); wins over `delayMs`. */
  delay?: () => number
  /** Every answer to an ordinary request is a body of this many bytes instead of the JSON. */
  bodyBytes?: number
  random?: () => number
}

export interface DemoBackend {
  readonly url: string
  readonly server: Server
  /** Requests served, by path-less count; tests compare it with what clients saw. */
  readonly served: () => number
  /** Requests served other than readiness probes (`/healthz`) and `GET /__count`, which answers this count. */
  readonly traffic: () => number
  close(): Promise<void>
}

/**
 * The demo service: answers every path with its version and colour as JSON and in the
 * `x-demo-version` header, so a person (or a test) sees which version served a request.
 * Query parameters shape a response: `?delay=ms`, `?status=code`, `?bytes=n` (a body of n
 * bytes, streamed). A request body is consumed as a stream and its length reported.
 * `GET /__count` answers `{"version":..., "traffic": n}`: what a load generator's own count
 * of a version's responses must match.
 */
export async function startDemoBackend(opts: DemoBackendOptions): Promise<DemoBackend> {
  let count = 0
  let traffic = 0
  const random = opts.random ?? Math.random
  const body = opts.bodyBytes === undefined ? null : Buffer.alloc(opts.bodyBytes, 0x61)
  const server = createServer((req, res) => {
    count++
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/__count') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ version: opts.name, traffic }))
      req.resume()
      return
    }
    if (path !== '/healthz') traffic++
    let received = 0
    req.on('data', (chunk: Buffer) => { received += chunk.length })
    req.on('error', () => res.destroy())
    req.on('end', () => {
      const q = new URL(req.url ?? '/', 'http://demo').searchParams
      const delay = Number(q.get('delay') ?? opts.delay?.() ?? opts.delayMs ?? 0)
      const reply = (): void => respond(req, res, opts, q, received, random, body)
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
    traffic: () => traffic,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}

function respond(req: IncomingMessage, res: ServerResponse, opts: DemoBackendOptions, q: URLSearchParams, received: number, random: () => number, fixedBody: Buffer | null): void {
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
  const asked = failed ? 500 : Number(q.get('status') ?? 200)
  const status = Number.isInteger(asked) && asked >= 200 && asked <= 599 ? asked : 200
  if (fixedBody !== null && !failed) {
    res.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': String(fixedBody.length) }).end(fixedBody)
    return
  }
  const body = JSON.stringify({ version: opts.name, color: opts.color, method: req.method, path, received, ...(failed ? { error: 'injected failure' } : {}) })
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) })
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
