import type { Dispatcher } from 'undici'
import { setUpAnalysis, windowReadings } from './analysis/setup.js'
import type { Measurements } from './analysis/window.js'
import type { AnalysisView } from './admin/views.js'
import type { Clock } from './clock.js'
import type { CurrentConfig } from './config/current.js'
import { shapingFromConfig } from './config/shaping.js'
import type { Fleet, FleetDriver } from './link/fleet/fleet.js'
import type { Link, UpEvent } from './link/link.js'
import type { Logger } from './log.js'
import type { Metrics } from './metrics/registry.js'
import { probeReadiness } from './pool/readiness.js'
import { RolloutDriver, type AnalysisExecutor, type DriverDeps, type ReadinessStarter } from './rollout/driver.js'
import { driftSentence, stateDrift, type Drift } from './rollout/drift.js'
import { initialState } from './rollout/initial.js'
import { strategyFromConfig } from './rollout/strategy-from-config.js'
import type { AnalysisRef } from './rollout/types.js'
import type { RoutingSpec, TableSpec } from './routing/spec.js'
import { bpToPercent } from './routing/weight.js'
import type { StateStore } from './state/store.js'

export interface ControlPlaneDeps {
  settings: CurrentConfig
  log: Logger
  clock: Clock
  metrics: Metrics
  store: StateStore
  /** Readiness probes of a new version go out through it. */
  agent: Dispatcher
  /** What analysis judges: the in-process data plane's windows, or the sum of the workers'. */
  measurements: Measurements
  /** Where routing specs go. */
  link: Link
  /** A fleet sharing the rollout through Redis: this instance runs the clock and analysis only while it leads. */
  fleet?: Fleet | null
  /**
   * Resolves once the data planes serve. Readiness probes and analysis runs wait for it: a
   * version judged before any listener took traffic would be judged on none (workers take a
   * second to start).
   */
  serving: Promise<void>
}

export interface ControlPlane {
  readonly driver: RolloutDriver
  /** The analysis runs in progress and the last ones. */
  analysis(): AnalysisView
  /** The routing spec last sent; a data plane that starts applies it before it accepts a connection. */
  readonly spec: RoutingSpec
  /** The config's static shaping changed (a reload): the same table goes out again with it. */
  reshape(): Promise<void>
  /** What a data plane reported, the only way anything of theirs reaches the engine; rejects when the engine could not take it. */
  heard(event: UpEvent): Promise<unknown>
  /** Where the state resumed at start differs from the config, until the rollout next changes. */
  drift(): readonly Drift[]
  /** Stops timers, probes, runs and webhooks; the store is the caller's. */
  close(): void
  /** What a fleet drives: the revision in force, a re-read of the stored state, a change of leader. */
  readonly fleet: FleetDriver
}

/**
 * The rollout's side of ramp: the engine's driver over its store, its timers and readiness
 * probes, analysis and the watching webhooks. It publishes one routing spec per change of the
 * table through the link and hears the data planes only as events.
 */
export async function startControlPlane(deps: ControlPlaneDeps): Promise<ControlPlane> {
  const { settings, log, clock, metrics, link } = deps
  const config = settings.current
  let spec: RoutingSpec | null = null
  const send = (table: TableSpec): Promise<void> => {
    spec = { version: (spec?.version ?? 0) + 1, table, shaping: shapingFromConfig(settings.current) }
    metrics.weight.set(bpToPercent(table.weightBp))
    metrics.backends.reset()
    metrics.backends.set({ version: table.stable.name, role: 'stable' }, table.stable.backends.length)
    if (table.canary !== null) metrics.backends.set({ version: table.canary.name, role: 'canary' }, table.canary.backends.length)
    log.info({ routing: { version: spec.version, weight: bpToPercent(table.weightBp), stable: table.stable.name, canary: table.canary?.name ?? null } },
      `routing: ${table.canary === null ? `${table.stable.name} serves all` : `${table.canary.name} at ${bpToPercent(table.weightBp)}%, ${table.stable.name} the rest`}`)
    return link.publish(spec)
  }

  const fleet = deps.fleet ?? null
  // In a fleet, what this instance's data planes measured is shared, and the leader judges the sum.
  const measured = fleet === null
    ? { measurements: deps.measurements, ...(link.collect === undefined ? {} : { collect: () => link.collect?.() ?? Promise.resolve() }) }
    : { measurements: fleet.windows.measurements, collect: () => fleet.collect(), sources: (from: number) => fleet.windows.sources(from) }
  const leads = (): boolean => fleet === null || fleet.lease.leading !== null
  // The one forward reference: a rollback webhook aborts through the driver it watches.
  let abort: (webhook: string) => void = () => undefined
  const analysis = setUpAnalysis(config, { clock, log, metrics, ...measured, rollback: (webhook) => { abort(webhook) } })
  const known = new Set<string>()
  const fromConfig = (): ReturnType<typeof initialState> => initialState({
    stable: config.stable,
    canary: config.canary ?? null,
    strategy: strategyFromConfig(config.strategy),
    mode: config.mode,
    weightBp: config.weightBp,
    options: { progressDeadlineSeconds: config.progressDeadlineSeconds, progressDeadlineAbort: config.progressDeadlineAbort, gates: analysis.gates },
    now: clock.now(),
  })
  const driverDeps: DriverDeps = {
    store: deps.store, clock, log, readiness: readinessOf(deps), analysis: (report, state) => gated(analysis.executor(report, state), deps.serving), publish: send,
    ...(fleet === null ? {} : { leader: () => fleet.lease.leading }),
    observe: (state, entries) => {
      metrics.setPhase(state.phase)
      metrics.step.set(state.stepIndex)
      // A version that is neither stable nor the (possibly aborted) canary can never be measured
      // again: drop its windows, which would otherwise be kept for the life of the process.
      const keep = new Set([state.stable.name, ...(state.canary === null ? [] : [state.canary.name])])
      for (const name of known) {
        if (keep.has(name)) continue
        deps.measurements.forget(name)
        if (measured.measurements !== deps.measurements) measured.measurements.forget(name)
        known.delete(name)
      }
      for (const name of keep) known.add(name)
      // A fleet's webhooks are called once, by the leader, which hears of every change.
      if (leads()) analysis.notifier.changed(state, entries)
    },
  }
  let driver: RolloutDriver
  let resumed = false
  if (fleet !== null && !await fleet.connect()) {
    driver = await RolloutDriver.detached(driverDeps, fromConfig)
    log.warn({ store: deps.store.description }, `${deps.store.description} cannot be reached: serving the config's stable version ${config.stable.name} alone until it can; retrying`)
  } else {
    ({ driver, resumed } = await RolloutDriver.start(driverDeps, fromConfig))
  }
  abort = (webhook) => {
    driver.dispatch({ type: 'abort', actor: `webhook:${webhook}`, message: `rollback webhook ${webhook} answered 2xx` }).catch((err: unknown) => log.error({ err, webhook }, 'rollback webhook: the abort could not be applied'))
  }
  metrics.readWindowsFrom(windowReadings(deps.measurements, () => driver.state, clock))
  metrics.setPhase(driver.state.phase)
  metrics.step.set(driver.state.stepIndex)
  if (resumed) {
    // A rollout resumed in progress has no change to announce, but its rollback hooks must be polled.
    if (leads()) analysis.notifier.changed(driver.state, [])
    log.info({ store: deps.store.description, phase: driver.state.phase, step: driver.state.stepIndex }, `resumed rollout state from ${deps.store.description}: ${driver.state.message}`)
  }
  const drift = resumed ? stateDrift(fromConfig().state, driver.state) : []
  const driftRevision = driver.state.revision
  if (drift.length > 0) log.warn({ drift }, driftSentence(drift, deps.store.description))

  return {
    driver,
    analysis: analysis.view,
    get spec() { return spec as RoutingSpec },
    // Until the rollout next changes: then the state is the one a person chose since.
    drift: () => (driver.state.revision === driftRevision ? drift : []),
    reshape: () => send(driver.table),
    // In a fleet the leader's data planes speak for every instance's: they check the same backends.
    heard: (event) => (leads() ? driver.dispatch({ type: 'versionHealth', version: event.version, available: event.available }) : Promise.resolve()),
    close() {
      driver.close()
      analysis.notifier.close()
    },
    fleet: {
      get revision() { return driver.revision },
      resync: () => driver.resync(),
      leadershipChanged() {
        driver.leadershipChanged()
        // A new leader polls the rollback hooks that its predecessor watched.
        if (leads()) analysis.notifier.changed(driver.state, [])
      },
    },
  }
}

/** Probes a new version's backends, once the data planes serve, with the readiness settings in force then. */
function readinessOf(deps: ControlPlaneDeps): ReadinessStarter {
  return (version, onReady) => {
    let stop: (() => void) | null = null
    let stopped = false
    void deps.serving.then(() => {
      if (stopped) return
      const r = deps.settings.current.readiness
      if (!r.enabled) {
        onReady()
        return
      }
      const probe = probeReadiness(version.backends, { path: r.path, grpc: r.grpc, timeoutMs: r.timeoutMs, intervalMs: r.intervalMs, dispatcher: deps.agent }, onReady, (reports) => {
        const waiting = reports.filter((x) => !x.ok)
        if (waiting.length > 0) deps.log.debug({ version: version.name, waiting }, 'waiting for readiness')
      })
      stop = () => probe.stop()
    })
    return () => {
      stopped = true
      stop?.()
    }
  }
}

/** Runs asked for before the data planes serve start once they do; one stopped before that never starts. */
function gated(inner: AnalysisExecutor, serving: Promise<void>): AnalysisExecutor {
  let open = false
  const waiting = new Map<string, AnalysisRef>()
  void serving.then(() => {
    open = true
    for (const run of waiting.values()) inner.start(run)
    waiting.clear()
  })
  return {
    start: (run) => { if (open) inner.start(run); else waiting.set(run.id, run) },
    stop: (id) => { waiting.delete(id); inner.stop(id) },
    stopAll: () => { waiting.clear(); inner.stopAll() },
  }
}
