import type { MetricObjectWithValues, MetricValue, Registry } from 'prom-client'
import AggregatorRegistry from 'prom-client/lib/cluster.js'

/** One process's metrics as `registry.getMetricsAsJSON()` gives them, which IPC carries. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[]

/** Series of one process (memory, event loop, ...): kept apart per worker, never added up. */
const perProcess = (name: string): boolean => name.startsWith('ramp_process_')

/**
 * The metrics of a host of workers as one registry: counters and histograms added up over
 * the primary and every worker, gauges by their own aggregator (a sum unless the metric says
 * otherwise), and per-process series labelled with the `worker` they came from. prom-client's
 * aggregation, loaded only by a primary (its module also holds the cluster listeners ramp
 * does not use).
 */
export function sumMetrics(parts: ReadonlyArray<{ worker: string; metrics: MetricsJson }>): Registry {
  return AggregatorRegistry.aggregate(parts.map(({ worker, metrics }) => metrics.map((m) => perProcess(m.name)
    // Labelled apart, each series has one value: `first` keeps it (a start time's `omit` would drop it).
    ? { ...m, aggregator: 'first' as const, values: m.values.map((v) => ({ ...v, labels: { ...v.labels, worker } })) }
    : m)))
}

/**
 * What a dead worker leaves behind: its counters and histograms, which the totals keep so that
 * they never go backwards; its gauges and per-process series described a process that is gone.
 */
export function retire(metrics: MetricsJson): MetricsJson {
  return metrics.filter((m) => (String(m.type) === 'counter' || String(m.type) === 'histogram') && !perProcess(m.name))
}
