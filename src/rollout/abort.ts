import { begin, move, NOOP, type Outcome } from './draft.js'
import { inScaleDownWindow, rollBack } from './blue-green.js'
import { abortRollout } from './ending.js'
import { noCanary } from './refusal.js'
import type { EngineEvent, RolloutState } from './types.js'

/**
 * Any in-progress phase: stable takes 100% at once. Inside a blue/green scale-down window
 * (Healthy, the old version kept), the old version takes it back at once.
 */
export function abort(s: RolloutState, ev: Extract<EngineEvent, { type: 'abort' }>, now: number): Outcome {
  if (s.phase === 'Aborted') return NOOP
  const cause = { reason: 'AbortedByAdmin' as const, message: ev.message ?? '', actor: ev.actor }
  if (inScaleDownWindow(s)) {
    return move(begin(s), rollBack(s, cause, now), { now, event: 'abort', actor: ev.actor, lead: `${s.stable.name} rolled back to ${s.previousStable.name} inside the scale-down window` })
  }
  if (s.phase === 'Healthy') return noCanary(s, 'abort')
  return move(begin(s), abortRollout(s, cause, now), { now, event: 'abort', actor: ev.actor })
}
