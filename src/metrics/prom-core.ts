import type * as Prom from 'prom-client'
import CounterClass from 'prom-client/lib/counter.js'
import GaugeClass from 'prom-client/lib/gauge.js'
import HistogramClass from 'prom-client/lib/histogram.js'
import RegistryClass from 'prom-client/lib/registry.js'

/**
 * prom-client's Registry, Counter, Gauge and Histogram, without its index, which also loads
 * its default metrics (ramp has its own, process-metrics.ts) with @opentelemetry/api, the
 * summary's t-digest, the push gateway client and the cluster aggregator (node:cluster): ~40
 * ms and ~1.6 MiB of heap at start here, against ~5 ms for these four. The paths are
 * prom-client's own layout (15.x), the files its index exports (types:
 * src/types/prom-client-lib.d.ts); test/metrics/prom-core.test.ts holds them to it. Types
 * come from `import type ... from 'prom-client'`, which loads nothing.
 */
export const Registry = RegistryClass
export const Counter = CounterClass
export const Gauge = GaugeClass
export const Histogram = HistogramClass
export type Registry = Prom.Registry
export type Counter<T extends string = string> = Prom.Counter<T>
export type Gauge<T extends string = string> = Prom.Gauge<T>
export type Histogram<T extends string = string> = Prom.Histogram<T>
