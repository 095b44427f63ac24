import type { BackendFlags } from './backend-spec.js'
import type { Pinning } from './pinning.js'

/** One `ramp bench` run, as src/cli/bench.ts checked it. */
export interface BenchOptions {
  scenario: string
  /** Measured seconds per load run. */
  duration: number
  /** Null: the scenario's own number. */
  connections: number | null
  requests: number | null
  /** Null: the scenario's own warm-up. */
  warmup: number | null
  /** Where report.json and report.html go; null: bench/results/<scenario>-<timestamp>/ under the current directory. */
  out: string | null
  target: { main: string; admin: string } | null
  direct: string | null
  cpus: Pinning
  /** Run ramp under `node --cpu-prof` and report where its CPU went (src/bench/profile.ts). */
  profile: boolean
  /** --workers: a scenario that takes it also runs ramp with `workers: n` (n > 1); null: not asked. */
  workers: number | null
  backendFlags: BackendFlags
}
