import type { Admin } from './admin.js'
import { metricValue } from './metrics-text.js'
import { noReading, type RampReading } from './timeline.js'

const monitorIntervalMs = 10

/**
 * Reads ramp's weight and phase (`GET /api/v1/status`) and its RSS and event-loop delay
 * (`/metrics`: the process metrics `ramp serve` exports with the `ramp_process_` prefix,
 * prom-client's default ones as src/metrics/process-metrics.ts makes them) once a second.
 * The event-loop figure is the p99 of the intervals between the ticks of a 10 ms timer since
 * the previous scrape (each read starts them over), so an idle loop reads 10 ms: the delay is
 * what lies beyond it.
 */
export class Sampler {
  latest: RampReading = noReading
  private timers: NodeJS.Timeout[] = []

  constructor(private readonly admin: Admin) {}

  /**
   * The weight four times a second, so that the share chart follows a change closely;
   * /metrics once a second, since a scrape costs ramp more than a status read.
   */
  start(): void {
    this.every(250, async () => {
      const s = await this.admin.get<{ weight: number; phase: string }>('/api/v1/status')
      this.latest = { ...this.latest, weight: s.weight, phase: s.phase }
    })
    this.every(1000, async () => {
      const m = await Sampler.metrics(this.admin)
      this.latest = { ...this.latest, ...m }
    })
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t)
    this.timers = []
  }

  /** One reading now. */
  static async read(admin: Admin): Promise<RampReading> {
    const [status, m] = await Promise.all([admin.get<{ weight: number; phase: string }>('/api/v1/status'), Sampler.metrics(admin)])
    return { weight: status.weight, phase: status.phase, ...m }
  }

  private static async metrics(admin: Admin): Promise<Pick<RampReading, 'rssBytes' | 'eventLoopP99Ms'>> {
    const text = await admin.text('/metrics')
    const lag = metricValue(text, 'ramp_process_nodejs_eventloop_lag_p99_seconds')
    return {
      rssBytes: metricValue(text, 'ramp_process_process_resident_memory_bytes'),
      eventLoopP99Ms: lag === null ? null : Math.max(0, lag * 1000 - monitorIntervalMs),
    }
  }

  private every(ms: number, read: () => Promise<void>): void {
    // A slow answer (ramp saturated) must not pile up reads that add to its load.
    let busy = false
    const tick = (): void => {
      if (busy) return
      busy = true
      // A missed reading leaves the last one in place; the run goes on.
      read().catch(() => {}).finally(() => { busy = false })
    }
    tick()
    this.timers.push(setInterval(tick, ms))
  }
}
