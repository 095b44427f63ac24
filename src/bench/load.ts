import { cpus } from 'node:os'
import autocannon from 'autocannon'
import { cpuWindow } from './cpu.js'
import type { Pool } from 'undici'
import { drawUser, paced, pacedPool, type Engine, type EngineHooks, type EngineTotals } from './paced.js'
import type { Progress } from './progress.js'
import type { Sampler } from './sampler.js'
import { noReading, Seconds, type Sample } from './timeline.js'

/** A mark on a run's time axis: a rollout event ramp recorded, or something the bench did. */
export interface Mark { t: number; label: string; source: 'ramp' | 'bench' }

/** What a scenario's code can do while its load runs. */
export interface Live {
  /** Responses so far (warm-up excluded). */
  responses(): number
  /** Seconds since the measured load started. */
  elapsed(): number
  /** Ends the load now (the run's figures cover what was sent). */
  stop(): void
  /** Marks the time axis of the report. */
  mark(label: string): void
}

export interface LoadSpec {
  /** Names the run in the table, the JSON and the report. */
  label: string
  url: string
  connections: number
  /** Seconds of measured load; ignored when `amount` is set. */
  duration?: number
  /** Requests to send, then stop (a closed loop only: a paced load runs for `duration`). */
  amount?: number
  /** Requests per second offered, evenly paced over all connections (see paced.ts); none: as fast as the target answers (autocannon). */
  rate?: number
  /** Seconds of load thrown away first (JIT, keep-alive pools). */
  warmup?: number
  path?: string
  /** Each request carries one of `count` user ids in `header` (sticky routing by header). */
  user?: { header: string; count: number }
  /** Each response of the measured load as it ends; `latencyMs` is its latency as the run records it (from when it was due, for a paced load). */
  onResponse?: (r: { status: number; version: string; user: string | null; latencyMs: number }) => void
  /** Runs alongside the load; the run ends when both the load and this have finished (`live.stop()` ends the load early). */
  during?: (live: Live) => Promise<void>
}

export interface LoadRun {
  label: string
  url: string
  connections: number
  /** The offered rate, or null for a closed loop (as fast as the target answers). */
  rate: number | null
  startedAt: number
  seconds: number
  /** Responses per second over the whole run (every status). */
  rps: number
  /** Latency percentiles of the whole run in ms, from the responses' own times (not autocannon's whole-millisecond histogram). */
  p50: number
  p99: number
  p999: number
  requests: number
  non2xx: number
  /** Connection errors, timeouts included. */
  errors: number
  timeouts: number
  /** Responses by their `x-demo-version` (else `x-ramp-version`) header; "none" when both are missing. */
  versions: Record<string, number>
  /** The same for the warm-up, so that the backends' own counts can be checked against both. */
  warmupVersions: Record<string, number>
  /** Cores used during the run (Linux only): by the target's process and its children (ramp's workers), the bench's processes, everything else. */
  cpu: { target: number; bench: number; others: number } | null
  samples: Sample[]
  marks: Mark[]
}

/** Whose CPU time to count, each with every process it started: the process serving the target, and the bench. */
export interface Watch { target: number; bench: number }

function versionOf(headers: Record<string, unknown> | undefined): string {
  const v = headers?.['x-demo-version'] ?? headers?.['x-ramp-version']
  return typeof v === 'string' ? v : 'none'
}

/** A closed loop with autocannon: every connection sends its next request as soon as its last response ends. */
function cannon(spec: LoadSpec, duration: number | undefined, hooks: EngineHooks): Engine {
  const user = spec.user
  let settle: (err: Error | null, r: autocannon.Result) => void = () => {}
  const result = new Promise<autocannon.Result>((resolve, reject) => { settle = (err, r) => (err === null ? resolve(r) : reject(err)) })
  // onResponse runs just before autocannon's 'response' event for the same response: it
  // holds the headers and user until the event brings the latency.
  let last: { headers: Record<string, unknown>; user: string | null } = { headers: {}, user: null }
  const instance = autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount === undefined ? { duration: duration ?? 10 } : { amount: spec.amount }),
    // autocannon ends a run (its time up, or stop()) at its next sample: every 100 ms rather
    // than every second, so that a run ends close to when it should. Its per-sample request
    // counts are not used (see timeline.ts for the per-second samples).
    sampleInt: 100,
    requests: [{
      method: 'GET',
      path: spec.path ?? '/',
      ...(user === undefined ? {} : {
        setupRequest: (req, context) => {
          const id = drawUser(user.count)
          ;(context as { user?: string }).user = id
          return { ...req, headers: { ...req.headers, [user.header]: id } }
        },
      }),
      // Installed on the warm-up as well, so both phases cost the load generator the same.
      onResponse: (_status, _body, context, headers) => {
        last = { headers: headers as Record<string, unknown>, user: (context as { user?: string }).user ?? null }
      },
    }],
  }, (err: Error | null, r: autocannon.Result) => settle(err, r))
  instance.on('response', (_client, status, _bytes, latencyMs) => hooks.response(status, latencyMs, last.headers, last.user))
  instance.on('reqError', () => hooks.error())
  return {
    stop: () => instance.stop(),
    done: result.then((r) => ({ requests: r.requests.total, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts })),
  }
}

/** The engine for a spec: paced when it offers a rate, autocannon's closed loop otherwise. */
function engine(spec: LoadSpec, duration: number | undefined, hooks: EngineHooks, pool: Pool | null): Engine {
  if (spec.rate === undefined || pool === null) return cannon(spec, duration, hooks)
  return paced({ url: spec.url, path: spec.path ?? '/', connections: spec.connections, rate: spec.rate, duration: duration ?? 10, user: spec.user }, hooks, pool)
}

/**
 * One load run (autocannon, or paced at `spec.rate`): an optional warm-up, then the measured
 * load, summarised per second (see timeline.ts) with ramp's reading from `sampler` when there
 * is one.
 */
export async function runLoad(spec: LoadSpec, ctx: { sampler: Sampler | null; watch: Watch | null; progress: Progress }): Promise<LoadRun> {
  const pool = spec.rate === undefined ? null : pacedPool(spec.url, spec.connections)
  try {
    return await measure(spec, ctx, pool)
  } finally {
    await pool?.close()
  }
}

/** runLoad's body; `pool` carries a paced load's connections from its warm-up into its measured run. */
async function measure(spec: LoadSpec, ctx: { sampler: Sampler | null; watch: Watch | null; progress: Progress }, pool: Pool | null): Promise<LoadRun> {
  const warmupVersions: Record<string, number> = {}
  if ((spec.warmup ?? 0) > 0) {
    ctx.progress.update(0, `${spec.label}: warm-up ${spec.warmup} s`)
    const count = (headers: Record<string, unknown>): void => { const v = versionOf(headers); warmupVersions[v] = (warmupVersions[v] ?? 0) + 1 }
    await engine({ ...spec, amount: undefined }, spec.warmup, { response: (_s, _l, headers) => count(headers), error: () => {} }, pool).done
  }
  const seconds = new Seconds()
  const versions: Record<string, number> = {}
  const marks: Mark[] = []
  // /proc/stat counts every core of the machine, whatever this process is pinned to.
  const cores = cpus().length
  const cpu = ctx.watch === null ? null : [cpuWindow(ctx.watch.target, cores), cpuWindow(ctx.watch.bench, cores)] as const
  const startedAt = Date.now()
  const elapsed = (): number => (Date.now() - startedAt) / 1000
  const { stop, done } = engine(spec, spec.duration, {
    response: (status, latencyMs, headers, user) => {
      const v = versionOf(headers)
      versions[v] = (versions[v] ?? 0) + 1
      spec.onResponse?.({ status, version: v, user, latencyMs })
      seconds.record(latencyMs, status >= 200 && status < 300, v)
    },
    error: () => seconds.failed(),
  }, pool)
  const tick = setInterval(() => seconds.close(Math.round(elapsed()), ctx.sampler?.latest ?? noReading), 1000)
  const bar = setInterval(() => {
    const f = spec.amount === undefined ? elapsed() / (spec.duration ?? 10) : seconds.responses / spec.amount
    ctx.progress.update(f, `${spec.label}: ${Math.floor(elapsed())} s, ${seconds.responses.toLocaleString('en-US')} responses`)
  }, 250)

  let stopped = false
  const live: Live = {
    responses: () => seconds.responses,
    elapsed,
    stop: () => { if (!stopped) { stopped = true; stop() } },
    mark: (label) => { marks.push({ t: elapsed(), label, source: 'bench' }) },
  }
  let result: EngineTotals
  try {
    const side = spec.during?.(live).catch((err: unknown) => { live.stop(); throw err })
    result = await done
    await side
  } finally {
    clearInterval(tick)
    clearInterval(bar)
    ctx.progress.clear()
  }
  const end = elapsed()
  if (seconds.responses > (seconds.samples.at(-1)?.requests ?? 0) || seconds.samples.length === 0) seconds.close(Math.round(end * 10) / 10, ctx.sampler?.latest ?? noReading)
  const [t, b] = cpu === null ? [null, null] : [cpu[0].stop(), cpu[1].stop()]
  return {
    label: spec.label,
    url: spec.url,
    connections: spec.connections,
    rate: spec.rate ?? null,
    startedAt,
    seconds: end,
    rps: result.requests / Math.max(end, 0.001),
    ...seconds.percentiles(),
    requests: result.requests,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    versions,
    warmupVersions,
    cpu: t === null || b === null ? null : { target: t.bench, bench: b.bench, others: b.others },
    samples: seconds.samples,
    marks,
  }
}
