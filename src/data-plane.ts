import type { Server } from 'node:http'
import type { Measurements } from './analysis/window.js'
import type { Clock } from './clock.js'
import { touches } from './config/changes.js'
import type { CurrentConfig } from './config/current.js'
import type { Config } from './config/load.js'
import { drainListeners, type DrainReport } from './lifecycle/shutdown.js'
import type { UpEvent } from './link/link.js'
import type { Logger } from './log.js'
import type { Metrics } from './metrics/registry.js'
import { HealthMonitor } from './pool/health.js'
import type { HealthView } from './pool/health-view.js'
import { createUpstreamAgent } from './proxy/agent.js'
import { applyClientLimits } from './proxy/client-limits.js'
import { ListenerDrain } from './proxy/drain.js'
import { createListener, type DataListener } from './proxy/listener.js'
import type { SwappableAgent } from './proxy/swappable-agent.js'
import { Tunnels } from './proxy/tunnels.js'
import type { RoutingSpec } from './routing/spec.js'
import { TableHolder } from './routing/table.js'
import { reloadCertificates, type Certificates } from './tls/certificates.js'
import { tlsServersOf, type ServerName } from './tls/listeners.js'

export interface DataPlaneDeps {
  settings: CurrentConfig
  log: Logger
  metrics: Metrics
  clock: Clock
  /** The draw behind weighted picks and P2C; tests pass a seeded one. */
  random: () => number
  agent: SwappableAgent
  /** Where the listeners record each response for analysis. */
  measurements: Measurements
  certificates: Record<ServerName, Certificates | null>
  /** The first routing spec: nothing listens before a table is in place. */
  spec: RoutingSpec
  /** Versions the engine holds to have no available backend, so health tells it only of real changes. */
  unavailable: readonly string[]
  /** Events for the control plane; a rejection means it could not take the event, which is then told again at the next change. */
  up: (event: UpEvent) => Promise<unknown>
}

export interface DataPlane {
  readonly tables: TableHolder
  readonly health: HealthMonitor
  /** Builds and swaps in the table of a newer spec; false when `spec` is not newer than the one in place. */
  apply(spec: RoutingSpec): boolean
  /** Starts the listeners; resolves with their URLs. */
  listen(): Promise<{ main: string; preview: string | null }>
  /** Every listener's node server. */
  readonly servers: readonly Server[]
  /** A reloaded config's data-plane part: client limits, health checks and ejection, the upstream agent, certificates. */
  reconfigure(config: Config, changed: readonly string[]): void
  /** Reads the listeners' certificate files again (SIGHUP); throws a RampError, changing nothing, when one is bad. */
  reloadTls(config: Config): string[]
  healthView(): HealthView
  closeTunnels(): Promise<void>
  /** Stops health checks, drains the listeners and ends upgraded connections; `cutNow` cuts before the deadline. */
  drain(cutNow: Promise<void>): Promise<DrainReport>
}

/**
 * One data plane: the routing table it builds from each spec, the backends' health, the main
 * and preview listeners. It decides nothing about the rollout; what the control plane needs
 * of it leaves through `up` as events.
 */
export function createDataPlane(deps: DataPlaneDeps): DataPlane {
  const { settings, log, metrics, clock, agent } = deps
  const config = settings.current
  const tables = new TableHolder(deps.spec)
  // The draw behind check jitter is its own: it must not shift a test's seeded sequence of weighted picks.
  const health = new HealthMonitor({
    clock, log, metrics, random: Math.random, dispatcher: agent, unavailable: deps.unavailable,
    onVersionHealth: (version, available) => deps.up({ type: 'versionHealth', version, available }),
  }, config.healthCheck, config.outlier)
  health.follow(tables.current)
  tables.onApply((t) => { health.follow(t) })

  const tunnels = new Tunnels()
  const listenerDeps = { config: settings, tables, agent, metrics, log, random: deps.random, measurements: deps.measurements, clock, tunnels }
  const mainDrain = new ListenerDrain('main')
  const drains = [mainDrain]
  const main = createListener({ name: 'main', ...listenerDeps, certificates: deps.certificates.main, drain: mainDrain })
  mainDrain.attach(main)
  let preview: DataListener | null = null
  if (config.preview !== undefined) {
    const drain = new ListenerDrain('preview')
    preview = createListener({ name: 'preview', ...listenerDeps, certificates: deps.certificates.preview, drain })
    drain.attach(preview)
    drains.push(drain)
  }
  const servers = preview === null ? [main.server] : [main.server, preview.server]
  const reloadTls = (from: Config): string[] => {
    const reloaded = reloadCertificates(tlsServersOf(from, { main, ...(preview === null ? {} : { preview }) }))
    if (reloaded.length > 0) log.info({ reloaded }, `certificates reloaded: ${reloaded.join(', ')}`)
    return reloaded
  }

  return {
    tables,
    health,
    servers,
    apply: (spec) => tables.apply(spec) !== null,
    async listen() {
      const started: DataListener[] = []
      try {
        await main.listen(config.listen.host, config.listen.port)
        started.push(main)
        if (preview !== null && config.preview !== undefined) await preview.listen(config.preview.host, config.preview.port)
      } catch (err) {
        health.close()
        await Promise.allSettled(started.map((l) => l.close()))
        throw err
      }
      return { main: main.url, preview: preview?.url ?? null }
    },
    reconfigure(next, changed) {
      if (touches(changed, 'clients')) for (const server of servers) applyClientLimits(server, next.clients)
      if (touches(changed, 'healthCheck', 'outlier')) health.configure(next.healthCheck, next.outlier)
      if (touches(changed, 'upstream')) {
        agent.swap(createUpstreamAgent(next.upstream)).then(
          () => log.debug('reload: the previous upstream agent finished its requests and closed'),
          (err: unknown) => log.warn({ err }, 'reload: the previous upstream agent did not close cleanly'),
        )
      }
    },
    reloadTls,
    healthView: () => health.view(),
    closeTunnels: () => tunnels.closeAll(),
    async drain(cutNow) {
      health.close()
      // Upgraded connections are not requests: they end at once, as the drain begins.
      const [report] = await Promise.all([drainListeners(drains, { timeoutMs: settings.current.drainTimeoutMs, log, cutNow }), tunnels.closeAll()])
      return report
    },
  }
}
