import { droppedLogLines } from '../log.js'
import { Counter, Gauge, Registry } from './prom-core.js'
import { exposition } from './exposition.js'
import { HotCounter, HotCounters } from './hot-counter.js'
import { HotHistogram, type HotHistogramSeries } from './hot-histogram.js'
import { registerProcessMetrics } from './process-metrics.js'
import { grpcCodes } from '../grpc/status.js'

/** Status classes are the only `code` label values, so the label set stays bounded. */
export const codeClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const
export type CodeClass = (typeof codeClasses)[number]

export const phases = ['Healthy', 'Progressing', 'Paused', 'Aborted', 'Degraded'] as const

/** Buckets from 1 ms to 30 s; a proxy's interesting range is the low milliseconds. */
const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

export interface WindowReading { listener: string; version: string; successRate: number | null; p99Ms: number | null }

/** Pre-bound children for one (listener, version): the per-request path does no label lookups. */
export interface RequestSeries {
  /** By status class, then by gRPC code (`codeClasses.length + code`): the `code` label's bounded values. */
  readonly byClass: ReadonlyArray<HotCounter>
  readonly duration: HotHistogramSeries
}

export class Metrics {
  readonly registry = new Registry()
  private readonly hotRequests = new HotCounters()
  private readonly hotDecisions = new HotCounters()
  readonly requests = this.hotRequests.of(new Counter({ name: 'ramp_requests_total', help: 'Requests served, by listener, version and status class (a gRPC call: the name of its grpc-status, OK, UNAVAILABLE...).', labelNames: ['listener', 'version', 'code'], registers: [this.registry], collect: this.hotRequests.collect }))
  readonly duration = new HotHistogram('ramp_request_duration_seconds', 'Time from request to the end of the response, by listener and version.', durationBuckets, this.registry)
  readonly upstreamErrors = new Counter({ name: 'ramp_upstream_errors_total', help: 'Requests that failed upstream, by version and reason (connect, tls, reset, timeout, bad_response, no_backend).', labelNames: ['version', 'reason'], registers: [this.registry] })
  readonly weight = new Gauge({ name: 'ramp_canary_weight', help: 'Canary share of main-listener traffic, in percent.', registers: [this.registry] })
  readonly phase = new Gauge({ name: 'ramp_rollout_phase', help: 'Rollout phase: 1 for the current phase, 0 for the others.', labelNames: ['phase'], registers: [this.registry] })
  readonly step = new Gauge({ name: 'ramp_rollout_step', help: 'Index of the current canary step (0-based); -1 when no rollout is in progress.', registers: [this.registry] })
  readonly backends = new Gauge({ name: 'ramp_backends', help: 'Backends configured per version and role.', labelNames: ['version', 'role'], registers: [this.registry] })
  readonly backendUp = new Gauge({ name: 'ramp_backend_up', help: '1 when the backend is a candidate for traffic (active checks pass, not ejected), 0 when it is held out (with workers: by any of them).', labelNames: ['version', 'backend'], registers: [this.registry], aggregator: 'min' })
  readonly fleetLeader = new Gauge({ name: 'ramp_fleet_leader', help: 'In a fleet: 1 while this instance holds the lease and runs the rollout\'s clock and analysis, 0 while it follows.', labelNames: ['instance'], registers: [this.registry] })
  readonly fleetStoreUp = new Gauge({ name: 'ramp_fleet_store_up', help: 'In a fleet: 1 while Redis answers, 0 while it does not (the instance serves its last routing table and refuses changes).', labelNames: ['instance'], registers: [this.registry] })
  readonly panic = new Gauge({ name: 'ramp_panic', help: '1 while no version in the routing table has an available backend, so traffic goes by weight to every backend as if healthy (with workers: in any of them).', registers: [this.registry], aggregator: 'max' })
  readonly routingDecisions = this.hotDecisions.of(new Counter({ name: 'ramp_routing_decisions_total', help: 'Routing decisions by reason (preview, header, cookie, route:NAME, sticky, weight, fallback: the decided version had no available backend) and the version that served.', labelNames: ['reason', 'version'], registers: [this.registry], collect: this.hotDecisions.collect }))

  readonly retries = new Counter({ name: 'ramp_retries_total', help: 'Failed tries that could be retried, by version, reason (connect, reset, status, grpc_status) and result (retried; budget_exhausted and no_other_backend returned the failure).', labelNames: ['version', 'reason', 'result'], registers: [this.registry] })
  readonly mirrorRequests = new Counter({ name: 'ramp_mirror_requests_total', help: 'Mirrored copies by version and result (sent, shed: too many in flight, body_too_large).', labelNames: ['version', 'result'], registers: [this.registry] })
  readonly tunnelsOpen = new Gauge({ name: 'ramp_tunnels_open', help: 'Upgraded connections (WebSocket and other Upgrade protocols) open now, by listener and version.', labelNames: ['listener', 'version'], registers: [this.registry] })
  readonly overridesIgnored = new Counter({ name: 'ramp_overrides_ignored_total', help: 'Override headers or cookies naming a version that is not in the routing table (the request was routed normally).', registers: [this.registry] })
  readonly clientRejections = new Counter({ name: 'ramp_client_rejections_total', help: 'Client connections and requests refused before routing, by listener and reason (bad_request: malformed HTTP or a smuggling shape; headers_too_large; timeout: head or request too slow; max_connections; rapid_reset: an HTTP/2 client cancelling streams faster than clients.h2MaxResetsPerSecond).', labelNames: ['listener', 'reason'], registers: [this.registry] })
  readonly analysisRuns = new Counter({ name: 'ramp_analysis_runs_total', help: 'Analysis template runs by template and result (Successful, Failed, Inconclusive).', labelNames: ['template', 'result'], registers: [this.registry] })
  readonly analysisMeasurement = new Gauge({ name: 'ramp_analysis_measurement', help: 'The last value measured for each analysis metric.', labelNames: ['template', 'metric'], registers: [this.registry] })
  readonly uncaughtErrors = new Counter({ name: 'ramp_uncaught_errors_total', help: 'Errors no handler caught (kind: uncaughtException, unhandledRejection); ramp logged each and kept serving.', labelNames: ['kind'], registers: [this.registry] })
  private logLinesCounted = 0
  readonly logLinesDropped = new Counter({
    name: 'ramp_log_lines_dropped_total', help: 'Log lines lost because the log destination refused them (a pipe whose reader went away) or fell 1 MiB behind (a reader that does not read); ramp kept serving.', registers: [this.registry],
    collect: () => {
      const n = droppedLogLines()
      this.logLinesDropped.inc(n - this.logLinesCounted)
      this.logLinesCounted = n
    },
  })
  private windowReader: () => WindowReading[] = () => []
  readonly windowSuccessRate = new Gauge({
    name: 'ramp_window_success_rate', help: 'Non-5xx share of responses over the last minute, by listener and version (what analysis sees).', labelNames: ['listener', 'version'], registers: [this.registry],
    collect: () => { this.collectWindows(this.windowSuccessRate, (w) => w.successRate) },
  })
  readonly windowLatencyP99 = new Gauge({
    name: 'ramp_window_latency_p99_seconds', help: 'p99 latency over the last minute, by listener and version (what analysis sees).', labelNames: ['listener', 'version'], registers: [this.registry],
    collect: () => { this.collectWindows(this.windowLatencyP99, (w) => (w.p99Ms === null ? null : w.p99Ms / 1000)) },
  })

  private readonly series = new Map<string, Map<string, RequestSeries>>()

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) registerProcessMetrics(this.registry, 'ramp_process_')
  }

  /** The text exposition of every metric, made in slices that leave the event loop to the proxy (see exposition.ts). */
  text(): Promise<string> {
    return exposition(this.registry)
  }

  /** Bound once per (listener, version) and cached. */
  requestSeries(listener: string, version: string): RequestSeries {
    // Nested maps rather than one joined key: looked up per request, and a joined key is a
    // new string each time.
    let versions = this.series.get(listener)
    if (versions === undefined) this.series.set(listener, versions = new Map<string, RequestSeries>())
    let s = versions.get(version)
    if (s === undefined) {
      s = {
        byClass: [...codeClasses, ...grpcCodes].map((code) => this.hotRequests.series({ listener, version, code })),
        duration: this.duration.series({ listener, version }),
      }
      versions.set(version, s)
    }
    return s
  }

  /** Where the windowed gauges read from at each scrape (the analysis measurements). */
  readWindowsFrom(reader: () => WindowReading[]): void {
    this.windowReader = reader
  }

  private collectWindows(gauge: Gauge, value: (w: WindowReading) => number | null): void {
    gauge.reset()
    for (const w of this.windowReader()) {
      const v = value(w)
      if (v !== null) gauge.set({ listener: w.listener, version: w.version }, v)
    }
  }

  /** The `ramp_routing_decisions_total` series of one reason and version, for the request path. */
  decisionSeries(reason: string, version: string): HotCounter {
    return this.hotDecisions.series({ reason, version })
  }

  setPhase(current: string): void {
    for (const p of phases) this.phase.set({ phase: p }, p === current ? 1 : 0)
  }
}

/** 204 -> index of "2xx"; anything outside 100..599 counts as 5xx (the proxy failed it). */
export function codeClassIndex(status: number): number {
  const i = Math.floor(status / 100) - 1
  return i >= 0 && i <= 4 ? i : 4
}
