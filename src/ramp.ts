import type { FastifyInstance } from 'fastify'
import type { ReloadReport } from './config/changes.js'
import { CurrentConfig } from './config/current.js'
import type { Config } from './config/load.js'
import { assertAdminSafe } from './admin/auth.js'
import { createAdmin } from './admin/server.js'
import type { Logger } from './log.js'
import { Metrics } from './metrics/registry.js'
import { HealthMonitor } from './pool/health.js'
import { probeReadiness } from './pool/readiness.js'
import { ListenerDrain } from './proxy/drain.js'
import { createReloader, type ReloadHooks } from './lifecycle/reload.js'
import { drainListeners, type DrainReport } from './lifecycle/shutdown.js'
import { createUpstreamAgent } from './proxy/agent.js'
import { createListener, serverUrl, type DataListener } from './proxy/listener.js'
import { Tunnels } from './proxy/tunnels.js'
import { SwappableAgent } from './proxy/swappable-agent.js'
import { systemClock, type Clock } from './clock.js'
import { RolloutDriver } from './rollout/driver.js'
import { initialState } from './rollout/initial.js'
import { strategyFromConfig } from './rollout/strategy-from-config.js'
import { tableOf } from './rollout/table-of.js'
import type { RolloutState } from './rollout/types.js'
import { TableHolder } from './routing/table.js'
import { shapingFromConfig } from './config/shaping.js'
import { bpToPercent } from './routing/weight.js'
import { setUpAnalysis } from './analysis/setup.js'
import type { Measurements } from './analysis/window.js'
import { createStore } from './state/factory.js'
import type { StateStore } from './state/store.js'
import { reloadCertificates } from './tls/certificates.js'
import { certificatesOf, tlsServersOf } from './tls/listeners.js'

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

export interface Ramp {
  /** The configuration in force (a reload replaces it). */
  readonly config: Config
  readonly driver: RolloutDriver
  readonly tables: TableHolder
  readonly metrics: Metrics
  /** What analysis reads: per-version windows of every listener's responses. */
  readonly measurements: Measurements
  /** Backend health; `health.configure(healthCheck, outlier)` applies new settings at run time (reload). */
  readonly health: HealthMonitor
  readonly urls: { main: string; preview: string | null; admin: string }
  /**
   * Reads the certificate files of every TLS listener again and serves them to new
   * connections (SIGHUP). Throws a RampError, changing nothing, when a file is missing or
   * invalid. Returns the config blocks reloaded (`listen.tls`, ...).
   */
  reloadTls(): string[]
  /** Ends every upgraded connection (WebSocket tunnels) and refuses new upgrades; resolves once all are closed. */
  closeTunnels(): Promise<void>
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

/**
 * The composition root: builds the metrics, the upstream agent, the routing table, the
 * rollout driver over its store, the listeners and the admin API, and starts them. Nothing
 * listens until the state is loaded and the first table published, so the first request
 * already routes by the resumed state.
 */
export async function startRamp(config: Config, opts: RampOptions): Promise<Ramp> {
  const env = opts.env ?? process.env
  const log = opts.log
  const token = env.RAMP_ADMIN_TOKEN !== undefined && env.RAMP_ADMIN_TOKEN !== '' ? env.RAMP_ADMIN_TOKEN : config.admin.token
  assertAdminSafe(config.admin.host, token)
  for (const w of config.warnings) log.warn(w)
  if (config.upstream.tls.insecureSkipVerify) log.warn('upstream.tls.insecureSkipVerify is set: certificates of https backends are not verified, so anyone on the path to a backend can impersonate it')
  const certificates = certificatesOf(config)

  const metrics = new Metrics({ processMetrics: opts.processMetrics ?? true })
  const settings = new CurrentConfig(config)
  const agent = new SwappableAgent(createUpstreamAgent(config.upstream))
  const store = opts.store ?? createStore({ store: config.state.store, path: config.statePath })
  const clock = opts.clock ?? systemClock

  const tables = new TableHolder({ mode: config.mode, stable: config.stable, canary: null, weightBp: 0, routes: [], mirror: null }, shapingFromConfig(config))
  let published: RolloutState | null = null
  let driverRef: RolloutDriver | null = null
  const analysis = setUpAnalysis(config, {
    clock, log, metrics,
    // The driver's state once it exists; before that (a run restarted while the driver
    // resumes) the state it published first, which it always does before starting anything.
    state: () => driverRef?.state ?? (published as RolloutState),
    rollback: (webhook) => {
      driverRef?.dispatch({ type: 'abort', actor: `webhook:${webhook}`, message: `rollback webhook ${webhook} answered 2xx` }).catch((err: unknown) => log.error({ err, webhook }, 'rollback webhook: the abort could not be applied'))
    },
  })
  const known = new Set<string>()
  const publish = (state: RolloutState): void => {
    published = state
    // A version that is neither stable nor the (possibly aborted) canary can never be measured
    // again: drop its windows, which would otherwise be kept for the life of the process.
    const keep = new Set([state.stable.name, ...(state.canary === null ? [] : [state.canary.name])])
    for (const name of known) if (!keep.has(name)) { analysis.measurements.forget(name); known.delete(name) }
    for (const name of keep) known.add(name)
    const t = tables.publish(tableOf(state))
    metrics.weight.set(bpToPercent(t.weightBp))
    metrics.setPhase(state.phase)
    metrics.step.set(state.stepIndex)
    metrics.backends.reset()
    metrics.backends.set({ version: t.stable.name, role: 'stable' }, t.stable.backends.length)
    if (t.canary !== null) metrics.backends.set({ version: t.canary.name, role: 'canary' }, t.canary.backends.length)
  }
  const readiness = (version: { name: string; backends: string[] }, onReady: () => void): (() => void) => {
    const r = settings.current.readiness
    if (!r.enabled) {
      queueMicrotask(onReady)
      return () => undefined
    }
    const probe = probeReadiness(version.backends, { path: r.path, timeoutMs: r.timeoutMs, intervalMs: r.intervalMs, dispatcher: agent }, onReady, (reports) => {
      const waiting = reports.filter((r) => !r.ok)
      if (waiting.length > 0) log.debug({ version: version.name, waiting }, 'waiting for readiness')
    })
    return () => probe.stop()
  }

  const { driver, resumed } = await RolloutDriver.start({ store, clock, log, readiness, analysis: analysis.executor, observe: (state, entries) => {
    // Not every change publishes a table (a pause, a version's health): the phase gauges follow every one.
    metrics.setPhase(state.phase)
    metrics.step.set(state.stepIndex)
    analysis.notifier.changed(state, entries)
  }, publish: (s) => {
    publish(s)
    log.info({ routing: { phase: s.phase, weight: bpToPercent(tables.current.weightBp), stable: s.stable.name, canary: tables.current.canary?.name ?? null } }, `routing: ${s.message}`)
  } }, () => initialState({
    stable: config.stable,
    canary: config.canary ?? null,
    strategy: strategyFromConfig(config.strategy),
    mode: config.mode,
    weightBp: config.weightBp,
    options: { progressDeadlineSeconds: config.progressDeadlineSeconds, progressDeadlineAbort: config.progressDeadlineAbort, gates: analysis.gates },
    now: clock.now(),
  }))
  driverRef = driver
  // A rollout resumed in progress has no change to announce, but its rollback hooks must be polled.
  if (resumed) analysis.notifier.changed(driver.state, [])
  if (resumed) log.info({ store: store.description, phase: driver.state.phase, step: driver.state.stepIndex }, `resumed rollout state from ${store.description}: ${driver.state.message}`)

  // Made once the driver runs, so that what it reports reaches the engine; it then follows
  // every table the driver publishes. The draw behind check jitter is its own: it must not
  // shift a test's seeded sequence of weighted picks.
  const health = new HealthMonitor({
    clock, log, metrics, random: Math.random, dispatcher: agent,
    unavailable: driver.state.unavailable ?? [],
    onVersionHealth: (version, available) => driver.dispatch({ type: 'versionHealth', version, available }),
  }, config.healthCheck, config.outlier)
  health.follow(tables.current)
  tables.onPublish((t) => { health.follow(t) })

  let accepting = false
  const tunnels = new Tunnels()
  let draining = false
  const listenerDeps = { config: settings, tables, agent, metrics, log, random: opts.random ?? Math.random, measurements: analysis.measurements, clock, tunnels }
  const mainDrain = new ListenerDrain('main')
  const previewDrain = new ListenerDrain('preview')
  const main = createListener({ name: 'main', ...listenerDeps, certificates: certificates.main, drain: mainDrain })
  const preview = config.preview === undefined ? null : createListener({ name: 'preview', ...listenerDeps, certificates: certificates.preview, drain: previewDrain })
  const dataPlane = preview === null ? [main] : [main, preview]
  mainDrain.attach(main)
  if (preview !== null) previewDrain.attach(preview)
  const drains = preview === null ? [mainDrain] : [mainDrain, previewDrain]
  // The admin server joins once it exists; a reload cannot run before it answers anyway.
  const servers: { main: DataListener; preview?: DataListener; admin?: FastifyInstance } = { main, ...(preview === null ? {} : { preview }) }
  const reloadTls = (from: Config = settings.current): string[] => {
    const reloaded = reloadCertificates(tlsServersOf(from, servers))
    if (reloaded.length > 0) log.info({ reloaded }, `certificates reloaded: ${reloaded.join(', ')}`)
    return reloaded
  }
  const hooks: ReloadHooks = {
    health: (healthCheck, outlier) => { health.configure(healthCheck, outlier) },
    certificates: (next) => { reloadTls(next); return Promise.resolve() },
  }
  // Every listener takes the client limits; the admin server joins the list once it exists.
  const limited = dataPlane.map((app) => app.server)
  const reload = createReloader({ config: settings, driver, tables, upstream: agent, servers: limited, log, env, draining: () => draining, hooks })
  const admin = await createAdmin({ driver, metrics, log, token, ready: () => accepting, analysis: analysis.view, certificates: certificates.admin, health: () => health.view(), clients: config.clients, reload })
  servers.admin = admin
  limited.push(admin.server)

  const started: Array<{ close(): Promise<unknown> }> = []
  try {
    await admin.listen({ host: config.admin.host, port: config.admin.port })
    started.push(admin)
    await main.listen(config.listen.host, config.listen.port)
    started.push(main)
    if (preview !== null && config.preview !== undefined) {
      await preview.listen(config.preview.host, config.preview.port)
      started.push(preview)
    }
  } catch (err) {
    health.close()
    driver.close()
    await Promise.allSettled(started.map((a) => a.close()))
    await agent.close()
    await store.close()
    throw err
  }
  accepting = true
  const urls = { main: main.url, preview: preview?.url ?? null, admin: serverUrl(admin.server, certificates.admin !== null) }
  log.info({ listen: urls, store: store.description }, `ramp listening: main ${urls.main}${urls.preview === null ? '' : `, preview ${urls.preview}`}, admin ${urls.admin}`)

  let closing: Promise<DrainReport> | null = null
  let cutNow = (): void => undefined
  const cutRequested = new Promise<void>((resolve) => { cutNow = resolve })
  const close = async (): Promise<DrainReport> => {
    accepting = false
    health.close()
    draining = true
    // Upgraded connections are not requests: they end at once, as the drain begins.
    const report = (await Promise.all([drainListeners(drains, { timeoutMs: settings.current.drainTimeoutMs, log, cutNow: cutRequested }), tunnels.closeAll()]))[0]
    // Only now: a request that finished during the drain is still measured, and a verdict or
    // a timer it brought about is still persisted.
    driver.close()
    analysis.notifier.close()
    await closeAgent(agent, report.ended === 'drained' ? settings.current.drainTimeoutMs - report.ms : 0)
    await store.close()
    await admin.close()
    return report
  }
  return {
    get config() { return settings.current },
    driver,
    tables,
    metrics,
    measurements: analysis.measurements,
    health,
    urls,
    reloadTls,
    closeTunnels: () => tunnels.closeAll(),
    reload,
    close: () => (closing ??= close()),
    cutNow: () => { cutNow() },
  }
}

/**
 * After the drain only mirrored copies and a last readiness probe can still be upstream: they
 * may finish within what is left of the drain's time. ramp stops waiting for them after that
 * (the process exits, and they with it); undici cannot cut an agent it was asked to close, so
 * a drain that was cut, or has no time left, cuts them at once instead.
 */
async function closeAgent(agent: SwappableAgent, leftMs: number): Promise<void> {
  if (leftMs <= 0) return agent.destroy()
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, leftMs) })
  await Promise.race([agent.close(), late])
  clearTimeout(timer)
}
