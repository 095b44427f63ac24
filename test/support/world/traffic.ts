import { Readable } from 'node:stream'
import type { TestContext } from 'node:test'
import { Client, Pool, request } from 'undici'

// Traffic through ramp's listeners, told apart by the serving version: the demo backends
// (and recorders answering as a version) say theirs in `x-demo-version`.

const versionOf = (headers: Record<string, string | string[] | undefined>): string => String(headers['x-demo-version'] ?? 'ramp')

/**
 * Sends `n` GETs through `url` over `connections` keep-alive connections and counts the
 * serving version. Every answer must be a 200.
 */
export async function countVersions(url: string, n: number, opts: { connections?: number; path?: string } = {}): Promise<Record<string, number>> {
  const connections = opts.connections ?? 16
  const pool = new Pool(url, { connections, pipelining: 1 })
  const counts: Record<string, number> = {}
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++
      const res = await pool.request({ method: 'GET', path: opts.path ?? '/' })
      await res.body.dump()
      if (res.statusCode !== 200) throw new Error(`request answered ${res.statusCode}`)
      const v = versionOf(res.headers)
      counts[v] = (counts[v] ?? 0) + 1
    }
  }
  try {
    await Promise.all(Array.from({ length: connections }, worker))
  } finally {
    await pool.close()
  }
  return counts
}

export function tally(versions: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const v of versions) counts[v] = (counts[v] ?? 0) + 1
  return counts
}

/**
 * One keep-alive connection, kept for the test: every request on it meets the same ramp
 * process (with workers, the one the connection was handed to), in order.
 */
export interface Connection {
  /** `n` GETs one after another, their serving versions in order; each must answer 200. */
  versions(n: number, headers?: Record<string, string>, path?: string): Promise<string[]>
  close(): Promise<void>
}

export function connection(t: TestContext | null, url: string): Connection {
  const client = new Client(url, { pipelining: 1 })
  let closing: Promise<void> | null = null
  const close = (): Promise<void> => (closing ??= client.close())
  t?.after(close)
  return {
    async versions(n, headers = {}, path = '/') {
      const out: string[] = []
      for (let i = 0; i < n; i++) {
        const res = await client.request({ method: 'GET', path, headers })
        await res.body.dump()
        if (res.statusCode !== 200) throw new Error(`request ${i} answered ${res.statusCode}`)
        out.push(versionOf(res.headers))
      }
      return out
    },
    close,
  }
}

/** `n` requests on a fresh keep-alive connection, by serving version, in order. */
export async function sequence(url: string, n: number, headers: Record<string, string> = {}, path = '/'): Promise<string[]> {
  const c = connection(null, url)
  try {
    return await c.versions(n, headers, path)
  } finally {
    await c.close()
  }
}

export interface Answer {
  status: number
  /** The serving version, or "ramp" for an answer ramp made itself. */
  version: string
  /** ramp's error code (`x-ramp-error`) when ramp answered for the backend. */
  error: string | undefined
  headers: Record<string, string | string[] | undefined>
  body: string
}

export interface Send {
  method?: 'GET' | 'POST' | 'PUT'
  headers?: Record<string, string>
  /** An iterable body is sent chunked (no content-length), as a streaming client would. */
  body?: string | Buffer | Iterable<Buffer> | AsyncIterable<Buffer> | Readable
}

/** One request through a listener (undici's shared keep-alive pool), read to its end. */
export async function send(url: string, path = '/', opts: Send = {}): Promise<Answer> {
  const body = opts.body === undefined ? null : typeof opts.body === 'string' || Buffer.isBuffer(opts.body) || opts.body instanceof Readable ? opts.body : Readable.from(opts.body)
  const res = await request(`${url}${path}`, { method: opts.method ?? 'GET', headers: opts.headers ?? {}, body })
  const error = res.headers['x-ramp-error']
  return { status: res.statusCode, version: versionOf(res.headers), error: typeof error === 'string' ? error : undefined, headers: res.headers, body: await res.body.text() }
}

export interface Load {
  /**
   * Responses seen so far, by version ("ramp" for an answer ramp made itself, "client-error"
   * for none, `error` then the client's code) and status. `at` is the wall clock at the
   * answer, to compare with ramp's times; `startedAt` and `endedAt` are performance.now(), to
   * place a request before or after a moment of the test.
   */
  seen: Array<{ version: string; status: number; at: number; startedAt: number; endedAt: number; error: string | null }>
  /** Stops the clients; safe to call more than once. */
  stop(): Promise<void>
}

/**
 * Keeps `connections` clients sending GETs through `url` until stopped, so an analysis has
 * live traffic to judge. Bounded: it stops by itself after `maxMs`, and after the test.
 */
export function load(t: TestContext, url: string, opts: { connections?: number; maxMs?: number; path?: string } = {}): Load {
  const connections = opts.connections ?? 8
  const pool = new Pool(url, { connections, pipelining: 1 })
  const seen: Load['seen'] = []
  let stopped = false
  const until = Date.now() + (opts.maxMs ?? 60_000)
  const client = async (): Promise<void> => {
    while (!stopped && Date.now() < until) {
      const startedAt = performance.now()
      try {
        const res = await pool.request({ method: 'GET', path: opts.path ?? '/' })
        await res.body.dump()
        seen.push({ version: versionOf(res.headers), status: res.statusCode, at: Date.now(), startedAt, endedAt: performance.now(), error: null })
      } catch (err) {
        const error = (err as { code?: string }).code ?? (err as Error).message
        seen.push({ version: 'client-error', status: 0, at: Date.now(), startedAt, endedAt: performance.now(), error })
      }
    }
  }
  const running = Promise.all(Array.from({ length: connections }, client))
  let closing: Promise<void> | null = null
  const stop = (): Promise<void> => {
    stopped = true
    return (closing ??= running.then(() => pool.close()))
  }
  t.after(stop)
  return { seen, stop }
}

/**
 * Sends one request at a time until `met` holds, at most 20 (P2C alternates between two idle
 * backends, so a few requests reach each), and returns every answer.
 */
export async function sendUntil(met: () => boolean, sendOne: () => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = []
  for (let i = 0; i < 20 && !met(); i++) answers.push(await sendOne())
  if (!met()) throw new Error(`the condition still fails after ${answers.length} requests`)
  return answers
}
