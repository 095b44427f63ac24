import type { Registry } from 'prom-client'

/** One series of a hot histogram: its labels and plain counts. */
export class HotHistogramSeries {
  /** Observations per bucket, not cumulative; the last slot is +Inf. */
  readonly counts: Float64Array
  sum = 0
  count = 0

  private listed = false

  constructor(readonly labels: Readonly<Record<string, string>>, private readonly bounds: readonly number[], private readonly firstObserved: (s: HotHistogramSeries) => void) {
    this.counts = new Float64Array(bounds.length + 1)
  }

  observe(value: number): void {
    if (!this.listed) {
      this.listed = true
      this.firstObserved(this)
    }
    const bounds = this.bounds
    let i = 0
    while (i < bounds.length && value > (bounds[i] as number)) i++
    this.counts[i] = (this.counts[i] as number) + 1
    this.sum += value
    this.count++
  }
}

interface Value { labels: Record<string, string | number>; value: number; metricName: string }

/**
 * A histogram for the request path, exported by prom-client's registry as a histogram. A
 * prom-client Histogram hashes the labels of every `observe`, a bound child's too (~2 µs a
 * request, bench --profile); here an observation adds to plain numbers of its series, and the
 * registry reads them when it is scraped. The text is the one prom-client writes for a
 * Histogram: cumulative `_bucket` lines with `le`, then `_sum` and `_count`, per series.
 */
export class HotHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  /** In the order of their first observation, as prom-client lists label sets. */
  private readonly all: HotHistogramSeries[] = []
  private readonly list = (s: HotHistogramSeries): void => { this.all.push(s) }

  constructor(readonly name: string, readonly help: string, private readonly bounds: readonly number[], registry: Registry) {
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0])
  }

  series(labels: Readonly<Record<string, string>>): HotHistogramSeries {
    return new HotHistogramSeries(labels, this.bounds, this.list)
  }

  get(): Promise<{ name: string; help: string; type: string; values: Value[]; aggregator: string }> {
    const values: Value[] = []
    for (const s of this.all) {
      // Emptied by a reset: left out, as prom-client's reset drops its label sets.
      if (s.count === 0) continue
      let cumulative = 0
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += s.counts[i] as number
        values.push({ labels: { le: i < this.bounds.length ? this.bounds[i] as number : '+Inf', ...s.labels }, value: cumulative, metricName: `${this.name}_bucket` })
      }
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` })
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` })
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator })
  }

  /** prom-client's `resetMetrics` calls it: every series starts again from zero. */
  reset(): void {
    for (const s of this.all) {
      s.counts.fill(0)
      s.sum = 0
      s.count = 0
    }
  }
}
