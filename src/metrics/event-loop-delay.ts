import { createHistogram } from 'node:perf_hooks'

const maxNs = 3_600_000_000_000

/** What one read reports: seconds, over the ticks since the previous read (NaN when there were none). */
export interface DelayReading { min: number; max: number; mean: number; stddev: number; p50: number; p90: number; p99: number }

/**
 * The event-loop delay that prom-client's default metrics report (the intervals between the
 * ticks of a timer firing every `resolutionMs`, since the previous read), made cheap to read.
 * prom-client reads Node's `monitorEventLoopDelay` histogram, whose `stddev` and `mean`
 * getters walk every bucket: ~450 and ~50 µs a read here, half of what a whole /metrics read
 * cost. Here each interval goes into a histogram for the percentiles (~5 µs a read) and into
 * running sums for the mean and the standard deviation. The timer is a JS one: 100 callbacks
 * a second of a few microseconds each, and unref'd so it never holds the process open.
 */
export class EventLoopDelay {
  /**
   * Nanoseconds, to an hour, at three significant figures: the range Node's own event-loop
   * histogram covers. The 10 µs floor keeps the buckets below the usual intervals (~10 ms)
   * few, and a read of three percentiles at ~8 µs (the default floor of 1 ns: ~65 µs).
   */
  private readonly histogram = createHistogram({ lowest: 10_000, highest: maxNs, figures: 3 })
  private count = 0
  /** Welford's running mean and sum of squared deviations: no precision lost to large squares. */
  private mean = 0
  private m2 = 0
  private min = Infinity
  private max = 0
  private last = performance.now()

  constructor(resolutionMs = 10) {
    setInterval(() => { this.tick() }, resolutionMs).unref()
  }

  private tick(): void {
    const now = performance.now()
    const ns = Math.min(maxNs, Math.max(1, Math.round((now - this.last) * 1e6)))
    this.last = now
    this.histogram.record(ns)
    this.count++
    const d = ns - this.mean
    this.mean += d / this.count
    this.m2 += d * (ns - this.mean)
    if (ns < this.min) this.min = ns
    if (ns > this.max) this.max = ns
  }

  /** The figures since the previous read, then starts over (as prom-client resets its histogram). */
  read(): DelayReading {
    const n = this.count
    const s = (ns: number): number => (n === 0 ? NaN : ns / 1e9)
    const reading = {
      min: s(this.min),
      max: s(this.max),
      mean: s(this.mean),
      stddev: s(Math.sqrt(this.m2 / n)),
      p50: s(this.histogram.percentile(50)),
      p90: s(this.histogram.percentile(90)),
      p99: s(this.histogram.percentile(99)),
    }
    this.histogram.reset()
    this.count = 0
    this.mean = 0
    this.m2 = 0
    this.min = Infinity
    this.max = 0
    return reading
  }
}
