import cluster, { type Worker } from 'node:cluster'
import { finished } from 'node:stream/promises'
import type { Measurements } from '../analysis/window.js'
import { noHealth, type HealthView } from '../pool/health-view.js'
import type { CurrentConfig } from '../config/current.js'
import type { Config } from '../config/load.js'
import type { DrainReport } from '../lifecycle/shutdown.js'
import type { LineSink, Logger } from '../log.js'
import { exposition } from '../metrics/exposition.js'
import { retire, sumMetrics, type MetricsJson } from '../metrics/sum.js'
import type { RoutingSpec } from '../routing/spec.js'
import type { Link, UpEvent } from './link.js'
import { relayLines } from './log-relay.js'
import { restartDelayMs } from './restart-backoff.js'
import { isFromWorker, type FromWorker, type ToWorker } from './messages.js'

/** A worker that has not applied a spec this long after it was sent is killed (and replaced). */
const ackTimeoutMs = 5000
/** How long an on-demand report may take before what was last reported is used. */
const collectTimeoutMs = 1000

interface Member {
  readonly worker: Worker
  readonly startedAt: number
  /** `starting`: forked, not yet sent its spec; `applying`: has a table, not yet listening. */
  state: 'starting' | 'applying' | 'serving'
  /** The newest spec version it applied. */
  applied: number
  /** The newest reload it applied. */
  configured: number
  /** What it said of each version's health; a version it said nothing of counts as what it was told at start. */
  votes: Map<string, boolean>
  metrics: MetricsJson | null
  health: HealthView | null
  reported: Array<() => void>
  drained: DrainReport | null
}

export interface WorkersLinkDeps {
  count: number
  log: Logger
  /** Where the workers' log lines go: the primary's own log destination (log-relay.ts). */
  lines: LineSink
  /** The config in force as a worker is to get it. */
  settings: Pick<CurrentConfig, 'current'>
  /** The primary's windows: every worker's reports are added into them. */
  measurements: Measurements
  /** Awaited before a worker is sent its config: the ports the primary holds for the workers are let go. */
  beforeInit?: () => Promise<void>
}

/** What the control plane is to the link: where a worker's spec comes from, and who hears its events. */
export interface LinkedControl {
  readonly spec: RoutingSpec
  unavailable(): readonly string[]
  heard(event: UpEvent): Promise<unknown>
}

/**
 * The primary's side of the workers: forks them (node:cluster shares the listening sockets),
 * answers each one's `hello` with the current spec, sends every new spec and resolves a
 * publish once every worker in service applied it, restarts a worker that dies (with
 * backoff), adds up what they report, and orders their drain.
 */
export class WorkersLink implements Link {
  private readonly members = new Map<number, Member>()
  private control: LinkedControl | null = null
  private readonly acks = new Set<{ done: (m: Member) => boolean; resolve: () => void }>()
  /** Reloads sent to the workers so far. */
  private reloads = 0
  /** The counters and histograms of workers that died, so totals never go backwards. */
  private retired: MetricsJson[] = []
  /** What the engine was last told of each version's health. */
  private readonly told = new Map<string, boolean>()
  private stopping = false
  /** The wait before the last restart; 0 before any. */
  private backoffMs = 0
  private firstStart: { failed: (err: Error) => void; serving: () => void } | null = null

  constructor(private readonly deps: WorkersLinkDeps) {}

  /** Workers serving now; the primary is ready while there is one. */
  get serving(): number {
    let n = 0
    for (const m of this.members.values()) if (m.state === 'serving') n++
    return n
  }

  /** Forks the workers; resolves once every one listens, rejects (stopping them) when one cannot. */
  start(control: LinkedControl): Promise<void> {
    this.control = control
    for (const v of control.unavailable()) this.told.set(v, false)
    cluster.on('message', (worker, m: unknown) => { if (isFromWorker(m)) this.heard(worker, m) })
    cluster.on('exit', (worker, code, signal) => { this.exited(worker, code, signal) })
    cluster.setupPrimary({ stdio: ['ignore', 'pipe', 'inherit', 'ipc'] })
    return new Promise<void>((resolve, reject) => {
      this.firstStart = {
        serving: () => { if (this.serving === this.deps.count) { this.firstStart = null; resolve() } },
        failed: (err) => {
          this.firstStart = null
          this.stopping = true
          for (const m of this.members.values()) m.worker.kill()
          reject(err)
        },
      }
      for (let i = 0; i < this.deps.count; i++) this.fork()
    })
  }

  publish(spec: RoutingSpec): Promise<void> {
    const waiting = [...this.members.values()].filter((m) => m.state !== 'starting')
    for (const m of waiting) this.send(m, { ramp: 'spec', spec })
    return this.acked((m) => m.applied >= spec.version, `routing spec ${spec.version}`)
  }

  /** Asks every serving worker for its report now, and waits for them (or for `collectTimeoutMs`). */
  collect(): Promise<void> {
    const serving = [...this.members.values()].filter((m) => m.state === 'serving')
    if (serving.length === 0) return Promise.resolve()
    return new Promise<void>((resolve) => {
      let left = serving.length
      const timer = setTimeout(resolve, collectTimeoutMs)
      for (const m of serving) {
        m.reported.push(() => { if (--left === 0) { clearTimeout(timer); resolve() } })
        this.send(m, { ramp: 'report' })
      }
    })
  }

  /** The host's /metrics: the primary's own, every worker's last report and what dead workers left, added up. */
  async metricsText(own: MetricsJson): Promise<string> {
    await this.collect()
    if (this.retired.length > 1) this.retired = [retire(await sumMetrics(this.retired.map((metrics) => ({ worker: 'retired', metrics }))).getMetricsAsJSON())]
    const parts = [{ worker: 'primary', metrics: own }, ...this.retired.map((metrics) => ({ worker: 'retired', metrics }))]
    for (const [id, m] of this.members) if (m.metrics !== null) parts.push({ worker: String(id), metrics: m.metrics })
    return exposition(sumMetrics(parts))
  }

  /** Backend health as the first serving worker last reported it (every worker checks the same backends). */
  healthView(): HealthView {
    const ids = [...this.members.keys()].sort((a, b) => a - b)
    for (const id of ids) {
      const m = this.members.get(id)
      if (m?.state === 'serving' && m.health !== null) return m.health
    }
    return noHealth
  }

  /** Sends a reload's config to every worker; resolves once each applied it, as a routing change does. */
  reconfigure(config: Config, changed: readonly string[]): Promise<void> {
    const seq = ++this.reloads
    for (const m of this.members.values()) if (m.state !== 'starting') this.send(m, { ramp: 'reconfigure', seq, config, changed: [...changed] })
    return this.acked((m) => m.configured >= seq, `reload ${seq}`)
  }

  /** Drains every worker; resolves with their reports added up once all of them ended. */
  async drain(cutNow: Promise<void>): Promise<DrainReport> {
    this.stopping = true
    const started = Date.now()
    const members = [...this.members.values()]
    const exits = members.map((m) => Promise.all([
      new Promise<void>((resolve) => {
        if (m.worker.isDead()) resolve()
        else m.worker.once('exit', () => resolve())
      }),
      // Its last log lines, relayed before the primary exits.
      m.worker.process.stdout === null ? null : finished(m.worker.process.stdout).catch(() => undefined),
    ]))
    for (const m of members) this.send(m, { ramp: 'drain' })
    void cutNow.then(() => { for (const m of members) this.send(m, { ramp: 'cut' }) })
    // A worker that neither drains nor dies is ended once its own deadline has long passed.
    const stuck = setTimeout(() => { for (const m of members) if (!m.worker.isDead()) m.worker.process.kill('SIGKILL') }, this.deps.settings.current.drainTimeoutMs + 5000)
    await Promise.all(exits)
    clearTimeout(stuck)
    return sumReports(members.flatMap((m) => (m.drained === null ? [] : [m.drained])), Date.now() - started)
  }

  private fork(): void {
    const worker = cluster.fork({ RAMP_WORKER: '1' })
    if (worker.process.stdout !== null) relayLines(worker.process.stdout, this.deps.lines)
    this.members.set(worker.id, { worker, startedAt: Date.now(), state: 'starting', applied: 0, configured: 0, votes: new Map(), metrics: null, health: null, reported: [], drained: null })
  }

  private heard(worker: Worker, m: FromWorker): void {
    const member = this.members.get(worker.id)
    const control = this.control
    if (member === undefined || control === null) return
    switch (m.ramp) {
      case 'hello':
        void (this.deps.beforeInit?.() ?? Promise.resolve()).then(() => {
          if (this.members.get(worker.id) !== member) return
          const unavailable = [...control.unavailable()]
          member.votes = new Map(unavailable.map((v) => [v, false]))
          member.state = 'applying'
          member.configured = this.reloads
          this.send(member, { ramp: 'init', config: this.deps.settings.current, spec: control.spec, unavailable })
        })
        break
      case 'applied':
        member.applied = Math.max(member.applied, m.version)
        this.settle()
        break
      case 'reconfigured':
        member.configured = Math.max(member.configured, m.seq)
        this.settle()
        break
      case 'listening':
        member.state = 'serving'
        this.deps.log.info({ worker: { id: worker.id, pid: worker.process.pid } }, `worker ${worker.id} (pid ${worker.process.pid}) serving`)
        this.firstStart?.serving()
        break
      case 'failed': {
        const err = Object.assign(new Error(m.message), { code: m.code })
        if (this.firstStart !== null) this.firstStart.failed(err)
        break
      }
      case 'up':
        member.votes.set(m.event.version, m.event.available)
        this.judge(m.event.version)
        break
      case 'report':
        this.deps.measurements.add(m.windows)
        member.metrics = m.metrics
        member.health = m.health
        for (const done of member.reported.splice(0)) done()
        break
      case 'drained':
        member.drained = m.report
        break
    }
  }

  private exited(worker: Worker, code: number | null, signal: string | null): void {
    const member = this.members.get(worker.id)
    if (member === undefined) return
    this.members.delete(worker.id)
    if (member.metrics !== null) this.retired.push(retire(member.metrics))
    for (const done of member.reported.splice(0)) done()
    this.settle()
    for (const version of member.votes.keys()) this.judge(version)
    if (this.stopping || this.firstStart !== null && member.state !== 'serving') {
      if (this.firstStart !== null) this.firstStart.failed(new Error(`worker ${worker.id} exited (${signal ?? `code ${code}`}) before it listened`))
      return
    }
    const lived = Date.now() - member.startedAt
    this.backoffMs = restartDelayMs(this.backoffMs, lived)
    this.deps.log.error({ worker: { id: worker.id, pid: worker.process.pid, code, signal, livedMs: lived, restartInMs: this.backoffMs } },
      `worker ${worker.id} (pid ${worker.process.pid}) died (${signal ?? `exit code ${code}`}) after ${lived} ms; the others keep serving; a new one starts in ${this.backoffMs} ms`)
    setTimeout(() => { if (!this.stopping) this.fork() }, this.backoffMs).unref()
  }

  /**
   * Resolves once every worker with a table has done what `done` checks; one that has not
   * within ackTimeoutMs is killed (its replacement starts from the spec and config in force).
   */
  private acked(done: (m: Member) => boolean, what: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const entry = { done, resolve: () => { clearTimeout(timer); this.acks.delete(entry); resolve() } }
      const timer = setTimeout(() => {
        for (const m of this.members.values()) {
          if (m.state === 'starting' || done(m)) continue
          this.deps.log.error({ worker: { id: m.worker.id, pid: m.worker.process.pid } }, `worker ${m.worker.id} did not apply ${what} within ${ackTimeoutMs} ms; killing it`)
          m.worker.process.kill('SIGKILL')
        }
      }, ackTimeoutMs)
      this.acks.add(entry)
      this.settle()
    })
  }

  private settle(): void {
    for (const entry of this.acks) {
      if ([...this.members.values()].every((m) => m.state === 'starting' || entry.done(m))) entry.resolve()
    }
  }

  /** A version is available while any worker in service sees an available backend of it; the engine hears of a change. */
  private judge(version: string): void {
    const voters = [...this.members.values()].filter((m) => m.state !== 'starting')
    if (voters.length === 0 || this.control === null) return
    const available = voters.some((m) => m.votes.get(version) ?? true)
    if ((this.told.get(version) ?? true) === available) return
    this.told.set(version, available)
    this.control.heard({ type: 'versionHealth', version, available }).catch((err: unknown) => {
      this.deps.log.error({ err, health: { version, available } }, `version health: the engine could not be told that ${version} ${available ? 'is available again' : 'has no available backend'}`)
      this.told.set(version, !available)
    })
  }

  private send(m: Member, message: ToWorker): void {
    if (m.worker.isConnected()) m.worker.send(message)
  }
}

const endings: ReadonlyArray<DrainReport['ended']> = ['drained', 'deadline', 'signal']

function sumReports(reports: readonly DrainReport[], ms: number): DrainReport {
  return {
    ms,
    inFlightAtStart: reports.reduce((n, r) => n + r.inFlightAtStart, 0),
    completed: reports.reduce((n, r) => n + r.completed, 0),
    cut: reports.reduce((n, r) => n + r.cut, 0),
    connectionsCut: reports.reduce((n, r) => n + r.connectionsCut, 0),
    ended: reports.reduce<DrainReport['ended']>((worst, r) => (endings.indexOf(r.ended) > endings.indexOf(worst) ? r.ended : worst), 'drained'),
  }
}
