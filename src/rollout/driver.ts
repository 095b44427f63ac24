import { rampError, RampError } from '../errors.js'
import type { Logger } from '../log.js'
import type { StateStore, StoredDoc } from '../state/store.js'
import type { Clock } from '../clock.js'
import { reduce } from './reduce.js'
import { sameTable, tableOf } from './table-of.js'
import { probing } from './phase.js'
import type { TableSpec } from '../routing/spec.js'
import type { AnalysisRef, AnalysisResult, Effect, EngineEvent, HistoryEntry, RolloutState, VersionSpec } from './types.js'
import { nextWakeAt } from './wake.js'

export const historyLimit = 200

export interface ReadinessStarter {
  /** Starts probing `version`; calls `onReady` once every backend is ready. Returns a stop function. */
  (version: VersionSpec, onReady: () => void): () => void
}

export interface DriverDeps {
  store: StateStore
  clock: Clock
  log: Logger
  readiness: ReadinessStarter
  /**
   * Hands the data planes the routing table a state calls for; resolves once every one of
   * them applied it, which the verb that changed it waits for.
   */
  publish: (table: TableSpec) => Promise<void>
  /** Hears of every persisted change from the first one on (the start of a rollout from the config included). */
  observe?: Subscriber
  /** Makes what carries out analysis runs; it reports each verdict through `report` and reads the state in force through `state`. */
  analysis: (report: AnalysisReport, state: () => RolloutState) => AnalysisExecutor
  /**
   * In a fleet: this instance's lease token while it leads, null while it follows. Only the
   * leader runs the clock (timers, readiness probes, analysis runs), from the state alone,
   * and its own events are written fenced by the token. Without it the driver always leads.
   */
  leader?: () => number | null
}

export type AnalysisReport = (id: string, result: AnalysisResult, message: string) => void

export interface AnalysisExecutor {
  start(run: AnalysisRef): void
  stop(id: string): void
  stopAll(): void
}

export type Subscriber = (state: RolloutState, entries: HistoryEntry[]) => void

/** A compare-and-set lost to another instance is tried again on the state it wrote, this many times. */
const conflictRetries = 5

/** Events of the rollout's clock: in a fleet only the leader writes them. */
const clockEvents: ReadonlySet<EngineEvent['type']> = new Set(['tick', 'ready', 'analysisResult'])

/**
 * Runs the pure engine: feeds it one event at a time (admin verbs, timers, readiness),
 * persists the result before anyone hears of it, then carries out the effects. Events are
 * serialised through one queue so two admin calls never reduce the same state twice.
 */
export class RolloutDriver {
  private doc: StoredDoc
  private published: TableSpec
  private queue: Promise<unknown> = Promise.resolve()
  private cancelTimer: (() => void) | null = null
  private stopProbe: (() => void) | null = null
  private readonly subscribers = new Set<Subscriber>()
  private closed = false
  private readonly analysis: AnalysisExecutor
  /** In a fleet: the analysis runs this instance carries out, reconciled with the state's. */
  private readonly running = new Map<string, AnalysisRef>()
  /** The version the readiness probe in progress probes. */
  private probed: string | null = null
  /** In a fleet that could not be reached at start: the state is the config's, never stored, and changes wait for the store. */
  private detached = false

  private constructor(private readonly deps: DriverDeps, doc: StoredDoc) {
    this.doc = doc
    this.published = tableOf(doc.state)
    this.analysis = deps.analysis((id, result, message) => { this.analysisResult(id, result, message) }, () => this.doc.state)
    if (deps.observe !== undefined) this.subscribers.add(deps.observe)
  }

  /**
   * Resumes the stored state, or persists `initial` when the store is empty. Whatever was
   * pending (a readiness wait, a timer) is re-armed, and a `tick` fires deadlines that passed
   * while ramp was down.
   */
  static async start(deps: DriverDeps, initial: () => { state: RolloutState; effects: Effect[] }): Promise<{ driver: RolloutDriver; resumed: boolean }> {
    const stored = await deps.store.load()
    return RolloutDriver.from(deps, stored, initial)
  }

  /**
   * A fleet instance whose store cannot be reached at start: it serves the config's stable
   * version alone and refuses changes until `resync` reaches the store.
   */
  static async detached(deps: DriverDeps, initial: () => { state: RolloutState; effects: Effect[] }): Promise<RolloutDriver> {
    const driver = new RolloutDriver(deps, { state: initial().state, history: [] })
    driver.detached = true
    const s = driver.doc.state
    driver.published = tableOf({ ...s, canary: null, weightBp: 0 })
    await deps.publish(driver.published)
    return driver
  }

  private static async from(deps: DriverDeps, stored: StoredDoc | null, initial: () => { state: RolloutState; effects: Effect[] }): Promise<{ driver: RolloutDriver; resumed: boolean }> {
    let driver: RolloutDriver
    if (stored !== null) {
      driver = new RolloutDriver(deps, stored)
      await driver.rearm()
    } else {
      const { state, effects } = initial()
      const entries = effects.flatMap((e) => (e.type === 'record' ? [e.entry] : []))
      const doc = { state, history: entries.slice(-historyLimit) }
      try {
        await deps.store.save(doc, null)
      } catch (err) {
        // Another instance of a fleet, started at the same moment, stored its state first.
        const now = err instanceof RampError && err.code === 'RAMP_ERR_STATE_CONFLICT' ? await deps.store.load() : null
        if (now === null) throw err
        return RolloutDriver.from(deps, now, initial)
      }
      driver = new RolloutDriver(deps, doc)
      await deps.publish(driver.published)
      await driver.carryOut(effects)
      driver.logEntries(entries)
      for (const fn of driver.subscribers) fn(state, entries)
    }
    await driver.dispatch({ type: 'tick' })
    return { driver, resumed: stored !== null }
  }

  get state(): RolloutState {
    return this.doc.state
  }

  /** The routing table last published. */
  get table(): TableSpec {
    return this.published
  }

  get history(): readonly HistoryEntry[] {
    return this.doc.history
  }

  /** Applies one event. Resolves with the new state once it is persisted; rejects with a RampError when refused. */
  dispatch(event: EngineEvent): Promise<RolloutState> {
    const run = this.queue.then(() => this.step(event))
    this.queue = run.catch(() => undefined)
    return run
  }

  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn)
    return () => this.subscribers.delete(fn)
  }

  close(): void {
    this.closed = true
    this.cancelTimer?.()
    this.stopProbe?.()
    this.analysis.stopAll()
    this.running.clear()
    this.subscribers.clear()
  }

  private async step(event: EngineEvent): Promise<RolloutState> {
    if (this.closed) throw rampError('RAMP_ERR_STATE_UNAVAILABLE', 'ramp is shutting down; the event was not applied')
    const fleet = this.deps.leader !== undefined
    // In a fleet the state here may be behind the stored one: decide on the stored one, and
    // refuse (503) when it cannot be read rather than judge a verb on a stale state.
    if (fleet) await this.sync()
    const fence = fleet && clockEvents.has(event.type) ? this.deps.leader?.() ?? null : undefined
    // A follower's clock has nothing to say: the leader's runs the rollout.
    if (fence === null) return this.doc.state
    for (let attempt = 0; ; attempt++) {
      const before = this.doc.state
      const result = reduce(before, event, this.deps.clock.now())
      if (!result.ok) {
        const { code, message, phase, allowed } = result.error
        throw rampError(code, message, { details: { phase, allowed } })
      }
      if (!result.changed) return before
      const entries = result.effects.flatMap((e) => (e.type === 'record' ? [e.entry] : []))
      const doc: StoredDoc = { state: result.state, history: [...this.doc.history, ...entries].slice(-historyLimit) }
      try {
        await this.deps.store.save(doc, before.revision, fence === undefined ? {} : { fence })
      } catch (err) {
        if (!(err instanceof RampError)) throw rampError('RAMP_ERR_STATE_UNAVAILABLE', `could not persist the rollout state: ${(err as Error).message}`, { cause: err })
        // Another instance wrote first: the event is decided again on what it wrote.
        if (fleet && err.code === 'RAMP_ERR_STATE_CONFLICT') {
          await this.sync()
          if (fence === undefined && attempt < conflictRetries) continue
        }
        throw err
      }
      this.doc = doc
      await this.carryOut(result.effects)
      this.logEntries(entries)
      for (const fn of this.subscribers) fn(doc.state, entries)
      return doc.state
    }
  }

  /**
   * In a fleet: reads the stored state and takes it when another instance changed it (a
   * change published, a reconnect, a lost compare-and-set): the table, the leader's clock and
   * the subscribers follow. Rejects when the store cannot be read.
   */
  resync(): Promise<void> {
    const run = this.queue.then(() => this.sync())
    this.queue = run.catch(() => undefined)
    return run
  }

  private async sync(): Promise<void> {
    if (this.closed) return
    if (this.detached) return this.attach()
    const stored = await this.deps.store.load()
    if (stored !== null) await this.adopt(stored)
  }

  /** The revision in force here, which a fleet compares with the stored one. */
  get revision(): number {
    return this.detached ? -1 : this.doc.state.revision
  }

  /** Leadership changed (a fleet): the clock starts from the state alone, or stops. */
  leadershipChanged(): void {
    this.reconcile()
    if (this.deps.leader?.() != null) this.dispatch({ type: 'tick' }).catch((err: unknown) => { this.deps.log.error({ err }, `rollout tick on taking the lead failed: ${(err as Error).message}`) })
  }

  /** The store answered at last: its state replaces the config's, or the config's is stored when it holds none. */
  private async attach(): Promise<void> {
    const stored = await this.deps.store.load()
    if (stored === null) {
      try {
        await this.deps.store.save(this.doc, null)
      } catch (err) {
        if (!(err instanceof RampError && err.code === 'RAMP_ERR_STATE_CONFLICT')) throw err
        const now = await this.deps.store.load()
        if (now === null) throw err
        this.detached = false
        await this.adopt(now)
        return
      }
      this.detached = false
      await this.adopt(this.doc, true)
      return
    }
    this.detached = false
    await this.adopt(stored)
  }

  private async adopt(stored: StoredDoc, fresh = false): Promise<void> {
    if (!fresh && stored.state.revision === this.doc.state.revision) return
    const mine = this.doc.history
    const last = mine[mine.length - 1]
    const at = last === undefined ? -1 : stored.history.findLastIndex((e) => e.at === last.at && e.event === last.event && e.detail === last.detail)
    const entries = fresh ? stored.history : stored.history.slice(at + 1)
    this.doc = stored
    const table = tableOf(stored.state)
    let applied: Promise<void> = Promise.resolve()
    if (fresh || !sameTable(table, this.published)) {
      this.published = table
      applied = this.deps.publish(table)
    }
    this.reconcile()
    this.logEntries(entries)
    for (const fn of this.subscribers) fn(stored.state, entries)
    await applied
  }

  /**
   * In a fleet, the leader's timer, readiness probe and analysis runs are what the state in
   * force calls for, whoever changed it; a follower runs none of them.
   */
  private reconcile(): void {
    if (this.deps.leader === undefined) return
    const s = this.doc.state
    const leading = this.deps.leader() !== null && !this.detached && !this.closed
    this.setTimer(leading ? nextWakeAt(s) : null)
    const probe = leading && s.canary !== null && probing(s) ? s.canary : null
    if (probe === null) {
      this.stopProbe?.()
      this.stopProbe = null
      this.probed = null
    } else if (this.probed !== probe.name || this.stopProbe === null) {
      this.startProbe(probe)
    }
    const wanted = new Map(leading ? (s.analysisRuns ?? []).map((r) => [r.id, r]) : [])
    for (const id of this.running.keys()) {
      if (wanted.has(id)) continue
      this.analysis.stop(id)
      this.running.delete(id)
    }
    for (const [id, run] of wanted) {
      if (this.running.has(id)) continue
      this.running.set(id, run)
      this.analysis.start(run)
    }
  }

  private logEntries(entries: HistoryEntry[]): void {
    for (const entry of entries) this.deps.log.info({ rollout: { event: entry.event, actor: entry.actor, from: entry.from, to: entry.to } }, entry.detail)
  }

  /** In a fleet the clock's effects are the leader's, from the state alone (`reconcile`); the rest are carried out here. */
  private async carryOut(effects: Effect[]): Promise<void> {
    if (this.deps.leader === undefined) return this.apply(effects)
    await this.apply(effects.filter((e) => e.type === 'publish' || e.type === 'record'))
    this.reconcile()
  }

  /** Carries out the effects in order; resolves once a table they publish is applied everywhere. */
  private async apply(effects: Effect[]): Promise<void> {
    let applied: Promise<void> = Promise.resolve()
    for (const e of effects) {
      switch (e.type) {
        case 'publish':
          this.published = e.table
          applied = this.deps.publish(e.table)
          break
        case 'timer':
          this.setTimer(e.at)
          break
        case 'probeReadiness':
          this.startProbe(e.version)
          break
        case 'stopReadiness':
          this.stopProbe?.()
          this.stopProbe = null
          break
        case 'startAnalysis':
          this.analysis.start(e.run)
          break
        case 'stopAnalysis':
          this.analysis.stop(e.id)
          break
        case 'record':
          break
      }
    }
    await applied
  }

  /** After a restart: the table, the timer and a readiness wait come back from the state alone. */
  private async rearm(): Promise<void> {
    const s = this.doc.state
    await this.deps.publish(this.published)
    if (this.deps.leader !== undefined) {
      this.reconcile()
      return
    }
    this.setTimer(nextWakeAt(s))
    if (s.canary !== null && probing(s)) this.startProbe(s.canary)
    // A run's measurements live in memory only: after a restart it starts again from its
    // first measurement, under the same id, so the engine still recognises its result.
    for (const run of s.analysisRuns ?? []) this.analysis.start(run)
  }

  private setTimer(at: number | null): void {
    this.cancelTimer?.()
    this.cancelTimer = at === null ? null : this.deps.clock.at(at, () => { this.onTimer() })
  }

  private onTimer(): void {
    this.dispatch({ type: 'tick' }).catch((err: unknown) => {
      // A tick that cannot be persisted must not be lost: try again shortly.
      this.deps.log.error({ err }, 'rollout timer could not be applied; retrying in 1s')
      if (!this.closed) this.setTimer(this.deps.clock.now() + 1000)
    })
  }

  /** The runner's verdict on a run, as an engine event; a late one for a stopped run is a no-op there. */
  private analysisResult(id: string, result: AnalysisResult, message: string): void {
    this.dispatch({ type: 'analysisResult', id, result, message }).catch((err: unknown) => {
      this.deps.log.error({ err, analysis: id }, 'analysis result could not be applied; the run starts again')
      const run = this.doc.state.analysisRuns?.find((r) => r.id === id)
      if (run !== undefined && !this.closed && this.deps.leader?.() !== null) this.analysis.start(run)
    })
  }

  private startProbe(version: VersionSpec): void {
    this.stopProbe?.()
    this.probed = version.name
    this.stopProbe = this.deps.readiness(version, () => {
      this.stopProbe = null
      this.probed = null
      this.dispatch({ type: 'ready', version: version.name }).catch((err: unknown) => {
        this.deps.log.error({ err, version: version.name }, 'readiness result could not be applied; probing again')
        if (!this.closed) this.startProbe(version)
      })
    })
  }
}
