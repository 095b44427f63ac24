import { isAvailable, type Backend } from './backend.js'
import type { VersionPool } from './pool.js'

/**
 * A backend's health as the admin API shows it. `state` is the one reason it is or is not
 * a candidate, first that applies: `unhealthy` (active checks hold it out), `ejected` (until
 * `ejectedUntil`), `slowStart` (taking `slowStart` of its share), `healthy`.
 */
export interface BackendHealthView {
  url: string
  state: 'healthy' | 'unhealthy' | 'ejected' | 'slowStart'
  ejectedUntil: string | null
  slowStart: number | null
  consecutive5xx: number
  consecutiveConnectFailures: number
  consecutiveCheckFailures: number
  ejections: number
  lastCheck: { at: string; ok: boolean; detail: string } | null
}

export interface VersionHealthView {
  name: string
  /** Backends that are candidates now; 0 means the version gets no traffic (or panic). */
  available: number
  backends: BackendHealthView[]
}

export interface HealthView {
  /** No version in the table has an available backend: traffic goes by weight to every backend. */
  panic: boolean
  activeChecks: boolean
  versions: VersionHealthView[]
}

export function healthView(pools: readonly VersionPool[], panic: boolean, activeChecks: boolean): HealthView {
  return {
    panic,
    activeChecks,
    versions: pools.map((p) => ({ name: p.name, available: p.available.length, backends: p.backends.map(backendView) })),
  }
}

function backendView(b: Backend): BackendHealthView {
  const h = b.health
  const until = h.outlier.ejectedUntil
  const state = !h.check.healthy ? 'unhealthy' : until !== null ? 'ejected' : h.share < 1 && isAvailable(b) ? 'slowStart' : 'healthy'
  return {
    url: b.url,
    state,
    ejectedUntil: until === null ? null : new Date(until).toISOString(),
    slowStart: h.share < 1 ? h.share : null,
    consecutive5xx: h.outlier.consecutive5xx,
    consecutiveConnectFailures: h.outlier.consecutiveConnectFailures,
    consecutiveCheckFailures: h.check.failures,
    ejections: h.outlier.ejections,
    lastCheck: h.lastCheck === null ? null : { at: new Date(h.lastCheck.at).toISOString(), ok: h.lastCheck.ok, detail: h.lastCheck.detail },
  }
}

/** Before a health monitor exists (and for callers that have none): nothing known to be down. */
export const noHealth: HealthView = { panic: false, activeChecks: false, versions: [] }
