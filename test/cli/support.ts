import type { TestContext } from 'node:test'
import type { Ramp } from '../../src/ramp.js'
import { backend, canaryYaml, rampWith, waitFor } from '../support/ramp.js'

/** `args` aimed at this ramp's admin API. */
export function at(ramp: Ramp, ...args: string[]): string[] {
  return [...args, '--admin', ramp.urls.admin]
}

/** The steps most tests need: two waits for promote, so nothing moves unless a verb moves it. */
export const pauseSteps = `
- setWeight: 20
- pause: {}
- setWeight: 50
- pause: {}
- setWeight: 100
`

/**
 * v1 stable and v2 canary running `steps` (a YAML list). Resolves once v2 is routed, i.e.
 * it passed readiness and the steps began: with `pauseSteps` that is step 2/5 at 20%.
 */
export async function canaryRamp(t: TestContext, steps: string = pauseSteps, env?: NodeJS.ProcessEnv): Promise<Ramp> {
  const [v1, v2] = [await backend(t, { name: 'v1' }), await backend(t, { name: 'v2' })]
  const ramp = await rampWith(t, `
${canaryYaml(v1.url, v2.url)}strategy:
  canary:
    steps:
${indent(steps, 6)}
`, env === undefined ? {} : { env })
  // Longer than canaryRouted's wait: these cases run side by side with node starting up.
  await waitFor('the canary to be routed', () => ramp.tables.current.canary !== null, 15_000)
  return ramp
}

/** v1 stable and no rollout yet, with `steps` as the strategy a `deploy` runs. */
export async function healthyRamp(t: TestContext, steps: string = pauseSteps): Promise<Ramp> {
  const v1 = await backend(t, { name: 'v1' })
  return rampWith(t, `
listen: { port: 0 }
stable: { name: v1, backends: ["${v1.url}"] }
readiness: { intervalMs: 20 }
strategy:
  canary:
    steps:
${indent(steps, 6)}
`)
}

function indent(lines: string, by: number): string {
  return lines.trim().split('\n').map((l) => `${' '.repeat(by)}${l.trim()}`).join('\n')
}

/** `status --watch` output cut into its pictures; each one begins with its Status line. */
export function pictures(out: string): string[] {
  return out.split(/^(?=Status:)/m).filter((p) => p !== '')
}
