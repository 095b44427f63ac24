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

/** Collects responses into one-second samples; recording is O(1), a second is summarised once. */
export class Seconds {
  readonly samples: Sample[] = []
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
}
