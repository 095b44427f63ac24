import { FULL_BP } from '../routing/weight.js'
import { begin, move, NOOP, type Outcome } from './draft.js'
import { percent } from './messages.js'
import { held, probing, staticSplitOf } from './phase.js'
import { noCanary, notAllowed, refuse } from './refusal.js'
import { beforeTraffic } from './runs.js'
import { resumeStrategy } from './strategy.js'
import type { EngineEvent, RolloutState } from './types.js'

/**
 * Holds the rollout where it is. Deadlines are kept (and still reported to the timer) but not
 * acted on until `resume`. A pause while waiting drops the progress deadline instead; resume
 * sets a fresh one. Analysis runs go on (see analysis.ts for their verdicts under a hold).
 */
export function pause(s: RolloutState, ev: Extract<EngineEvent, { type: 'pause' }>, now: number): Outcome {
  if (s.phase === 'Healthy') return noCanary(s, 'pause')
  if (s.reason === 'ManualPause') return NOOP
  if (s.phase === 'Aborted' || s.phase === 'Degraded') return notAllowed(s, 'pause')
  const next: RolloutState = { ...s, phase: 'Paused', reason: 'ManualPause', progressDeadlineAt: null }
  return move(begin(s), next, { now, event: 'pause', actor: ev.actor })
}

/** Ends a manual hold only; a pause the strategy made is ended by `promote`. */
export function resume(s: RolloutState, ev: Extract<EngineEvent, { type: 'resume' }>, now: number): Outcome {
  if (s.phase === 'Healthy') return noCanary(s, 'resume')
  if (s.phase === 'Aborted') return notAllowed(s, 'resume')
  if (held(s)) return move(begin(s), resumeStrategy(s, now), { now, event: 'resume', actor: ev.actor })
  if (s.phase === 'Paused') return notAllowed(s, 'resume')
  return NOOP
}

/**
 * A weight by hand holds the rollout there (ManualWeight) until resume or promote; a static
 * split simply moves to the new weight. Blue/green has no split: 0 or 100% only. Refused
 * before the gates passed (and during blue/green pre-promotion analysis): no main traffic
 * reaches the canary before its pre-traffic checks. The runs go on under the hold.
 */
export function setWeight(s: RolloutState, ev: Extract<EngineEvent, { type: 'setWeight' }>, now: number): Outcome {
  const w = ev.weightBp
  if (!Number.isInteger(w) || w < 0 || w > FULL_BP) {
    return refuse(s, 'RAMP_ERR_ADMIN_BAD_REQUEST', `setWeight: ${w} is not a whole number of basis points from 0 to ${FULL_BP}`)
  }
  if (s.phase === 'Healthy') return noCanary(s, 'setWeight')
  if (s.phase === 'Aborted' || probing(s) || beforeTraffic(s)) return notAllowed(s, 'setWeight')
  if (s.strategy.type === 'blueGreen' && w !== 0 && w !== FULL_BP) {
    return refuse(s, 'RAMP_ERR_WEIGHT_MODE', `setWeight ${percent(w)}: in blueGreen mode the weight is 0% (stable active) or 100% (canary active)`)
  }
  const split = staticSplitOf(s)
  const reason = split === null ? 'ManualWeight' : 'StaticSplit'
  if (s.reason === reason && s.weightBp === w) return NOOP
  const next: RolloutState = { ...s, phase: 'Paused', reason, weightBp: w, staticSplitBp: split === null ? null : w }
  return move(begin(s), next, { now, event: 'setWeight', actor: ev.actor })
}
