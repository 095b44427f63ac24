import { percentToBp } from '../routing/weight.js'
import { finish } from './ending.js'
import { mirrorOf, routesOf, withHeaderRoute, withMirrorRoute } from './routes.js'
import { backgroundRunOf, startRun } from './runs.js'
import type { CanaryStep, RolloutState, Strategy } from './types.js'

/**
 * Enters step `index` and runs on until a step waits (a pause, or an analysis step, whose run
 * starts here). Instantaneous steps (setWeight, setHeaderRoute, setMirrorRoute) collapse into
 * one transition: with steps [setWeight 20, setWeight 40, pause {}], entering step 0 lands on
 * step 2 at 40% without publishing 20% for an instant, and a header route set next to a weight
 * reaches the data plane in the same table. Past the last step the canary is promoted (after
 * the confirm-promotion gate, if any), standing on the last step at its weight (and with its
 * routes) while the gate waits. The background analysis starts when this walk crosses its
 * starting step.
 */
export function enterStep(s: RolloutState, steps: readonly CanaryStep[], index: number, now: number): RolloutState {
  let walked = s
  for (const [offset, step] of steps.slice(index).entries()) {
    const at = index + offset
    if ('setWeight' in step) {
      walked = { ...walked, weightBp: percentToBp(step.setWeight) }
      continue
    }
    if ('setHeaderRoute' in step) {
      walked = { ...walked, routes: withHeaderRoute(routesOf(walked), step.setHeaderRoute) }
      continue
    }
    if ('setMirrorRoute' in step) {
      walked = { ...walked, mirror: withMirrorRoute(mirrorOf(walked), step.setMirrorRoute) }
      continue
    }
    if ('analysis' in step) {
      const here: RolloutState = { ...walked, phase: 'Progressing', reason: 'RunningAnalysis', stepIndex: at, pauseUntil: null }
      return startRun(background(here, index, at, now), 'step', step.analysis.templates, 'main', now)
    }
    const ms = step.pause.durationMs
    if (ms === 0) continue
    const paused = background({ ...walked, phase: 'Paused' as const, stepIndex: at }, index, at, now)
    return ms === undefined
      ? { ...paused, reason: 'CanaryPauseStep', pauseUntil: null }
      : { ...paused, reason: 'TimedPause', pauseUntil: now + ms }
  }
  const last = steps.length - 1
  return finish(background({ ...walked, stepIndex: Math.max(s.stepIndex, last), pauseUntil: null }, index, last, now), now)
}

/** Starts the background run when step indices `from..to` (just entered) include its starting step. */
function background(s: RolloutState, from: number, to: number, now: number): RolloutState {
  const spec = backgroundSpecOf(s.strategy)
  if (spec === null || spec.startingStep < from || spec.startingStep > to || backgroundRunOf(s) !== null) return s
  return startRun(s, 'background', spec.templates, 'main', now)
}

export function backgroundSpecOf(strategy: Strategy): { templates: string[]; startingStep: number } | null {
  return strategy.type === 'canary' ? strategy.analysis ?? null : null
}

/** (Re)starts the background run unless one runs; promote does so after an inconclusive one. */
export function restartBackground(s: RolloutState, now: number): RolloutState {
  const spec = backgroundSpecOf(s.strategy)
  return spec === null || backgroundRunOf(s) !== null ? s : startRun(s, 'background', spec.templates, 'main', now)
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
 * a hold taken before the first step starts the steps. (A hold at an analysis step whose run
 * is still going is handled before this, in `resumeStrategy`; an analysis step with no run
 * left, which only an older stored state can have, is entered afresh.)
 */
export function resumeCanary(s: RolloutState, steps: readonly CanaryStep[], now: number): RolloutState {
  if (s.stepIndex < 0) return enterStep(s, steps, 0, now)
  const restored = { ...s, phase: 'Paused' as const, weightBp: stepWeightBp(steps, s.stepIndex) }
  const step = steps[s.stepIndex]
  if (step !== undefined && 'analysis' in step) return enterStep(restored, steps, s.stepIndex, now)
  if (step !== undefined && 'pause' in step && step.pause.durationMs === undefined) return { ...restored, reason: 'CanaryPauseStep' }
  if (s.pauseUntil !== null && s.pauseUntil > now) return { ...restored, reason: 'TimedPause' }
  return enterStep(restored, steps, s.stepIndex + 1, now)
}
