import type { UpstreamReason } from '../upstream-reason.js'
import type { Backend } from './backend.js'

/**
 * What the request path reports of each upstream attempt, for passive ejection. A backend no
 * health monitor follows (out of the table, or in a test without one) reports to no one.
 */

/** An upstream answered with `status`: a 5xx counts against the backend, anything else resets its counts. */
export function observeStatus(backend: Backend, status: number): void {
  observeOutcome(backend, status >= 500)
}

/** An upstream answered: a failed answer (a 5xx, a gRPC error code) counts as a 5xx against the backend. */
export function observeOutcome(backend: Backend, failed: boolean): void {
  backend.health.sink?.observe(backend, failed ? '5xx' : 'success')
}

/**
 * An upstream attempt failed without a response. Connect failures (TLS included) and resets
 * count as connect failures; a timeout or a bad response counts as a 5xx, which is what the
 * client got for it. `no_backend` never reaches a backend and counts for none.
 */
export function observeFailure(backend: Backend, reason: UpstreamReason): void {
  if (reason === 'no_backend') return
  backend.health.sink?.observe(backend, reason === 'connect' || reason === 'tls' || reason === 'reset' ? 'connect' : '5xx')
}
