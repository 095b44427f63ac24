import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { LevelWithSilent } from 'pino'
import type { Ramp } from '../../../src/ramp.js'
import type { Clock } from '../../../src/clock.js'
import { createMemoryStore } from '../../../src/state/memory.js'
import type { StateStore } from '../../../src/state/store.js'
import { seeded } from '../prng.js'
import { AdminClient, type HistoryEntry, type RolloutView } from './admin.js'
import { cluster, type Cluster } from './cluster.js'
import { settle, type Settling } from './config.js'
import { eventually } from './eventually.js'
import { startInProcess } from './in-process.js'
import { accessLines, captureLog, logLines, type AccessLine, type LogLine } from './logs.js'
import { sumOf } from './metrics.js'
import { listening, spawnRamp, terminate, type Exit, type Spawned, type Urls } from './process.js'
import { documentReady } from './openapi.js'
import { connection, countVersions, load, send, sequence, type Answer, type Connection, type Load, type Send } from './traffic.js'

export interface WorldOptions {
  /** The config as YAML (`release` writes the usual one). Listeners go on 127.0.0.1, port 0, unless it names them. */
  config: string
  /** Run `bin/ramp.js serve -c <file>` as a child process instead of ramp in this process. */
  process?: boolean
  /** Data-plane processes. Above 1 the config gets `workers: N` and ramp runs as a process. */
  workers?: number
  /** ramp's environment (RAMP_ADMIN_TOKEN, NODE_OPTIONS...): a process gets PATH and this, nothing of the test's. */
  env?: NodeJS.ProcessEnv
  /** ramp logs at this level, and `logs()` reads it. Unless asked, ramp in this process logs nothing. */
  logLevel?: LevelWithSilent
  /** Process only: more `ramp serve` flags, such as `--reset-state`. */
  flags?: string[]
  /** Process only: the bytes of the state file ramp starts from (one it could have written, or not). */
  stateFile?: string

  // In-process only: each reaches into the one process, so a world of processes refuses them.
  /** Seeds the draw behind weighted picks and P2C, so a statistical test draws the same numbers every run. */
  seed?: number
  /** Time for the engine's timers, moved by hand (test/support/manual-clock.ts). */
  clock?: Clock
  /** The state store (a memory one unless given), e.g. one that outlives a restart. */
  store?: StateStore
  /** Parse the config as text with no file behind it, as the demo's (nothing to reload). */
  embedded?: boolean
}

const inProcessOnly = ['seed', 'clock', 'store', 'embedded'] as const

export type Listener = 'main' | 'preview'

/**
 * ramp under test, started in this process or as a process: the same API either way, and
 * every read goes through ramp's own listeners and admin API. What only a ramp in this
 * process has (`ramp`) and what only a process has (`proc`, and with workers `cluster`)
 * refuse the other mode by name.
 */
export interface World {
  readonly mode: 'in-process' | 'process'
  readonly workers: number
  readonly urls: Urls
  readonly admin: AdminClient
  /** The folder of the config file (and, in a process, of `state.json`), removed after the test. */
  readonly dir: string
  readonly configPath: string
  /** Where a process keeps its state, unless the config names another file. */
  readonly statePath: string
  /** Rewrites the config file, its listeners settled as at the start: what a reload then reads. */
  writeConfig(yaml: string): void

  rollout(): Promise<RolloutView>
  history(): Promise<HistoryEntry[]>
  /** Reads the rollout until `ok` holds and returns that view; the error names the last one. */
  until(what: string, ok: (v: RolloutView) => boolean, timeoutMs?: number): Promise<RolloutView>
  /** Waits for a phase (and reason), for transitions that timers, probes or analysis make. */
  eventually(phase: string, reason?: string, timeoutMs?: number): Promise<RolloutView>
  /** Waits until the canary (this one, if named) is in the routing table: it passed readiness. */
  routed(name?: string, timeoutMs?: number): Promise<RolloutView>

  /** `n` GETs over `connections` keep-alive connections to a listener, counted by serving version; each must answer 200. */
  count(n: number, opts?: { listener?: Listener; connections?: number; path?: string }): Promise<Record<string, number>>
  /** `n` GETs one after another on one fresh connection to the main listener, their versions in order. */
  sequence(n: number, headers?: Record<string, string>, path?: string): Promise<string[]>
  /** A keep-alive connection to a listener, kept for the test (one process serves all of it). */
  connection(listener?: Listener): Connection
  /** One request through the main listener. */
  send(path?: string, opts?: Send): Promise<Answer>
  /** Clients sending GETs through a listener until stopped (and after the test). */
  load(opts?: { listener?: Listener; connections?: number; maxMs?: number; path?: string }): Load

  metrics(): Promise<string>
  /** The sum of a metric's samples whose labels include `labels`, from /metrics now. */
  metric(name: string, labels?: Record<string, string>): Promise<number>
  /**
   * The same sum once it reads `want`, or what it reads after `timeoutMs`: a count that
   * workers report to the primary may lag the traffic that made it.
   */
  metricReaches(name: string, labels: Record<string, string>, want: number, timeoutMs?: number): Promise<number>
  /** ramp's JSON log lines so far (see `logLevel`). */
  logs(): LogLine[]
  access(): AccessLine[]

  /** Stops ramp: close() in this process, SIGTERM and the exit for a process. Also done after the test. */
  stop(): Promise<void>
  /** A new ramp on the same config file and state (the store, or the state file), after this one stopped; `flags` are the new start's only. */
  restart(more?: Pick<WorldOptions, 'flags'>): Promise<World>

  /** In-process only: the running ramp, for what no listener shows (tables, windows, reloadTls). */
  readonly ramp: Ramp
  /** Process only: the child, its output, signals and exit. */
  readonly proc: Spawned
  /** Process with workers only: the worker processes, their pids, sockets and access lines. */
  readonly cluster: Cluster
}

/** Where a world's ramps keep their config and state; it outlives a restart, and goes after the test. */
interface Home {
  dir: string
  configPath: string
  statePath: string
  store: StateStore
  running: Set<() => Promise<void>>
}

const processOnly = ['flags', 'stateFile'] as const

/** How a world runs ramp, for messages: "as a process (workers: 2)", "in the test process". */
const where = (asProcess: boolean, workers: number): string => (asProcess ? `as a process${workers > 1 ? ` (workers: ${workers})` : ''}` : 'in the test process')

/** The folder a world's ramps share, with the settled config (and a state file) in it; gone after the test. */
function home(t: TestContext, opts: WorldOptions, asProcess: boolean, workers: number): Home {
  const refused = (asProcess ? inProcessOnly : processOnly).filter((k) => opts[k] !== undefined)
  if (refused.length > 0) throw new Error(`${refused.join(', ')}: ${asProcess ? 'in-process' : 'process'} only, and this world runs ramp ${where(asProcess, workers)}${asProcess ? '; read what you need through the admin API' : ''}`)
  const dir = mkdtempSync(join(tmpdir(), 'ramp-world-'))
  const h: Home = { dir, configPath: join(dir, 'ramp.yaml'), statePath: join(dir, 'state.json'), store: opts.store ?? createMemoryStore(), running: new Set() }
  t.after(async () => {
    await Promise.all([...h.running].map((stop) => stop()))
    rmSync(dir, { recursive: true, force: true })
  })
  writeFileSync(h.configPath, settle(opts.config, settling(opts, asProcess, workers)))
  if (opts.stateFile !== undefined) writeFileSync(h.statePath, opts.stateFile)
  return h
}

const settling = (opts: WorldOptions, asProcess: boolean, workers: number): Settling =>
  ({ process: asProcess, workers, ...(opts.logLevel === undefined ? {} : { logLevel: opts.logLevel }) })

const modeOf = (opts: WorldOptions): { asProcess: boolean; workers: number } => {
  const workers = opts.workers ?? 1
  return { asProcess: opts.process === true || workers > 1, workers }
}

/**
 * Starts ramp on `opts.config` and resolves once it listens. Process mode is used when the
 * test asks for it and always for workers > 1.
 */
export async function world(t: TestContext, opts: WorldOptions): Promise<World> {
  const { asProcess, workers } = modeOf(opts)
  return start(t, home(t, opts, asProcess, workers), opts, asProcess, workers)
}

export interface FailedStart {
  exit: Exit
  stdout: string
  stderr: string
  /** The world's folder and state file, as the refused start left them. */
  dir: string
  statePath: string
}

/**
 * `ramp serve` on the world's config, for a start that must fail: resolves with how it
 * exited, and rejects if it listens after all.
 */
export async function failedStart(t: TestContext, opts: Omit<WorldOptions, 'process'>): Promise<FailedStart> {
  const { workers } = modeOf(opts)
  const h = home(t, opts, true, workers)
  const p = spawnRamp(t, ['serve', '-c', h.configPath, ...(opts.flags ?? [])], opts.env ?? {})
  // listening() rejects once ramp exits without the line; the exit itself is the answer then.
  const started = listening(p).then(() => true as const, () => new Promise<never>(() => undefined))
  const exit = await Promise.race([p.exit, started])
  if (exit === true) throw new Error(`ramp started on it; stdout:\n${p.stdout()}`)
  return { exit, stdout: p.stdout(), stderr: p.stderr(), dir: h.dir, statePath: h.statePath }
}

async function start(t: TestContext, home: Home, opts: WorldOptions, asProcess: boolean, workers: number): Promise<World> {
  const env = opts.env ?? {}
  await documentReady()
  let ramp: Ramp | null = null
  let proc: Spawned | null = null
  let urls: Urls
  let logText: () => string
  let stopping: Promise<void> | null = null
  let stopNow: () => Promise<void>
  if (asProcess) {
    const p = spawnRamp(t, ['serve', '-c', home.configPath, ...(opts.flags ?? [])], env)
    proc = p
    urls = await listening(p)
    logText = () => p.stdout()
    stopNow = async () => { await terminate(p) }
  } else {
    const captured = opts.logLevel === undefined ? null : captureLog(opts.logLevel)
    const r = await startInProcess({
      path: home.configPath, embedded: opts.embedded === true, store: home.store, env,
      log: captured?.log ?? captureLog('silent').log,
      ...(opts.clock === undefined ? {} : { clock: opts.clock }),
      ...(opts.seed === undefined ? {} : { random: seeded(opts.seed) }),
    })
    ramp = r
    urls = r.urls
    logText = () => captured?.text() ?? ''
    stopNow = async () => { await r.close() }
  }
  const stop = (): Promise<void> => (stopping ??= stopNow().finally(() => home.running.delete(stop)))
  home.running.add(stop)

  const admin = new AdminClient(urls.admin)
  const listenerUrl = (listener: Listener = 'main'): string => {
    const url = urls[listener]
    if (url === null) throw new Error(`this ramp has no ${listener} listener`)
    return url
  }
  const metrics = (): Promise<string> => admin.metrics()
  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number> => sumOf(await metrics(), name, labels)
  const until = (what: string, ok: (v: RolloutView) => boolean, timeoutMs = 15_000): Promise<RolloutView> =>
    eventually(what, () => admin.rollout(), ok, timeoutMs, (v) => `${v.phase}/${v.reason}: ${v.message}`)
  const logs = (): LogLine[] => logLines(logText())

  return {
    mode: asProcess ? 'process' : 'in-process',
    workers,
    urls,
    admin,
    dir: home.dir,
    configPath: home.configPath,
    statePath: home.statePath,
    writeConfig: (yaml) => writeFileSync(home.configPath, settle(yaml, settling(opts, asProcess, workers))),
    rollout: () => admin.rollout(),
    history: () => admin.history(),
    until,
    eventually: (phase, reason, timeoutMs) => until(`phase ${phase}${reason === undefined ? '' : `/${reason}`}`, (v) => v.phase === phase && (reason === undefined || v.reason === reason), timeoutMs),
    routed: (name, timeoutMs = 10_000) => until(`${name ?? 'the canary'} to be routed`, (v) => v.routing.canary !== null && (name === undefined || v.routing.canary === name), timeoutMs),
    count: (n, o = {}) => countVersions(listenerUrl(o.listener), n, o),
    sequence: (n, headers, path) => sequence(listenerUrl(), n, headers, path),
    connection: (listener) => connection(t, listenerUrl(listener)),
    send: (path, o) => send(listenerUrl(), path, o),
    load: (o = {}) => load(t, listenerUrl(o.listener), o),
    metrics,
    metric,
    async metricReaches(name, labels, want, timeoutMs = 5000) {
      let last = 0
      await eventually(`${name} ${JSON.stringify(labels)} to read ${want}`, async () => (last = await metric(name, labels)), (v) => v === want, timeoutMs).catch(() => undefined)
      return last
    },
    logs,
    access: () => accessLines(logs()),
    stop,
    async restart(more = {}) {
      await stop()
      // The flags were the first start's (a --reset-state is not repeated); the state stays.
      return start(t, home, { ...opts, flags: more.flags }, asProcess, workers)
    },
    get ramp(): Ramp {
      if (ramp === null) throw new Error(`world.ramp is in-process only, and this world runs ramp ${where(asProcess, workers)}; read it through the admin API or /metrics`)
      return ramp
    },
    get proc(): Spawned {
      if (proc === null) throw new Error(`world.proc is process only, and this world runs ramp ${where(asProcess, workers)}; start it with { process: true }`)
      return proc
    },
    get cluster(): Cluster {
      if (proc === null || workers === 1) throw new Error(`world.cluster is for a ramp with workers, and this world runs ramp ${where(asProcess, workers)}; start it with { workers: 2 }`)
      return cluster(t, proc, urls.main, logs)
    },
  }
}

/**
 * The seed option for a world of `workers`: a seed fixes the draws of the one process that
 * takes it, so with more processes the test runs unseeded, and its binomial bounds (4 sigma)
 * must hold for any draw.
 */
export function seedFor(workers: number, seed: number): Pick<WorldOptions, 'seed'> {
  return workers === 1 ? { seed } : {}
}
