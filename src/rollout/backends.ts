import { begin, move, NOOP, type Outcome } from './draft.js'
import { probing } from './phase.js'
import { refuse } from './refusal.js'
import type { EngineEvent, RolloutState } from './types.js'

/**
 * A running version's backends replaced (a config reload): the stable, or the canary of the
 * rollout (kept for retry after an abort, too). Nothing else moves: not the phase, the weight,
 * the step or the message. A canary still waiting for readiness is probed again with the new
 * list (the old probe could finish on backends no longer in it); a canary already in the table
 * takes the new backends at once, as the stable does.
 */
export function setBackends(s: RolloutState, ev: Extract<EngineEvent, { type: 'setBackends' }>, now: number): Outcome {
  if (ev.backends.length === 0) return refuse(s, 'RAMP_ERR_ADMIN_BAD_REQUEST', `setBackends: version "${ev.version}" needs at least one backend`)
  const role = s.stable.name === ev.version ? 'stable' : s.canary?.name === ev.version ? 'canary' : null
  if (role === null) {
    const running = [s.stable.name, ...(s.canary === null ? [] : [s.canary.name])].join(', ')
    return refuse(s, 'RAMP_ERR_ROLLOUT_UNKNOWN_VERSION', `setBackends: "${ev.version}" is not a version of this rollout (${running})`)
  }
  const before = role === 'stable' ? s.stable.backends : (s.canary?.backends ?? [])
  if (before.length === ev.backends.length && before.every((b, i) => b === ev.backends[i])) return NOOP
  const version = { name: ev.version, backends: [...ev.backends] }
  const next: RolloutState = role === 'stable' ? { ...s, stable: version } : { ...s, canary: version }
  const detail = `${role} ${ev.version} backends: ${before.join(', ')} -> ${ev.backends.join(', ')}`
  const d = move(begin(s), next, { now, event: 'setBackends', actor: ev.actor, message: s.message, detail })
  return role === 'canary' && probing(s) ? { ...d, started: true } : d
}
