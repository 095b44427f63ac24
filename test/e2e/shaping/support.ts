import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import type { TestContext } from 'node:test'
import { Client, request } from 'undici'
import type { Ramp } from '../../../src/ramp.js'

/** One request as a backend saw it. */
export interface Seen {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: Buffer
  at: number
}

export interface Recorder {
  readonly url: string
  /** Every request but readiness probes, in arrival order (recorded once its body has arrived). */
  readonly seen: Seen[]
  /** Answers every request held so far, and answers new ones at once from now on. */
  release(): void
}

/**
 * A backend that keeps what it was sent, for the tests that must look at headers and bodies
 * upstream (the demo backend only reports a body's length). `delayMs` delays each answer;
 * `hold` keeps every answer back until `release()`, so a test controls exactly how long a
 * copy stays in flight instead of guessing with a delay. Readiness probes are answered at
 * once either way, so a slow version still joins the table. `headers` are added to every answer.
 */
export async function recorder(t: TestContext, opts: { name: string; delayMs?: number; hold?: boolean; headers?: Record<string, string | string[]> }): Promise<Recorder> {
  const seen: Seen[] = []
  const held: Array<() => void> = []
  let holding = opts.hold === true
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const answer = (): void => {
        if (res.destroyed) return
        res.writeHead(200, { ...opts.headers, 'content-type': 'application/json', 'x-demo-version': opts.name })
        res.end(JSON.stringify({ version: opts.name }))
      }
      if (req.url === '/healthz') return answer()
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), at: Date.now() })
      if (holding) held.push(answer)
      else if ((opts.delayMs ?? 0) > 0) setTimeout(answer, opts.delayMs)
      else answer()
    })
  })
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  }))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    release() {
      holding = false
      for (const answer of held.splice(0)) answer()
    },
  }
}

/** A static split of v1 and v2 (a canary without a strategy), plus whatever shaping `extra` adds. */
export function split(v1: string, v2: string, weight: number, extra = ''): string {
  return `
listen: { port: 0 }
stable: { name: v1, backends: ["${v1}"] }
canary: { name: v2, backends: ["${v2}"] }
weight: ${weight}
readiness: { intervalMs: 20 }
${extra}
`
}

export interface Answer {
  status: number
  version: string
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * One request through a listener; `version` is the serving backend's `x-demo-version`. An
 * iterable body is sent chunked (no content-length), as a streaming client would.
 */
export async function send(url: string, path = '/', opts: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string | Buffer | Iterable<Buffer> | AsyncIterable<Buffer> } = {}): Promise<Answer> {
  const body = opts.body === undefined ? null : typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : Readable.from(opts.body)
  const res = await request(`${url}${path}`, { method: opts.method ?? 'GET', headers: opts.headers ?? {}, body })
  return { status: res.statusCode, version: String(res.headers['x-demo-version'] ?? 'ramp'), headers: res.headers, body: await res.body.text() }
}

/**
 * `n` requests one after another on one keep-alive connection, by serving version. The
 * version list keeps the order, for the tests where the order is the point.
 */
export async function sequence(url: string, n: number, headers: Record<string, string> = {}, path = '/'): Promise<string[]> {
  const client = new Client(url, { pipelining: 1 })
  const out: string[] = []
  try {
    for (let i = 0; i < n; i++) {
      const res = await client.request({ method: 'GET', path, headers })
      await res.body.dump()
      if (res.statusCode !== 200) throw new Error(`request ${i} answered ${res.statusCode}`)
      out.push(String(res.headers['x-demo-version']))
    }
  } finally {
    await client.close()
  }
  return out
}

export function tally(versions: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const v of versions) counts[v] = (counts[v] ?? 0) + 1
  return counts
}

/**
 * The sum of the samples of `name` whose labels include `labels`, from ramp's own `/metrics`
 * (over the admin socket, as Prometheus reads it). A series never touched is absent, so an
 * absent one reads 0; summing lets a test ask for `{listener, version}` across status classes.
 */
export async function metric(ramp: Ramp, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await request(`${ramp.urls.admin}/metrics`)
  const text = await res.body.text()
  const want = Object.entries(labels)
  let sum = 0
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (m === null || m[1] !== name) continue
    const have = new Map([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]))
    if (want.every(([k, v]) => have.get(k) === v)) sum += Number(m[3])
  }
  return sum
}
