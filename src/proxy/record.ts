import type { Series } from '../analysis/window.js'
import type { UpstreamReason } from '../upstream-reason.js'
import type { RampError } from '../errors.js'
import type { Logger } from '../log.js'
import { codeClasses, codeClassIndex, type Metrics, type RequestSeries } from '../metrics/registry.js'
import type { Backend } from '../pool/backend.js'
import { observeFailure } from '../pool/observe.js'
import { upstreamError } from './upstream-errors.js'

/**
 * Records one finished response where both the metrics and the analysis windows see it, so
 * that a mirrored copy and a served request are counted the same way. A gRPC call (`grpc`,
 * its code, from 0) is counted under its code and is a failure when `grpcFailed` says so,
 * whatever its HTTP status; any other response by its status class.
 */
export function recordResponse(series: RequestSeries, window: Series, status: number, seconds: number, reason: UpstreamReason | undefined, now: number, grpc = -1, grpcFailed = false): void {
  series.byClass[grpc < 0 ? codeClassIndex(status) : codeClasses.length + grpc]?.inc()
  series.duration.observe(seconds)
  window.record(status, seconds * 1000, reason, now, grpc < 0 ? undefined : grpcFailed || reason !== undefined)
}

/**
 * An upstream failure of a request or an upgrade handshake to `backend`: mapped to ramp's
 * error (src/proxy/upstream-errors.ts), counted in `ramp_upstream_errors_total`, and told to
 * passive health, so that a backend failing upgrades is ejected like one failing requests.
 */
export function upstreamFailure(metrics: Metrics, log: Logger, backend: Backend, err: unknown): { error: RampError; reason: UpstreamReason } {
  const mapped = upstreamError(err, backend.version, backend.url)
  metrics.upstreamErrors.inc({ version: backend.version, reason: mapped.reason })
  observeFailure(backend, mapped.reason)
  log.debug({ err, version: backend.version, backend: backend.url, reason: mapped.reason }, 'upstream error')
  return mapped
}
