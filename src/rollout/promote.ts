import { begin, move, NOOP, type Outcome } from './draft.js'
import { probing } from './phase.js'
import { noCanary, notAllowed } from './refusal.js'
import { checking } from './runs.js'
import { promoteFull, promoteOnce } from './strategy.js'
import type { EngineEvent, RolloutState } from './types.js'

/**
 * `promote` goes one step on; `promote --full` finishes the rollout (a blue/green flip and its
 * scale-down in one), after the confirm-promotion gate if one is configured and not yet
 * passed. Neither can send traffic to a canary that is not ready yet. A plain promote cannot
 * skip the pre-rollout checks or blue/green pre-promotion analysis (a full one can: a person's
 * full promote wins over every analysis, as in Argo Rollouts).
 */
export function promote(s: RolloutState, ev: Extract<EngineEvent, { type: 'promote' }>, now: number): Outcome {
  const verb = ev.full ? 'promoteFull' : 'promote'
  // A repeated promote after the promotion is an answer, not an error: it already took effect.
  if (s.phase === 'Healthy') return s.reason === 'Promoted' ? NOOP : noCanary(s, verb)
  if (s.phase === 'Aborted' || probing(s) || (!ev.full && checking(s))) return notAllowed(s, verb)
  return move(begin(s), ev.full ? promoteFull(s, now) : promoteOnce(s, now), { now, event: verb, actor: ev.actor })
}
