/** One second of a load run, as the report draws it. */
export interface Sample {
  /** Seconds since the run started, at the end of this second. */
  t: number
  /** Responses so far in the run. */
  requests: number
  /** Responses in this second (every status). */
  rps: number
  /** Responses in this second by serving version. */
  versions: Record<string, number>
  p50: number | null
  p99: number | null
  p999: number | null
  /** Non-2xx responses and connection errors in this second. */
  errors: number
  /** What ramp's admin API and /metrics said in this second; null without an admin URL. */
  weight: number | null
  phase: string | null
  rssBytes: number | null
  eventLoopP99Ms: number | null
}

/** What the sampler last read from ramp. */
export type RampReading = Pick<Sample, 'weight' | 'phase' | 'rssBytes' | 'eventLoopP99Ms'>

export const noReading: RampReading = { weight: null, phase: null, rssBytes: null, eventLoopP99Ms: null }

/** Value at quantile q of ascending `sorted`: the smallest value with at least q of the values at or below it. */
export function quantile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null
}

/** Appends to a Float64Array, doubling it when full. */
function append(into: Float64Array<ArrayBuffer>, used: number, from: Float64Array): Float64Array<ArrayBuffer> {
  if (used + from.length <= into.length) {
    into.set(from, used)
    return into
  }
  const grown = new Float64Array(Math.max(into.length * 2, used + from.length))
  grown.set(into.subarray(0, used))
  grown.set(from, used)
  return grown
}

/**
 * Collects responses into one-second samples; recording is O(1), a second is summarised once.
 * Latencies are kept as measured (fractions of a millisecond): autocannon's own histogram
 * keeps whole milliseconds, too coarse to tell whether ramp adds 1 ms to a p99.
 */
export class Seconds {
  readonly samples: Sample[] = []
  private all = new Float64Array(0)
  private latencies = new Float64Array(1024)
  private n = 0
  private versions: Record<string, number> = {}
  private errors = 0
  private total = 0

  record(latencyMs: number, ok: boolean, version: string | null): void {
    if (this.n === this.latencies.length) {
      const grown = new Float64Array(this.latencies.length * 2)
      grown.set(this.latencies)
      this.latencies = grown
    }
    this.latencies[this.n++] = latencyMs
    if (!ok) this.errors++
    if (version !== null) this.versions[version] = (this.versions[version] ?? 0) + 1
  }

  /** A connection error or timeout: no response, no latency. */
  failed(): void { this.errors++ }

  get responses(): number { return this.total + this.n }

  /** Ends the current second at `t` seconds into the run, with ramp's latest reading. */
  close(t: number, reading: RampReading): void {
    const sorted = this.latencies.subarray(0, this.n).sort()
    this.all = append(this.all, this.total, sorted)
    this.total += this.n
    this.samples.push({
      t, requests: this.total, rps: this.n, versions: this.versions,
      p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), p999: quantile(sorted, 0.999),
      errors: this.errors, ...reading,
    })
    this.n = 0
    this.versions = {}
    this.errors = 0
  }

  /** p50, p99 and p99.9 of every response in the closed seconds, in ms. */
  percentiles(): { p50: number; p99: number; p999: number } {
    const sorted = this.all.subarray(0, this.total).sort()
    return { p50: quantile(sorted, 0.5) ?? 0, p99: quantile(sorted, 0.99) ?? 0, p999: quantile(sorted, 0.999) ?? 0 }
  }
}
