// The modules of prom-client's own layout that src/metrics/prom-core.ts imports (prom-client
// ships types for its index only). Each is the class its index exports under the same name.
declare module 'prom-client/lib/registry.js' {
  const Registry: typeof import('prom-client').Registry
  export default Registry
}
declare module 'prom-client/lib/counter.js' {
  const Counter: typeof import('prom-client').Counter
  export default Counter
}
declare module 'prom-client/lib/gauge.js' {
  const Gauge: typeof import('prom-client').Gauge
  export default Gauge
}
declare module 'prom-client/lib/histogram.js' {
  const Histogram: typeof import('prom-client').Histogram
  export default Histogram
}
declare module 'prom-client/lib/cluster.js' {
  const AggregatorRegistry: typeof import('prom-client').AggregatorRegistry
  export default AggregatorRegistry
}
