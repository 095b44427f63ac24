import type { RolloutState } from './types.js'

/**
 * When the engine next needs a `tick`: the earliest deadline that is set. A deadline that is
 * set but ignored (a timed pause under a manual hold) still counts, so the driver's timer
 * fires once and the tick is a no-op, rather than the engine losing track of it.
 */
export function nextWakeAt(s: RolloutState): number | null {
  const set = [s.pauseUntil, s.progressDeadlineAt, s.scaleDownAt].filter((t): t is number => t !== null)
  return set.length === 0 ? null : Math.min(...set)
}
