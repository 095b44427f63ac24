import type { Outcome } from './draft.js'
import type { EngineError, RolloutState, Verb } from './types.js'
import { allowedVerbs } from './verbs.js'

export function refuse(s: RolloutState, code: EngineError['code'], message: string): Outcome {
  return { refused: { code, message, phase: s.phase, allowed: allowedVerbs(s) } }
}

/** "promote does not apply in phase Aborted (AbortedByAdmin); allowed: start, retry" */
export function notAllowed(s: RolloutState, verb: Verb): Outcome {
  const allowed = allowedVerbs(s)
  return refuse(s, 'RAMP_ERR_ROLLOUT_VERB_NOT_ALLOWED',
    `${verb} does not apply in phase ${s.phase} (${s.reason}); allowed: ${allowed.length === 0 ? 'none' : allowed.join(', ')}`)
}

/** "abort needs a canary, and there is none (Healthy: v1 serves 100%)" */
export function noCanary(s: RolloutState, verb: Verb): Outcome {
  return refuse(s, 'RAMP_ERR_ROLLOUT_NO_CANARY', `${verb} needs a canary, and there is none (${s.message})`)
}
