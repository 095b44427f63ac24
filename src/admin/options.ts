import type { FleetView } from '../link/fleet/fleet.js'
import type { FastifyRequest } from 'fastify'
import type { ReloadReport } from '../config/changes.js'
import type { Measurements } from '../analysis/window.js'
import type { Logger } from '../log.js'
import type { AdminAccess } from './auth.js'
import type { Metrics } from '../metrics/registry.js'
import type { HealthView } from '../pool/health-view.js'
import type { ClientLimits } from '../proxy/client-limits.js'
import type { Drift } from '../rollout/drift.js'
import type { RolloutDriver } from '../rollout/driver.js'
import type { Certificates } from '../tls/certificates.js'
import type { TrafficListener } from './traffic.js'
import type { AnalysisView } from './views.js'

export interface AdminOptions {
  driver: RolloutDriver
  metrics: Metrics
  log: Logger
  /** Who may call what (auth.ts `refusal`). */
  access: AdminAccess
  /** Event streams open at once (admin.maxEventStreams). */
  maxEventStreams: number
  /** False while starting or draining: `/readyz` answers 503. */
  ready: () => boolean
  /** The analysis runs in progress and the last ones, with their measurements. */
  analysis: () => AnalysisView
  /** admin.tls, read at start; null or left out for plain HTTP. */
  certificates?: Certificates | null
  /** Where the state resumed at start differs from the config (control-plane.ts). */
  drift: () => readonly Drift[]
  /** Every backend's health, and whether ramp is in panic mode. */
  health: () => HealthView
  /** `config.clients`: the same limits on clients as the data-plane listeners. */
  clients: ClientLimits
  /** The /metrics text, when it is more than this process's registry (a primary adds up its workers'). */
  metricsText?: () => Promise<string>
  /** A fleet's instances, leader and store connection; absent when the state is not shared. */
  fleet?: () => FleetView
  /** What `GET /api/v1/traffic` reads: the measurements analysis judges (with workers, the primary's sum), ramp's clock, the listeners configured. */
  traffic: { measurements: Measurements; now: () => number; listeners: () => TrafficListener[] }
  /** Re-reads the config file and applies what changed; `actor` goes into the history. */
  reload: (actor: string) => Promise<ReloadReport>
}

/** Who did it, for the history: `x-ramp-actor` (the CLI sends the user name) or "admin". */
export function actorOf(request: FastifyRequest): string {
  const h = request.headers['x-ramp-actor']
  return typeof h === 'string' && /^[\w.@-]{1,64}$/.test(h) ? h : 'admin'
}
