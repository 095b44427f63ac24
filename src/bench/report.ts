import type { LoadRun } from './load.js'
import type { Pinning } from './pinning.js'
import type { ProfiledProcess } from './profile.js'
import type { ScenarioResult } from './scenario.js'

export interface Machine {
  cores: number
  cpu: string
  memGiB: number
  node: string
  platform: string
  /** Anything else running on the machine takes cores from the targets; this says how much. */
  loadavg1mAtStart: number
}

/** Everything report.json holds, and what report.html is drawn from. */
export interface Report extends ScenarioResult {
  scenario: string
  description: string
  at: string
  /** False when a check failed or the scenario could not finish; the bench exits 1. */
  ok: boolean
  error: string | null
  machine: Machine
  /** What was pinned where (`taskset`), as asked with --cpus; null entries ran anywhere. */
  pinning: Pinning
  options: Record<string, unknown>
  runs: LoadRun[]
  /** With --profile: the CPU profile of each proxy process (`profiles/<name>.cpuprofile` next to the report), summarised by owner. */
  profiles: ProfiledProcess[]
}
