import { begin, move, NOOP, type Outcome } from './draft.js'
import { abortRollout } from './ending.js'
import { noCanary } from './refusal.js'
import type { EngineEvent, RolloutState } from './types.js'

/** Any in-progress phase, a blue/green scale-down window included: stable takes 100% at once. */
export function abort(s: RolloutState, ev: Extract<EngineEvent, { type: 'abort' }>, now: number): Outcome {
  if (s.phase === 'Healthy') return noCanary(s, 'abort')
  if (s.phase === 'Aborted') return NOOP
  const next = abortRollout(s, { reason: 'AbortedByAdmin', message: ev.message ?? '', actor: ev.actor }, now)
  return move(begin(s), next, { now, event: 'abort', actor: ev.actor })
}
