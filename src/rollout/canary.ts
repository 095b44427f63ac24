import { percentToBp } from '../routing/weight.js'
import { complete } from './ending.js'
import type { CanaryStep, RolloutState } from './types.js'

/**
 * Enters step `index` and runs on until a step waits. Consecutive setWeights collapse into
 * one transition: with steps [setWeight 20, setWeight 40, pause {}], entering step 0 lands on
 * step 2 at 40% without publishing 20% for an instant. Past the last step the canary is
 * promoted.
 */
export function enterStep(s: RolloutState, steps: readonly CanaryStep[], index: number, now: number): RolloutState {
  let weightBp = s.weightBp
  for (const [offset, step] of steps.slice(index).entries()) {
    if ('setWeight' in step) {
      weightBp = percentToBp(step.setWeight)
      continue
    }
    const ms = step.pause.durationMs
    if (ms === 0) continue
    const paused = { ...s, phase: 'Paused' as const, weightBp, stepIndex: index + offset }
    return ms === undefined
      ? { ...paused, reason: 'CanaryPauseStep', pauseUntil: null }
      : { ...paused, reason: 'TimedPause', pauseUntil: now + ms }
  }
  return complete(s, now)
}

/**
 * The weight the steps give at `index`: that of the last setWeight at or before it, 0 before
 * any. Steps [setWeight 20, pause, setWeight 50, pause]: index 1 -> 2000, index 3 -> 5000,
 * index -1 -> 0. A manual hold ends by going back to this weight.
 */
export function stepWeightBp(steps: readonly CanaryStep[], index: number): number {
  for (const step of steps.slice(0, index + 1).reverse()) {
    if ('setWeight' in step) return percentToBp(step.setWeight)
  }
  return 0
}

/** `promote` from a pause (or a hold): leave the current step for the next one. */
export function promoteCanary(s: RolloutState, steps: readonly CanaryStep[], now: number): RolloutState {
  return enterStep({ ...s, weightBp: stepWeightBp(steps, s.stepIndex) }, steps, s.stepIndex + 1, now)
}

/**
 * `resume` after a manual hold: back to the step it interrupted, at that step's weight. A
 * timed pause that ran out during the hold is over, so the rollout goes on to the next step;
 * a hold taken before the first step starts the steps.
 */
export function resumeCanary(s: RolloutState, steps: readonly CanaryStep[], now: number): RolloutState {
  if (s.stepIndex < 0) return enterStep(s, steps, 0, now)
  const restored = { ...s, phase: 'Paused' as const, weightBp: stepWeightBp(steps, s.stepIndex) }
  const step = steps[s.stepIndex]
  if (step !== undefined && 'pause' in step && step.pause.durationMs === undefined) return { ...restored, reason: 'CanaryPauseStep' }
  if (s.pauseUntil !== null && s.pauseUntil > now) return { ...restored, reason: 'TimedPause' }
  return enterStep(restored, steps, s.stepIndex + 1, now)
}
