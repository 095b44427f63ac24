export interface BenchOptions {
  /** Seconds of measured load per target. */
  duration: number
  connections: number
}

export interface ScenarioReport {
  /** False when a correctness check failed or a target answered with errors; the bench exits 1. */
  ok: boolean
  [key: string]: unknown
}

/** What every bench/scenarios/<name>.ts exports as default. */
export interface Scenario {
  description: string
  run(opts: BenchOptions): Promise<ScenarioReport>
}
