import type { FastifyInstance } from 'fastify'
import { createAdmin } from './admin/server.js'
import { listenersOf } from './admin/traffic.js'
import { Measurements } from './analysis/window.js'
import { systemClock, type Clock } from './clock.js'
import type { ReloadReport } from './config/changes.js'
import { CurrentConfig } from './config/current.js'
import type { Config } from './config/load.js'
import { startControlPlane } from './control-plane.js'
import { createDataPlane } from './data-plane.js'
import { createReloader } from './lifecycle/reload.js'
import { logListening, moment, preflight, stopper } from './lifecycle/serving.js'
import { closeAgent, type DrainReport } from './lifecycle/shutdown.js'
import { InProcessLink } from './link/in-process.js'
import type { Logger } from './log.js'
import { Metrics } from './metrics/registry.js'
import type { HealthMonitor } from './pool/health.js'
import { createUpstreamAgent } from './proxy/agent.js'
import { serverUrl } from './proxy/listener.js'
import { SwappableAgent } from './proxy/swappable-agent.js'
import type { RolloutDriver } from './rollout/driver.js'
import type { TableHolder } from './routing/table.js'
import { storeFromConfig } from './state/factory.js'
import { fleetOf } from './link/fleet/fleet.js'
import type { StateStore } from './state/store.js'
import { reloadCertificates } from './tls/certificates.js'
import { tlsServersOf } from './tls/listeners.js'

export interface RampOptions {
  log: Logger
  clock?: Clock
  /** Overrides config.state (tests use a memory store, or a file store they inspect). */
  store?: StateStore
  env?: NodeJS.ProcessEnv
  /** Collect Node process metrics (off in tests that start many instances). */
  processMetrics?: boolean
  /** The draw behind weighted picks and P2C; tests pass a seeded one. */
  random?: () => number
}

/** What `ramp serve` runs until a signal: one process, or a primary and its workers. */
export interface Served {
  /** The configuration in force (a reload replaces it). */
  readonly config: Config
  readonly metrics: Metrics
  readonly urls: { main: string; preview: string | null; admin: string }
  /** Re-reads the config file and applies what changed (src/lifecycle/reload.ts); `actor` goes into the history. */
  reload(actor: string): Promise<ReloadReport>
  /**
   * Stops gracefully: /readyz answers 503 at once, the data-plane listeners drain (up to
   * drainTimeoutMs), then the rollout driver, the upstream agent and the store close, and the
   * admin listener last. Every call returns the same drain.
   */
  close(): Promise<DrainReport>
  /** During close: cut the connections still open now instead of at the deadline. */
  cutNow(): void
}

export interface Ramp extends Served {
  readonly driver: RolloutDriver
  readonly tables: TableHolder
  /** What analysis reads: per-version windows of every listener's responses. */
  readonly measurements: Measurements
  /** Backend health; `health.configure(healthCheck, outlier)` applies new settings at run time (reload). */
  readonly health: HealthMonitor
  /**
   * Reads the certificate files of every TLS listener again and serves them to new
   * connections (SIGHUP). Throws a RampError, changing nothing, when a file is missing or
   * invalid. Returns the config blocks reloaded (`listen.tls`, ...).
   */
  reloadTls(): string[]
  /** Ends every upgraded connection (WebSocket tunnels) and refuses new upgrades; resolves once all are closed. */
  closeTunnels(): Promise<void>
}

/**
 * One process: a control plane and a data plane joined by a function call. Nothing listens
 * until the state is loaded and the first table applied, so the first request already routes
 * by the resumed state. Shutdown reverses the start: the data plane drains, then the control
 * plane stops, then the agent, the store and the admin API close.
 */
export async function startRamp(config: Config, opts: RampOptions): Promise<Ramp> {
  const env = opts.env ?? process.env
  const log = opts.log
  const { access, certificates } = preflight(config, log, env)

  const metrics = new Metrics({ processMetrics: opts.processMetrics ?? true })
  const settings = new CurrentConfig(config)
  const agent = new SwappableAgent(createUpstreamAgent(config.upstream))
  const store = opts.store ?? await storeFromConfig(config, env)
  const clock = opts.clock ?? systemClock
  const fleet = fleetOf(store, log, metrics, config.state.instance)
  const measurements = new Measurements(fleet === null ? {} : { copyTo: fleet.windows.outbox })
  const link = new InProcessLink()

  const serving = moment()
  const control = await startControlPlane({ settings, log, clock, metrics, store, agent, measurements, link, fleet, serving: serving.reached })
  const data = createDataPlane({
    settings, log, metrics, clock, agent, measurements, certificates,
    random: opts.random ?? Math.random,
    spec: control.spec,
    unavailable: control.driver.state.unavailable ?? [],
    up: (event) => control.heard(event),
  })
  link.attach((spec) => { data.apply(spec) })

  let accepting = false
  let draining = false
  let admin: FastifyInstance | null = null
  const reloadTls = (from: Config = settings.current): string[] => [
    ...data.reloadTls(from),
    ...(admin === null ? [] : reloadCertificates(tlsServersOf(from, { admin }))),
  ]
  const reload = createReloader({
    config: settings, driver: control.driver, log, env, draining: () => draining,
    certificates: (next) => { reloadTls(next); return Promise.resolve() },
    reshape: () => control.reshape(),
    admin: () => admin?.server ?? null,
    dataPlanes: (next, changed) => {
      data.reconfigure(next, changed)
      return Promise.resolve()
    },
  })
  admin = await createAdmin({ driver: control.driver, metrics, log, access, ready: () => accepting, analysis: () => control.analysis(), drift: () => control.drift(), certificates: certificates.admin, health: () => data.healthView(), clients: config.clients, maxEventStreams: config.admin.maxEventStreams, reload,
    traffic: { measurements, now: () => clock.now(), listeners: () => listenersOf(settings.current) }, ...(fleet === null ? {} : { fleet: () => fleet.view() }) })

  let urls: Ramp['urls']
  try {
    await admin.listen({ host: config.admin.host, port: config.admin.port })
    const listening = await data.listen()
    urls = { ...listening, admin: serverUrl(admin.server, certificates.admin !== null) }
  } catch (err) {
    data.health.close()
    control.close()
    await admin.close()
    await agent.close()
    await fleet?.close()
    await store.close()
    throw err
  }
  accepting = true
  serving.mark()
  logListening(log, urls, { store: store.description })
  fleet?.start(control.fleet, urls.admin)

  const stop = stopper(async (cutNow) => {
    accepting = false
    draining = true
    const report = await data.drain(cutNow)
    // Only now: a request that finished during the drain is still measured, and a verdict or
    // a timer it brought about is still persisted.
    control.close()
    await closeAgent(agent, report.ended === 'drained' ? settings.current.drainTimeoutMs - report.ms : 0)
    await fleet?.close()
    await store.close()
    await admin?.close()
    return report
  })
  return {
    get config() { return settings.current },
    driver: control.driver,
    tables: data.tables,
    metrics,
    measurements,
    health: data.health,
    urls,
    reloadTls,
    closeTunnels: () => data.closeTunnels(),
    reload,
    ...stop,
  }
}
