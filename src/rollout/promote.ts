import { begin, move, NOOP, type Outcome } from './draft.js'
import { complete } from './ending.js'
import { probing } from './phase.js'
import { noCanary, notAllowed } from './refusal.js'
import { promoteOnce } from './strategy.js'
import type { EngineEvent, RolloutState } from './types.js'

/**
 * `promote` goes one step on; `promote --full` finishes the rollout (a blue/green flip and its
 * scale-down in one). Neither can send traffic to a canary that is not ready yet.
 */
export function promote(s: RolloutState, ev: Extract<EngineEvent, { type: 'promote' }>, now: number): Outcome {
  const verb = ev.full ? 'promoteFull' : 'promote'
  // A repeated promote after the promotion is an answer, not an error: it already took effect.
  if (s.phase === 'Healthy') return s.reason === 'Promoted' ? NOOP : noCanary(s, verb)
  if (s.phase === 'Aborted' || probing(s)) return notAllowed(s, verb)
  return move(begin(s), ev.full ? complete(s, now) : promoteOnce(s, now), { now, event: verb, actor: ev.actor })
}
