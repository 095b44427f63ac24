import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'

/** What an engine reports per response, and what it adds up at the end. */
export interface EngineHooks {
  response: (status: number, latencyMs: number, headers: Record<string, unknown>, user: string | null) => void
  /** A connection error or timeout: no response. */
  error: () => void
}
export interface EngineTotals { requests: number; non2xx: number; errors: number; timeouts: number }
export interface Engine { stop: () => void; done: Promise<EngineTotals> }

export interface PacedSpec {
  url: string
  path: string
  connections: number
  /** Requests per second, spread evenly over each second. */
  rate: number
  duration: number
  user?: { header: string; count: number } | undefined
}

/** One of `count` user ids, at random: what a load's requests carry for sticky routing by header. */
export const drawUser = (count: number): string => `u${Math.floor(Math.random() * count)}`

/** autocannon's default: a response that takes longer counts as a timeout. */
const timeoutMs = 10_000

/**
 * The connections a paced load sends on. One pool serves a run's warm-up and its measured
 * load, so the measured load starts on open connections: with a new pool, the first second of
 * ramp's fixed-rate row read a p99 of 96 ms against the ceiling's 4 ms in the same run.
 */
export function pacedPool(url: string, connections: number): Pool {
  return new Pool(url, { connections, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
}

/** How often the schedule is caught up: the requests due since the last tick go out together. */
const tickMs = 1

/**
 * An open-loop load at a fixed rate, request i due at i/rate seconds: what "N requests/s
 * offered" means. autocannon's rate limit is a per-second quota per connection, so each
 * connection fires its share as fast as the target answers at the start of every second and
 * then waits: the target is saturated for most of each second, and the p99 it reports is the
 * saturated one. Latency here runs from when a request was due, not from when a connection
 * was free to send it, so a target that falls behind pays for the queue it builds
 * (no coordinated omission).
 */
export function paced(spec: PacedSpec, hooks: EngineHooks, pool: Pool): Engine {
  const totals: EngineTotals = { requests: 0, non2xx: 0, errors: 0, timeouts: 0 }
  const interval = 1000 / spec.rate
  const start = performance.now()
  const end = start + spec.duration * 1000
  // Request 0 is due at the start; the last one due before the end is the last one sent, so a
  // run shorter than one interval still sends one.
  const total = Math.max(1, Math.ceil(spec.duration * 1000 / interval))
  let sent = 0
  let inflight = 0
  let stopped = false
  let finish: () => void = () => {}
  const drained = new Promise<void>((resolve) => { finish = resolve })

  const settle = (): void => {
    inflight--
    if (stopped && inflight === 0) finish()
  }
  const send = (due: number): void => {
    inflight++
    const user = spec.user === undefined ? null : { header: spec.user.header, id: drawUser(spec.user.count) }
    pool.request({ method: 'GET', path: spec.path, ...(user === null ? {} : { headers: { [user.header]: user.id } }) }).then(
      async (res) => {
        // Read to the end (dump() would close the connection past its size limit).
        for await (const chunk of res.body) void chunk
        totals.requests++
        if (res.statusCode < 200 || res.statusCode >= 300) totals.non2xx++
        hooks.response(res.statusCode, performance.now() - due, res.headers, user?.id ?? null)
      },
    ).catch((err: unknown) => {
      const code = (err as { code?: string }).code
      totals.errors++
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') totals.timeouts++
      hooks.error()
    }).finally(settle)
  }
  const stop = (): void => {
    if (stopped) return
    stopped = true
    if (inflight === 0) finish()
  }
  const tick = (): void => {
    if (stopped) return
    const now = Math.min(performance.now(), end)
    const due = Math.min(total, Math.floor((now - start) / interval) + 1)
    for (; sent < due; sent++) send(start + sent * interval)
    if (now >= end) stop()
    else setTimeout(tick, tickMs)
  }
  tick()
  const done = drained.then(() => totals)
  return { stop, done }
}
