import { beginBlueGreen, promoteBlueGreen, resumeBlueGreen } from './blue-green.js'
import { enterStep, promoteCanary, resumeCanary } from './canary.js'
import { complete } from './ending.js'
import { staticSplitOf } from './phase.js'
import type { RolloutState } from './types.js'

/** Probing starts (or starts over): the canary has the progress deadline to become ready. */
export function awaitReadiness(s: RolloutState, now: number): RolloutState {
  return { ...s, phase: 'Progressing', reason: 'WaitingForReadiness', progressDeadlineAt: now + s.options.progressDeadlineSeconds * 1000 }
}

/** The canary just became ready: run the strategy from its start. */
export function runStrategy(s: RolloutState, now: number): RolloutState {
  const split = staticSplitOf(s)
  if (split !== null) return { ...s, phase: 'Paused', reason: 'StaticSplit', weightBp: split }
  return s.strategy.type === 'canary' ? enterStep(s, s.strategy.steps, 0, now) : beginBlueGreen(s, s.strategy, now)
}

/** `promote` (not full): one step further; a static split has no further step than promotion. */
export function promoteOnce(s: RolloutState, now: number): RolloutState {
  if (staticSplitOf(s) !== null) return complete(s, now)
  return s.strategy.type === 'canary' ? promoteCanary(s, s.strategy.steps, now) : promoteBlueGreen(s, s.strategy, now)
}

/**
 * `resume`: end a manual hold. A hold taken while waiting for readiness goes back to waiting,
 * with a fresh deadline: as in Argo Rollouts, time spent paused does not count against progress.
 */
export function resumeStrategy(s: RolloutState, now: number): RolloutState {
  if (!s.canaryReady) return awaitReadiness(s, now)
  if (staticSplitOf(s) !== null) return runStrategy(s, now)
  return s.strategy.type === 'canary' ? resumeCanary(s, s.strategy.steps, now) : resumeBlueGreen(s, s.strategy, now)
}
