import type { Admin } from './admin.js'
import type { BackendSpec } from './backend-spec.js'
import type { GrpcLoadSpec, GrpcRun } from './grpc-load.js'
import type { LoadRun, LoadSpec } from './load.js'
import type { RampReading } from './timeline.js'

/** A process of the bench serving HTTP. */
export interface Served { url: string; pid: number }

export interface Backends {
  urls: Record<string, string>
  pid: number
  /** Each backend's own count of the requests it served (probes excluded), from its `GET /__count`. */
  counts(): Promise<Record<string, number>>
}

export interface RampProcess {
  main: string
  admin: Admin
  /** Null for a `--target` ramp: it is not this bench's child. */
  pid: number | null
  /** Stops a ramp the bench started; a no-op for a `--target`. */
  stop(): Promise<void>
}

export interface Check { name: string; ok: boolean; detail: string }

export interface TextTable { title: string; head: string[]; rows: string[][] }

export interface ScenarioResult {
  checks: Check[]
  tables: TextTable[]
  /** Every figure the scenario computed, written to report.json as they are. */
  figures: Record<string, unknown>
}

/**
 * What a scenario is given: the options and the means to start processes and load them.
 * Scenario files import this module's types only (lint keeps it so): they are compiled on
 * their own into dist/bench/scenarios/, and everything they run comes through the kit.
 */
export interface Kit {
  /** Measured seconds per load run (--duration). */
  readonly duration: number
  readonly connections: number
  /** --requests, for scenarios that count requests rather than seconds. */
  readonly requests: number | null
  /** Seconds of warm-up before a measured run (--warmup), or the scenario's own default. */
  warmup(fallback: number): number
  /** --workers: also measure a ramp started with `workers: n` (a primary and n worker processes); null: not asked. */
  readonly workers: number | null
  /** The running ramp given with --target, or null when the bench starts its own. */
  readonly target: RampProcess | null
  /** --direct: a backend of the target's service to compare with, in --target mode. */
  readonly direct: string | null
  say(line: string): void
  /** Demo backends, one per version, in one child process, shaped by the --latency/--size/--error-rate flags. */
  backends(names: string[]): Promise<Backends>
  /** A version's backend as the flags and the scenario's defaults make it. */
  backendSpec(name: string): BackendSpec
  /**
   * ramp (bin/ramp.js serve) in a child process; the kit adds the listeners (127.0.0.1,
   * port 0), the admin API, a JSON log without access log, and a memory store to `yaml`.
   * In --target mode, answers the target without starting anything. `h2c`: the main
   * listener speaks HTTP/2 with prior knowledge (`http2: true` without TLS), for gRPC; its
   * profile (--profile) is then `ramp-h2c-<n>`.
   */
  ramp(yaml: string, opts?: { h2c?: boolean }): Promise<RampProcess>
  plainProxy(upstream: string): Promise<Served>
  ceilingProxy(upstream: string): Promise<Served>
  /** A gRPC backend (node:http2, h2c) answering every call as a unary echo with grpc-status 0. */
  grpcBackend(): Promise<Served>
  /** Unary gRPC calls in a closed loop over one h2c connection; `pid`'s CPU is measured. */
  grpcLoad(spec: GrpcLoadSpec & { pid: number | null }): Promise<GrpcRun>
  /** A bare node:http server answering "ok": Node's own start-up and idle memory, to set ramp's against. */
  bareServer(): Promise<Served>
  /**
   * One load run, recorded for the report. With `ramp`, its weight, phase, RSS and
   * event-loop delay are read every second and its rollout events marked on the time axis;
   * `pid` is the process whose CPU use is measured, with every process it started (ramp's workers).
   */
  load(spec: LoadSpec & { ramp?: RampProcess; pid?: number | null }): Promise<LoadRun>
  /** ramp's weight, phase, RSS and event-loop delay now. */
  reading(ramp: RampProcess): Promise<RampReading>
  /** CPU milliseconds used so far by a process's main thread, its event loop (Linux; null elsewhere). */
  mainThreadCpuMs(pid: number): number | null
  /** A process's resident memory now, VmRSS (Linux; null elsewhere). */
  residentBytes(pid: number): number | null
}

/** What every bench/scenarios/<name>.ts exports as default. */
export interface Scenario {
  description: string
  /** Connections when --connections is not given (100 otherwise). */
  connections?: number
  /** Backend shapes when no flag names them, per version (e.g. canary-fails' failing v2). */
  backends?: Record<string, Partial<Omit<BackendSpec, 'name'>>>
  /** Whether it can run against --target; those that need their own backends or config cannot. */
  target: boolean
  /** Whether it uses --workers (Kit.workers); the others refuse the flag rather than ignore it. */
  workers?: boolean
  run(kit: Kit): Promise<ScenarioResult>
}
