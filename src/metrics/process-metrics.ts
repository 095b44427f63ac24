import { readdir, readFile } from 'node:fs/promises'
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks'
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8'
import type { Registry } from 'prom-client'
import { Counter, Gauge, Histogram } from './prom-core.js'
import { EventLoopDelay } from './event-loop-delay.js'

/**
 * prom-client's default process metrics (`collectDefaultMetrics`), same names, help, types
 * and meaning, computed so that a /metrics read does not hold the event loop. The defaults
 * cost 2-3 ms of ramp's loop per read (bench/README.md, `metrics-stall`): Node's event-loop
 * histogram's `stddev` and `mean` (~0.5 ms), `process.memoryUsage()` (a synchronous read of
 * /proc, only to report heap figures V8 gives directly), `readFileSync('/proc/self/status')`
 * and `readdirSync('/proc/self/fd')` (which grows with every open connection). Here /proc is
 * read with asynchronous calls, on libuv's thread pool, and the heap from V8. Left out, as
 * before: the `nodejs_active_*_total` gauges, whose `_total` suffix `promtool check metrics`
 * rejects on a gauge.
 */
export function registerProcessMetrics(registry: Registry, prefix: string): void {
  const registers = [registry]
  const name = (n: string): string => `${prefix}${n}`

  let lastCpu = process.cpuUsage()
  const cpuUser = new Counter({
    name: name('process_cpu_user_seconds_total'), help: 'Total user CPU time spent in seconds.', registers,
    // One collect sets the three counters, as prom-client's does.
    collect() {
      const now = process.cpuUsage()
      const user = (now.user - lastCpu.user) / 1e6
      const system = (now.system - lastCpu.system) / 1e6
      lastCpu = now
      cpuUser.inc(user)
      cpuSystem.inc(system)
      cpuTotal.inc(user + system)
    },
  })
  const cpuSystem = new Counter({ name: name('process_cpu_system_seconds_total'), help: 'Total system CPU time spent in seconds.', registers })
  const cpuTotal = new Counter({ name: name('process_cpu_seconds_total'), help: 'Total user and system CPU time spent in seconds.', registers })

  const startSeconds = Math.round(Date.now() / 1000 - process.uptime())
  new Gauge({ name: name('process_start_time_seconds'), help: 'Start time of the process since unix epoch in seconds.', registers, aggregator: 'omit', collect() { this.set(startSeconds) } })

  const linux = process.platform === 'linux'
  if (linux) {
    // Three gauges from one read of /proc/self/status: a read started less than 100 ms ago
    // (this scrape's, whichever gauge asked first) serves the others.
    let reading: Promise<string> = Promise.resolve('')
    let readAt = -Infinity
    const status = (): Promise<string> => {
      const now = performance.now()
      if (now - readAt > 100) {
        readAt = now
        reading = readFile('/proc/self/status', 'utf8').catch(() => '')
      }
      return reading
    }
    const fromStatus = (n: string, help: string, field: string): Gauge => new Gauge({
      name: name(n), help, registers,
      async collect() {
        const m = new RegExp(`^${field}:\\s*(\\d+) kB`, 'm').exec(await status())
        if (m !== null) this.set(Number(m[1]) * 1024)
      },
    })
    fromStatus('process_resident_memory_bytes', 'Resident memory size in bytes.', 'VmRSS')
    fromStatus('process_virtual_memory_bytes', 'Virtual memory size in bytes.', 'VmSize')
    fromStatus('process_heap_bytes', 'Process heap size in bytes.', 'VmData')
  } else {
    // Elsewhere prom-client reports the resident size alone, as here.
    new Gauge({ name: name('process_resident_memory_bytes'), help: 'Resident memory size in bytes.', registers, collect() { this.set(process.memoryUsage.rss()) } })
  }

  if (linux) {
    new Gauge({
      name: name('process_open_fds'), help: 'Number of open file descriptors.', registers,
      async collect() {
        // Minus the descriptor the listing itself holds open while it reads.
        const fds = await readdir('/proc/self/fd').catch(() => null)
        if (fds !== null) this.set(fds.length - 1)
      },
    })
    let maxFds: number | null | undefined
    new Gauge({
      name: name('process_max_fds'), help: 'Maximum number of open file descriptors.', registers,
      async collect() {
        if (maxFds === undefined) {
          const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '')
          const m = /^Max open files\s+(\d+)/m.exec(limits)
          maxFds = m === null ? null : Number(m[1])
        }
        if (maxFds !== null) this.set(maxFds)
      },
    })
  }

  registerEventLoopMetrics(registers, name)
  registerRuntimeMetrics(registers, name)
}

function registerEventLoopMetrics(registers: Registry[], name: (n: string) => string): void {
  const delay = new EventLoopDelay(10)
  const lag = new Gauge({
    name: name('nodejs_eventloop_lag_seconds'), help: 'Lag of event loop in seconds.', registers, aggregator: 'average',
    collect() {
      // As prom-client does: the time to the next turn of the loop, reported at the next read.
      const start = process.hrtime.bigint()
      setImmediate(() => { lag.set(Number(process.hrtime.bigint() - start) / 1e9) })
      const r = delay.read()
      lagMin.set(r.min)
      lagMax.set(r.max)
      lagMean.set(r.mean)
      lagStddev.set(r.stddev)
      lagP50.set(r.p50)
      lagP90.set(r.p90)
      lagP99.set(r.p99)
    },
  })
  const gauge = (n: string, help: string, aggregator: 'min' | 'max' | 'average'): Gauge => new Gauge({ name: name(n), help, registers, aggregator })
  const lagMin = gauge('nodejs_eventloop_lag_min_seconds', 'The minimum recorded event loop delay.', 'min')
  const lagMax = gauge('nodejs_eventloop_lag_max_seconds', 'The maximum recorded event loop delay.', 'max')
  const lagMean = gauge('nodejs_eventloop_lag_mean_seconds', 'The mean of the recorded event loop delays.', 'average')
  const lagStddev = gauge('nodejs_eventloop_lag_stddev_seconds', 'The standard deviation of the recorded event loop delays.', 'average')
  const lagP50 = gauge('nodejs_eventloop_lag_p50_seconds', 'The 50th percentile of the recorded event loop delays.', 'average')
  const lagP90 = gauge('nodejs_eventloop_lag_p90_seconds', 'The 90th percentile of the recorded event loop delays.', 'average')
  const lagP99 = gauge('nodejs_eventloop_lag_p99_seconds', 'The 99th percentile of the recorded event loop delays.', 'average')
}

/** The count of each name in a list, into a gauge labelled by `type` (prom-client's handle, request and resource gauges). */
function setByType(gauge: Gauge, names: Iterable<string>): void {
  const counts = new Map<string, number>()
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1)
  gauge.reset()
  for (const [type, n] of counts) gauge.set({ type }, n)
}

interface Internals { _getActiveHandles(): object[]; _getActiveRequests(): object[] }
const constructorNames = function* (list: object[]): Iterable<string> {
  for (const o of list) if (typeof o?.constructor === 'function') yield o.constructor.name
}

function registerRuntimeMetrics(registers: Registry[], name: (n: string) => string): void {
  const internals = process as unknown as Internals
  new Gauge({
    name: name('nodejs_active_resources'), help: 'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.', labelNames: ['type'], registers,
    collect() { setByType(this, process.getActiveResourcesInfo()) },
  })
  new Gauge({
    name: name('nodejs_active_handles'), help: 'Number of active libuv handles grouped by handle type. Every handle type is C++ class name.', labelNames: ['type'], registers,
    collect() { setByType(this, constructorNames(internals._getActiveHandles())) },
  })
  new Gauge({
    name: name('nodejs_active_requests'), help: 'Number of active libuv requests grouped by request type. Every request type is C++ class name.', labelNames: ['type'], registers,
    collect() { setByType(this, constructorNames(internals._getActiveRequests())) },
  })

  // From V8 directly: process.memoryUsage() would also read the RSS from /proc for nothing.
  const heapTotal = new Gauge({
    name: name('nodejs_heap_size_total_bytes'), help: 'Process heap size from Node.js in bytes.', registers,
    collect() {
      const h = getHeapStatistics()
      heapTotal.set(h.total_heap_size)
      heapUsed.set(h.used_heap_size)
      external.set(h.external_memory)
    },
  })
  const heapUsed = new Gauge({ name: name('nodejs_heap_size_used_bytes'), help: 'Process heap size used from Node.js in bytes.', registers })
  const external = new Gauge({ name: name('nodejs_external_memory_bytes'), help: 'Node.js external memory size in bytes.', registers })

  const space = (kind: string, collect?: () => void): Gauge => new Gauge({ name: name(`nodejs_heap_space_size_${kind}_bytes`), help: `Process heap space size ${kind} from Node.js in bytes.`, labelNames: ['space'], registers, ...(collect === undefined ? {} : { collect }) })
  // One collect sets the three, as prom-client's does.
  const spaceTotal = space('total', () => {
    for (const s of getHeapSpaceStatistics()) {
      const labels = { space: s.space_name.slice(0, s.space_name.indexOf('_space')) }
      spaceTotal.set(labels, s.space_size)
      spaceUsed.set(labels, s.space_used_size)
      spaceAvailable.set(labels, s.space_available_size)
    }
  })
  const [spaceUsed, spaceAvailable] = [space('used'), space('available')]

  const [major, minor, patch] = process.version.slice(1).split('.')
  new Gauge({
    name: name('nodejs_version_info'), help: 'Node.js version info.', labelNames: ['version', 'major', 'minor', 'patch'], registers, aggregator: 'first',
    collect() { this.set({ version: process.version, major: major ?? '', minor: minor ?? '', patch: patch ?? '' }, 1) },
  })

  const gc = new Histogram({
    name: name('nodejs_gc_duration_seconds'), help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.', labelNames: ['kind'], buckets: [0.001, 0.01, 0.1, 1, 2, 5], registers,
  })
  const kinds: Record<number, string> = {
    [perfConstants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [perfConstants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [perfConstants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [perfConstants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  }
  // Every entry of a batch (prom-client observes only the first of each).
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = kinds[(e as { detail?: { kind?: number } }).detail?.kind ?? -1]
      if (kind !== undefined) gc.observe({ kind }, e.duration / 1000)
    }
  }).observe({ entryTypes: ['gc'] })
}
