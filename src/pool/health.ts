import type { Dispatcher } from 'undici'
import type { Config } from '../config/load.js'
import type { Logger } from '../log.js'
import type { Metrics } from '../metrics/registry.js'
import type { Clock } from '../clock.js'
import { afterCheck, freshCheck, statusAccepter } from './active-check.js'
import { isAvailable, type Backend, type HealthSink } from './backend.js'
import { startChecker, type Checker } from './checker.js'
import { healthView, type HealthView } from './health-view.js'
import { endEjection, observeOutcome, type Outcome, type OutlierRules } from './outlier.js'
import type { VersionPool } from './pool.js'
import { probeOnce, type ProbeAnswer } from './probe.js'
import { slowStartShare, slowStartStepMs } from './slow-start.js'

export type HealthCheckRules = Config['healthCheck']

export interface HealthDeps {
  clock: Clock
  log: Logger
  metrics: Metrics
  random: () => number
  /** The shared upstream agent: checks reuse the connections requests use. */
  dispatcher: Dispatcher
  /** A version lost its last available backend, or got one back: the engine is told. */
  onVersionHealth: (version: string, available: boolean) => Promise<unknown>
  /**
   * Versions the stored state says have no available backend (after a restart). Each is
   * told its real state at the first look, so the engine does not wait for a change that
   * already happened.
   */
  unavailable?: readonly string[]
  /** One check of a backend; tests replace it. Defaults to a GET of the check path over `dispatcher`. */
  probe?: (url: string, rules: HealthCheckRules) => Promise<ProbeAnswer>
}

/** What the monitor holds for a backend it follows. */
interface Followed {
  pool: VersionPool
  checker: Checker | null
  /** Cancels the timer that ends the current ejection. */
  ejection: (() => void) | null
  /** Cancels the next slow-start step. */
  ramp: (() => void) | null
}

/**
 * Backend health for the versions of the routing table: active checks, passive ejection
 * and slow start, turned into each pool's `available` list (what the balancer picks from),
 * `ramp_backend_up`, the version availability the engine is told about, and panic mode.
 *
 * It follows the table (`follow` on every publish): every backend of the stable and the
 * canary is checked, and one that leaves the table stops being checked and forgets its
 * state. A backend is available while active checks hold it healthy and it is not ejected;
 * both must agree, so with checks on an ejected backend comes back early once it passed
 * `healthyThreshold` checks after its ejection, and one whose ejection ran out but whose
 * checks still fail stays out.
 */
export class HealthMonitor implements HealthSink {
  private checks: HealthCheckRules
  private outlier: OutlierRules
  private accepts: (status: number) => boolean
  private readonly followed = new Map<Backend, Followed>()
  private pools: VersionPool[] = []
  /** What the engine was last told of each version in the table; absent means available. */
  private readonly told = new Map<string, boolean>()
  private panicking = false
  private closed = false
  private readonly probe: (url: string, rules: HealthCheckRules) => Promise<ProbeAnswer>

  constructor(private readonly deps: HealthDeps, checks: HealthCheckRules, outlier: OutlierRules) {
    this.checks = checks
    this.outlier = outlier
    this.accepts = statusAccepter(checks.expectedStatus)
    this.probe = deps.probe ?? ((url, rules) => probeOnce(url, { path: rules.path, grpc: rules.grpc, timeoutMs: rules.timeoutMs, dispatcher: deps.dispatcher }))
    for (const v of deps.unavailable ?? []) this.told.set(v, false)
  }

  /** True while no version in the table has an available backend. */
  get panic(): boolean {
    return this.panicking
  }

  /** Follows the versions of a (new) routing table. */
  follow(table: { readonly stable: VersionPool; readonly canary: VersionPool | null }): void {
    if (this.closed) return
    const pools = table.canary === null ? [table.stable] : [table.stable, table.canary]
    const seen = new Set<Backend>()
    for (const pool of pools) {
      for (const b of pool.backends) {
        seen.add(b)
        const f = this.followed.get(b)
        if (f !== undefined) {
          f.pool = pool
          continue
        }
        const added: Followed = { pool, checker: null, ejection: null, ramp: null }
        this.followed.set(b, added)
        b.health.sink = this
        added.checker = this.startCheck(b)
        if (b.health.outlier.ejectedUntil !== null) this.armEjectionEnd(b, added)
      }
    }
    for (const [b, f] of this.followed) if (!seen.has(b)) this.unfollow(b, f)
    this.pools = pools
    this.update()
  }

  /**
   * Applies new `healthCheck` and `outlier` settings at run time (config reload). Checks
   * restart with the new settings; turning checks off lets back every backend they held
   * out, turning ejection off ends every ejection. Counters and ejection counts are kept.
   */
  configure(checks: HealthCheckRules, outlier: OutlierRules): void {
    this.checks = checks
    this.outlier = outlier
    this.accepts = statusAccepter(checks.expectedStatus)
    if (this.closed) return
    const now = this.deps.clock.now()
    for (const [b, f] of this.followed) {
      f.checker?.stop()
      const was = isAvailable(b)
      if (!checks.enabled) b.health.check = freshCheck
      if (!outlier.enabled && b.health.outlier.ejectedUntil !== null) this.endEjectionOf(b, f, now)
      f.checker = this.startCheck(b)
      this.changed(b, f, was, 'the health settings changed')
    }
    this.update()
  }

  /** One upstream attempt's outcome (src/pool/observe.ts); on the request path, so it allocates nothing. */
  observe(backend: Backend, outcome: Outcome): void {
    const f = this.followed.get(backend)
    if (f === undefined) return
    const available = f.pool.available
    const others = available.length - (available.includes(backend) ? 1 : 0)
    const now = this.deps.clock.now()
    const h = backend.health
    // Not ejected until now, so it was a candidate if its checks held it healthy.
    const was = h.check.healthy
    if (observeOutcome(h.outlier, outcome, this.outlier, others, now) !== 'ejected') return
    // Only checks passed after the ejection may end it early.
    h.check = { ...h.check, passes: 0 }
    this.armEjectionEnd(backend, f)
    const why = h.outlier.consecutive5xx >= this.outlier.consecutive5xx ? `${h.outlier.consecutive5xx} 5xx in a row` : `${h.outlier.consecutiveConnectFailures} connect failures in a row`
    this.changed(backend, f, was, `ejected for ${(h.outlier.ejectedUntil ?? now) - now} ms after ${why} (ejection ${h.outlier.ejections})`)
    this.update()
  }

  view(): HealthView {
    return healthView(this.pools, this.panicking, this.checks.enabled)
  }

  close(): void {
    this.closed = true
    for (const [b, f] of this.followed) this.unfollow(b, f)
  }

  private startCheck(b: Backend): Checker | null {
    const rules = this.checks
    if (!rules.enabled) return null
    return startChecker({
      clock: this.deps.clock,
      random: this.deps.random,
      intervalMs: rules.intervalMs,
      jitter: rules.jitter,
      probe: () => this.probe(b.url, rules),
      onResult: (answer) => { this.checked(b, answer) },
    })
  }

  private checked(b: Backend, answer: ProbeAnswer): void {
    const f = this.followed.get(b)
    if (f === undefined) return
    const h = b.health
    const now = this.deps.clock.now()
    const ok = answer.passed ?? (answer.status !== null && this.accepts(answer.status))
    h.lastCheck = { at: now, ok, detail: answer.detail }
    const was = isAvailable(b)
    h.check = afterCheck(h.check, ok, this.checks)
    if (h.outlier.ejectedUntil !== null && h.check.passes >= this.checks.healthyThreshold) this.endEjectionOf(b, f, now)
    if (this.changed(b, f, was, ok ? `passed ${h.check.passes} checks in a row` : `failed ${h.check.failures} checks in a row (${answer.detail})`)) this.update()
  }

  private armEjectionEnd(b: Backend, f: Followed): void {
    f.ejection?.()
    const until = b.health.outlier.ejectedUntil
    if (until === null) return
    f.ejection = this.deps.clock.at(until, () => {
      f.ejection = null
      if (this.followed.get(b) !== f) return
      this.endEjectionOf(b, f, this.deps.clock.now())
      if (this.changed(b, f, false, 'its ejection is over')) this.update()
    })
  }

  private endEjectionOf(b: Backend, f: Followed, now: number): void {
    f.ejection?.()
    f.ejection = null
    endEjection(b.health.outlier, now)
  }

  /**
   * Logs a backend that left or rejoined the candidates and starts or stops its slow start.
   * True when its availability changed, so the caller updates the pools.
   */
  private changed(b: Backend, f: Followed, was: boolean, why: string): boolean {
    const now = isAvailable(b)
    if (now === was) return false
    if (now) {
      this.deps.log.info({ health: { version: b.version, backend: b.url } }, `backend ${b.url} of ${b.version} is back: ${why}`)
      this.startSlowStart(b, f)
    } else {
      this.deps.log.warn({ health: { version: b.version, backend: b.url } }, `backend ${b.url} of ${b.version} taken out: ${why}`)
      this.stopSlowStart(b, f)
    }
    return true
  }

  private startSlowStart(b: Backend, f: Followed): void {
    if (this.checks.slowStartMs <= 0) return
    b.health.slowStartSince = this.deps.clock.now()
    b.health.share = slowStartShare(0, this.checks.slowStartMs)
    this.armRampStep(b, f)
  }

  private armRampStep(b: Backend, f: Followed): void {
    const clock = this.deps.clock
    f.ramp = clock.at(clock.now() + slowStartStepMs(this.checks.slowStartMs), () => {
      f.ramp = null
      const h = b.health
      if (h.slowStartSince === null || this.followed.get(b) !== f) return
      h.share = slowStartShare(clock.now() - h.slowStartSince, this.checks.slowStartMs)
      if (h.share < 1) return this.armRampStep(b, f)
      h.slowStartSince = null
    })
  }

  private stopSlowStart(b: Backend, f: Followed): void {
    f.ramp?.()
    f.ramp = null
    b.health.share = 1
    b.health.slowStartSince = null
  }

  private unfollow(b: Backend, f: Followed): void {
    f.checker?.stop()
    f.ejection?.()
    f.ramp?.()
    b.health.sink = null
    this.followed.delete(b)
  }

  /**
   * Tells the engine. If it could not be told (the store is down), what it knows is left as
   * it was, so the next change of the pools tells it again.
   */
  private tell(version: string, available: boolean): void {
    this.deps.onVersionHealth(version, available).catch((err: unknown) => {
      this.deps.log.error({ err, health: { version, available } }, `version health: the engine could not be told that ${version} ${available ? 'is available again' : 'has no available backend'}`)
      if (this.told.get(version) === available) this.told.set(version, !available)
    })
  }

  /** Recomputes each pool's candidates, `ramp_backend_up`, what the engine knows, and panic. */
  private update(): void {
    const { metrics, log } = this.deps
    metrics.backendUp.reset()
    for (const p of this.pools) {
      p.available = p.backends.filter(isAvailable)
      for (const b of p.backends) metrics.backendUp.set({ version: p.name, backend: b.url }, isAvailable(b) ? 1 : 0)
    }
    for (const name of [...this.told.keys()]) if (!this.pools.some((p) => p.name === name)) this.told.delete(name)
    for (const p of this.pools) {
      const up = p.available.length > 0
      if ((this.told.get(p.name) ?? true) === up) continue
      this.told.set(p.name, up)
      this.tell(p.name, up)
    }
    const panic = this.pools.every((p) => p.available.length === 0)
    if (panic === this.panicking) return
    this.panicking = panic
    metrics.panic.set(panic ? 1 : 0)
    if (panic) log.warn({ health: { panic } }, `panic: no version has an available backend (${this.pools.map((p) => p.name).join(', ')}); traffic goes by weight to every backend as if healthy`)
    else log.info({ health: { panic } }, 'panic over: a version has an available backend again')
  }
}
