import { availableParallelism } from 'node:os'
import autocannon from 'autocannon'
import { cpuWindow } from './cpu.js'

export interface LoadOptions { connections: number; duration: number }

export interface LoadResult {
  url: string
  /** Average of autocannon's per-second samples, every status counted. */
  rps: number
  p50: number
  p99: number
  requests: number
  non2xx: number
  /** Connection errors, timeouts included. */
  errors: number
  timeouts: number
  /** Responses by their `x-demo-version` header ("none" when it was missing). */
  versions: Record<string, number>
  /** Cores used during the measured run (Linux only): by the target's process, the bench's processes, everything else. */
  cpu: { target: number; bench: number; others: number } | null
}

/** Whose CPU time to count: the process that serves the target, and every process of the bench. */
export interface Watch { target: number; bench: number[] }

function run(url: string, opts: LoadOptions, onVersion?: (v: string) => void): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: opts.connections,
    duration: opts.duration,
    // The hook is on the warm-up as well, so both phases cost the load generator the same.
    requests: [{
      method: 'GET',
      path: '/',
      onResponse: (_status, _body, _ctx, headers) => {
        const v = headers?.['x-demo-version']
        onVersion?.(typeof v === 'string' ? v : 'none')
      },
    }],
  })
}

/** `warmup` seconds of load that is thrown away (JIT, keep-alive pools), then the measured run. */
export async function measure(url: string, opts: LoadOptions & { warmup: number; watch: Watch }): Promise<LoadResult> {
  if (opts.warmup > 0) await run(url, { connections: opts.connections, duration: opts.warmup })
  const versions: Record<string, number> = {}
  const cores = availableParallelism()
  const [targetCpu, benchCpu] = [cpuWindow([opts.watch.target], cores), cpuWindow(opts.watch.bench, cores)]
  const r = await run(url, opts, (v) => { versions[v] = (versions[v] ?? 0) + 1 })
  const [t, b] = [targetCpu.stop(), benchCpu.stop()]
  return {
    url,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    versions,
    cpu: t === null || b === null ? null : { target: t.bench, bench: b.bench, others: b.others },
  }
}
