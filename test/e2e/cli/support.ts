import type { TestContext } from 'node:test'
import { backends } from '../../support/world/backends.js'
import { release } from '../../support/world/config.js'
import { world, type World } from '../../support/world/world.js'

/** `args` aimed at this ramp's admin API. */
export function at(w: World, ...args: string[]): string[] {
  return [...args, '--admin', w.urls.admin]
}

/** The steps most tests need: two waits for promote, so nothing moves unless a verb moves it. */
const pauseSteps = ['setWeight: 20', 'pause: {}', 'setWeight: 50', 'pause: {}', 'setWeight: 100']

/**
 * v1 stable and v2 canary running `pauseSteps`. Resolves once v2 is routed, i.e. it passed
 * readiness and the steps began: step 2/5 at 20%.
 */
export async function canaryRamp(t: TestContext, env?: NodeJS.ProcessEnv): Promise<World> {
  const [v1, v2] = await backends(t, 'v1', 'v2')
  const w = await world(t, { config: release({ v1: v1.url, v2: v2.url, steps: pauseSteps }), ...(env === undefined ? {} : { env }) })
  // Longer than the usual wait: these cases run side by side with node starting up.
  await w.routed(undefined, 15_000)
  return w
}

/** v1 stable and no rollout yet, with `pauseSteps` as the strategy a `deploy` runs. */
export async function healthyRamp(t: TestContext): Promise<World> {
  const [v1] = await backends(t, 'v1')
  return world(t, { config: release({ v1: v1.url, steps: pauseSteps }) })
}

/** `status --watch` output cut into its pictures; each one begins with its Status line. */
export function pictures(out: string): string[] {
  return out.split(/^(?=Status:)/m).filter((p) => p !== '')
}
