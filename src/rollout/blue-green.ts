import { FULL_BP } from '../routing/weight.js'
import { awaitPromotionConfirmation, complete } from './ending.js'
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
 * The pre-promotion wait: for auto-promotion, for nothing, or for promote.
 * `autoPromotionSeconds: 0` waits for nothing, like a zero-length timed pause.
 */
export function waitBlueGreen(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  const waiting = { ...s, phase: 'Paused' as const, reason: 'BlueGreenPause' as const, weightBp: 0 }
  if (bg.autoPromotionSeconds !== null && bg.autoPromotionSeconds > 0) return { ...waiting, pauseUntil: now + bg.autoPromotionSeconds * 1000 }
  if (bg.autoPromotionSeconds !== null || bg.autoPromotionEnabled) return promoteToFlip(s, bg, now)
  return { ...waiting, pauseUntil: null }
}

/** The flip is due: the confirm-promotion gate first, when one is configured (stable stays active meanwhile). */
export function promoteToFlip(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  return gatesOf(s).confirmPromotion ? awaitPromotionConfirmation({ ...s, weightBp: 0 }, now) : flip(s, bg, now)
}

/**
 * The main listener moves to the canary in one table swap. The old stable stays in the table
 * through post-promotion analysis and the scale-down delay, so an abort then is one more swap back.
 */
export function flip(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  const flipped: RolloutState = { ...s, weightBp: FULL_BP, pauseUntil: null }
  const post = bg.postPromotionAnalysis ?? null
  if (post === null) return scaleDown(flipped, bg, now)
  return startRun({ ...flipped, phase: 'Progressing', reason: 'PostPromotionAnalysis', scaleDownAt: null }, 'postPromotion', post.templates, 'main', now)
}

/** After the flip (and its analysis): the scale-down delay, or the promotion at once. */
export function scaleDown(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  if (bg.scaleDownDelaySeconds <= 0) return complete(s, now)
  return { ...s, phase: 'Progressing', reason: 'ScaleDownDelay', weightBp: FULL_BP, scaleDownAt: now + bg.scaleDownDelaySeconds * 1000 }
}

/** `promote`: flip if not flipped yet, else end the scale-down window now. */
export function promoteBlueGreen(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  return s.scaleDownAt === null ? promoteToFlip(s, bg, now) : complete(s, now)
}

/**
 * `resume` after a manual hold. A set `scaleDownAt` means the flip happened; a set
 * `pauseUntil` means the pre-promotion wait was running. Either deadline may have passed
 * during the hold, and then it takes effect now. With neither, the hold came before the
 * wait began (or the wait is indefinite), so it begins now. (A hold over a running analysis
 * or gate, or over a verdict, is handled before this, in `resumeStrategy`; the pre-promotion
 * analysis, started at ready even under a hold, is never begun here.)
 */
export function resumeBlueGreen(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  if (s.scaleDownAt !== null) {
    return s.scaleDownAt <= now ? complete(s, now) : { ...s, phase: 'Progressing', reason: 'ScaleDownDelay', weightBp: FULL_BP }
  }
  if (s.pauseUntil === null) return waitBlueGreen(s, bg, now)
  return s.pauseUntil <= now ? promoteToFlip(s, bg, now) : { ...s, phase: 'Paused', reason: 'BlueGreenPause', weightBp: 0 }
}
