import { FULL_BP } from '../routing/weight.js'
import { abortRollout, awaitPromotionConfirmation, complete, type AbortCause } from './ending.js'
import { gatesOf, startRun } from './runs.js'
import type { RolloutState, Strategy } from './types.js'

export type BlueGreen = Extract<Strategy, { type: 'blueGreen' }>

/**
 * The canary is ready on the preview listener (and past the rollout gates): pre-promotion
 * analysis first, when there is one, then the pre-promotion wait.
 */
export function beginBlueGreen(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  const pre = bg.prePromotionAnalysis ?? null
  if (pre === null) return waitBlueGreen(s, bg, now)
  const checking: RolloutState = { ...s, phase: 'Progressing', reason: 'PrePromotionAnalysis', weightBp: 0, pauseUntil: null }
  return startRun(checking, 'prePromotion', pre.templates, 'preview', now)
}

/**
 * The pre-promotion wait: for promote, for auto-promotion, or for nothing. As in Argo
 * Rollouts, `autoPromotionSeconds` counts only while `autoPromotionEnabled` is true (its
 * default): false waits for promote whatever the seconds say. `autoPromotionSeconds: 0`
 * waits for nothing, like a zero-length timed pause.
 */
export function waitBlueGreen(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  const waiting = { ...s, phase: 'Paused' as const, reason: 'BlueGreenPause' as const, weightBp: 0 }
  if (!bg.autoPromotionEnabled) return { ...waiting, pauseUntil: null }
  if (bg.autoPromotionSeconds !== null && bg.autoPromotionSeconds > 0) return { ...waiting, pauseUntil: now + bg.autoPromotionSeconds * 1000 }
  return promoteToFlip(s, bg, now)
}

/** The flip is due: the confirm-promotion gate first, when one is configured (stable stays active meanwhile). */
export function promoteToFlip(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  return gatesOf(s).confirmPromotion ? awaitPromotionConfirmation({ ...s, weightBp: 0 }, now) : flip(s, bg, now)
}

/**
 * The main listener moves to the canary in one table swap. The old stable stays in the table
 * through post-promotion analysis, so an abort then is one more swap back.
 */
export function flip(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  const flipped: RolloutState = { ...s, weightBp: FULL_BP, pauseUntil: null }
  const post = bg.postPromotionAnalysis ?? null
  if (post === null) return scaleDown(flipped, bg, now)
  return startRun({ ...flipped, phase: 'Progressing', reason: 'PostPromotionAnalysis', scaleDownAt: null }, 'postPromotion', post.templates, 'main', now)
}

/**
 * After the flip (and its analysis) the new version is stable and the rollout Healthy, as in
 * Argo Rollouts. The old version is kept for the scale-down delay as the target of a fast
 * rollback (`abort` flips back to it at once, with no readiness wait: `rollBack`); a new
 * rollout may start meanwhile, and ends the window.
 */
export function scaleDown(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  const promoted = complete(s, now)
  return bg.scaleDownDelaySeconds <= 0 ? promoted : { ...promoted, scaleDownAt: now + bg.scaleDownDelaySeconds * 1000 }
}

/** Inside the scale-down window: the old version is stable again, the promoted one the aborted canary (a retry runs it again). */
export function inScaleDownWindow(s: RolloutState): s is RolloutState & { previousStable: NonNullable<RolloutState['previousStable']> } {
  return s.phase === 'Healthy' && s.scaleDownAt !== null && s.previousStable !== null
}

export function rollBack(s: RolloutState & { previousStable: NonNullable<RolloutState['previousStable']> }, cause: AbortCause, now: number): RolloutState {
  return abortRollout({ ...s, stable: s.previousStable, canary: s.stable, previousStable: null }, cause, now)
}

/** `promote`: flip if not flipped yet, else (a window stored by an older ramp, whose old version stayed stable in it) promote now. */
export function promoteBlueGreen(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  return s.scaleDownAt === null ? promoteToFlip(s, bg, now) : complete(s, now)
}

/**
 * `resume` after a manual hold. A set `pauseUntil` means the pre-promotion wait was running;
 * the deadline may have passed during the hold, and then it takes effect now. Without one,
 * the hold came before the wait began (or the wait is indefinite), so it begins now. (A hold
 * over a running analysis or gate, or over a verdict, is handled before this, in
 * `resumeStrategy`; the pre-promotion analysis, started at ready even under a hold, is never
 * begun here.)
 */
export function resumeBlueGreen(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  if (s.pauseUntil === null) return waitBlueGreen(s, bg, now)
  return s.pauseUntil <= now ? promoteToFlip(s, bg, now) : { ...s, phase: 'Paused', reason: 'BlueGreenPause', weightBp: 0 }
}
