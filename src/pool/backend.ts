import { originsOf } from '../config/backend-url.js'
import { freshCheck, type CheckState } from './active-check.js'
import { freshOutlier, type Outcome, type OutlierState } from './outlier.js'

/** Where a backend's request outcomes go: the health monitor that follows it, once it does. */
export interface HealthSink {
  observe(backend: Backend, outcome: Outcome): void
}

/**
 * What is known of a backend's health. The balancer reads `share`; everything else is the
 * health monitor's (src/pool/health.ts), which keeps the pool's `available` list in step.
 */
export interface BackendHealth {
  check: CheckState
  readonly outlier: OutlierState
  /** Share of its fair traffic, (0, 1]: below 1 while it slow-starts after coming back. */
  share: number
  /** When its slow start began; null when it takes its full share. */
  slowStartSince: number | null
  lastCheck: { at: number; ok: boolean; detail: string } | null
  sink: HealthSink | null
}

/** One upstream origin of a version. `inflight` is mutable on purpose: the balancer reads it. */
export interface Backend {
  readonly url: string
  /** `http://host:port`, the key undici pools connections by; `h2c://host:port` for an HTTP/2 backend. */
  readonly origin: string
  /**
   * Where a gRPC call goes: HTTP/2 whatever the scheme (gRPC needs it), so `h2://host:port`
   * (TLS, ALPN h2) for an https backend; the same as `origin` otherwise.
   */
  readonly grpcOrigin: string
  /** `host:port`, the Host sent when the client's is not preserved. */
  readonly host: string
  readonly version: string
  inflight: number
  readonly health: BackendHealth
}

export function createBackend(version: string, url: string): Backend {
  const health: BackendHealth = { check: freshCheck, outlier: freshOutlier(), share: 1, slowStartSince: null, lastCheck: null, sink: null }
  return { url, ...originsOf(url), version, inflight: 0, health }
}

/** In the candidates: not held out by active checks, not ejected. */
export function isAvailable(b: Backend): boolean {
  return b.health.check.healthy && b.health.outlier.ejectedUntil === null
}
