import type { Series, UpstreamReason } from '../analysis/window.js'
import { codeClassIndex, type RequestSeries } from '../metrics/registry.js'

/**
 * Records one finished response where both the metrics and the analysis windows see it, so
 * that a mirrored copy and a served request are counted the same way.
 */
export function recordResponse(series: RequestSeries, window: Series, status: number, seconds: number, reason: UpstreamReason | undefined, now: number): void {
  series.byClass[codeClassIndex(status)]?.inc()
  series.duration.observe(seconds)
  window.record(status, seconds * 1000, reason, now)
}
