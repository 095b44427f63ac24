import type { TestContext } from 'node:test'
import { spawnRamp } from '../../support/world/process.js'

// Kept apart from support.ts, which loads ramp itself: the files that only run the CLI start
// faster without it.

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the built `ramp` once, to its end; `t` null for a run shared by several tests. */
export async function cli(t: TestContext | null, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const s = spawnRamp(t, args, env)
  const { code } = await s.exit
  return { code, stdout: s.stdout(), stderr: s.stderr() }
}

/** Everything the CLI said, for assertion messages. */
export function said(r: CliResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`
}
