import type { Admin } from './admin.js'
import { metricValue } from './metrics-text.js'
import { noReading, type RampReading } from './timeline.js'

const monitorIntervalMs = 10

/**
 * Reads ramp's weight and phase (`GET /api/v1/status`) and its RSS and event-loop delay
 * (`/metrics`: prom-client's default process metrics, which `ramp serve` exports with the
 * `ramp_process_` prefix) once a second. The event-loop figure is the p99 of
 * `monitorEventLoopDelay` since the previous scrape (prom-client resets that histogram after
 * each collection). That histogram records the time between two ticks of its 10 ms timer
 * (prom-client's default precision, which ramp keeps), so an idle loop reads 10 ms: the
 * delay is what lies beyond it.
 */
export class Sampler {
  latest: RampReading = noReading
  private timer: NodeJS.Timeout | null = null
  private busy = false

  constructor(private readonly admin: Admin) {}

  start(): void {
    void this.read()
    this.timer = setInterval(() => { void this.read() }, 1000)
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
  }

  /** One reading now. */
  static async read(admin: Admin): Promise<RampReading> {
    const [status, metrics] = await Promise.all([
      admin.get<{ weight: number; phase: string }>('/api/v1/status'),
      admin.text('/metrics'),
    ])
    const lag = metricValue(metrics, 'ramp_process_nodejs_eventloop_lag_p99_seconds')
    return {
      weight: status.weight,
      phase: status.phase,
      rssBytes: metricValue(metrics, 'ramp_process_process_resident_memory_bytes'),
      eventLoopP99Ms: lag === null ? null : Math.max(0, lag * 1000 - monitorIntervalMs),
    }
  }

  private async read(): Promise<void> {
    // A slow answer (ramp saturated) must not pile up scrapes that add to its load.
    if (this.busy) return
    this.busy = true
    try {
      this.latest = await Sampler.read(this.admin)
    } catch {
      // A missed reading leaves the last one in place; the run goes on.
    } finally {
      this.busy = false
    }
  }
}
