import { rampError, RampError } from '../errors.js'
import type { Logger } from '../log.js'
import type { StateStore, StoredDoc } from '../state/store.js'
import type { Clock } from '../clock.js'
import { reduce } from './reduce.js'
import { tableOf } from './table-of.js'
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
}

export type AnalysisReport = (id: string, result: AnalysisResult, message: string) => void

export interface AnalysisExecutor {
  start(run: AnalysisRef): void
  stop(id: string): void
  stopAll(): void
}

export type Subscriber = (state: RolloutState, entries: HistoryEntry[]) => void

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
    let driver: RolloutDriver
    if (stored !== null) {
      driver = new RolloutDriver(deps, stored)
      await driver.rearm()
    } else {
      const { state, effects } = initial()
      const entries = effects.flatMap((e) => (e.type === 'record' ? [e.entry] : []))
      const doc = { state, history: entries.slice(-historyLimit) }
      await deps.store.save(doc, null)
      driver = new RolloutDriver(deps, doc)
      await deps.publish(driver.published)
      await driver.apply(effects)
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
    this.subscribers.clear()
  }

  private async step(event: EngineEvent): Promise<RolloutState> {
    if (this.closed) throw rampError('RAMP_ERR_STATE_UNAVAILABLE', 'ramp is shutting down; the event was not applied')
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
      await this.deps.store.save(doc, before.revision)
    } catch (err) {
      throw err instanceof RampError ? err : rampError('RAMP_ERR_STATE_UNAVAILABLE', `could not persist the rollout state: ${(err as Error).message}`, { cause: err })
    }
    this.doc = doc
    await this.apply(result.effects)
    this.logEntries(entries)
    for (const fn of this.subscribers) fn(doc.state, entries)
    return doc.state
  }

  private logEntries(entries: HistoryEntry[]): void {
    for (const entry of entries) this.deps.log.info({ rollout: { event: entry.event, actor: entry.actor, from: entry.from, to: entry.to } }, entry.detail)
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
      if (run !== undefined && !this.closed) this.analysis.start(run)
    })
  }

  private startProbe(version: VersionSpec): void {
    this.stopProbe?.()
    this.stopProbe = this.deps.readiness(version, () => {
      this.stopProbe = null
      this.dispatch({ type: 'ready', version: version.name }).catch((err: unknown) => {
        this.deps.log.error({ err, version: version.name }, 'readiness result could not be applied; probing again')
        if (!this.closed) this.startProbe(version)
      })
    })
  }
}
