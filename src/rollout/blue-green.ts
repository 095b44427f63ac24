import { FULL_BP } from '../routing/weight.js'
import { complete } from './ending.js'
import type { RolloutState, Strategy } from './types.js'

export type BlueGreen = Extract<Strategy, { type: 'blueGreen' }>

/**
 * The canary is ready on the preview listener: wait for auto-promotion, flip now, or wait for
 * promote. `autoPromotionSeconds: 0` waits for nothing, like a zero-length timed pause.
 */
export function beginBlueGreen(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  const waiting = { ...s, phase: 'Paused' as const, reason: 'BlueGreenPause' as const, weightBp: 0 }
  if (bg.autoPromotionSeconds !== null && bg.autoPromotionSeconds > 0) return { ...waiting, pauseUntil: now + bg.autoPromotionSeconds * 1000 }
  if (bg.autoPromotionSeconds !== null || bg.autoPromotionEnabled) return flip(s, bg, now)
  return { ...waiting, pauseUntil: null }
}

/**
 * The main listener moves to the canary in one table swap. The old stable stays in the table
 * for the scale-down delay, so an abort inside that window is one more swap back.
 */
export function flip(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  const flipped = { ...s, weightBp: FULL_BP, pauseUntil: null }
  if (bg.scaleDownDelaySeconds <= 0) return complete(flipped, now)
  return { ...flipped, phase: 'Progressing', reason: 'ScaleDownDelay', scaleDownAt: now + bg.scaleDownDelaySeconds * 1000 }
}

/** `promote`: flip if not flipped yet, else end the scale-down window now. */
export function promoteBlueGreen(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  return s.scaleDownAt === null ? flip(s, bg, now) : complete(s, now)
}

/**
 * `resume` after a manual hold. A set `scaleDownAt` means the flip happened; a set
 * `pauseUntil` means the pre-promotion wait was running. Either deadline may have passed
 * during the hold, and then it takes effect now. With neither, the hold came before the
 * wait began (or the wait is indefinite), so it begins now.
 */
export function resumeBlueGreen(s: RolloutState, bg: BlueGreen, now: number): RolloutState {
  if (s.scaleDownAt !== null) {
    return s.scaleDownAt <= now ? complete(s, now) : { ...s, phase: 'Progressing', reason: 'ScaleDownDelay', weightBp: FULL_BP }
  }
  if (s.pauseUntil === null) return beginBlueGreen(s, bg, now)
  return s.pauseUntil <= now ? flip(s, bg, now) : { ...s, phase: 'Paused', reason: 'BlueGreenPause', weightBp: 0 }
}
