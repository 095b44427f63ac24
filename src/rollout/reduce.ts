import { abort } from './abort.js'
import { setBackends } from './backends.js'
import { analysisResult } from './analysis.js'
import { commit, NOOP, type Outcome } from './draft.js'
import { pause, resume, setWeight } from './hold.js'
import { beneath } from './phase.js'
import { promote } from './promote.js'
import { retry, start } from './start.js'
import { ready, tick } from './tick.js'
import type { EngineEvent, ReduceResult, RolloutState } from './types.js'
import { versionHealth, withVersionHealth } from './version-health.js'

/**
 * The rollout engine: the next state and what the driver must do about it. Pure: time is
 * `now` (epoch ms), and the same arguments always give the same result. A no-op returns the
 * very same state object, so the driver can skip persisting it.
 *
 * Every event is reduced on the state beneath a Degraded that only says the stable has no
 * available backend, and that Degraded is laid over the result again while it lasts
 * (version-health.ts): so the handlers never see it, and the effects compare the rollout's
 * own states. A refusal names the phase shown.
 */
export function reduce(state: RolloutState, event: EngineEvent, now: number): ReduceResult {
  const base = beneath(state)
  const o = decide(base, state, event, now)
  if (o === NOOP) return { ok: true, state, effects: [], changed: false }
  if ('refused' in o) return { ok: false, error: { ...o.refused, phase: state.phase } }
  const { state: next, effects } = commit(base, o, now)
  return { ok: true, state: withVersionHealth(next), effects, changed: true }
}

function decide(s: RolloutState, shown: RolloutState, e: EngineEvent, now: number): Outcome {
  switch (e.type) {
    case 'start': return start(s, e, now)
    case 'ready': return ready(s, e, now)
    case 'promote': return promote(s, e, now)
    case 'abort': return abort(s, e, now)
    case 'retry': return retry(s, e, now)
    case 'pause': return pause(s, e, now)
    case 'resume': return resume(s, e, now)
    case 'setWeight': return setWeight(s, e, now)
    case 'tick': return tick(s, now)
    case 'analysisResult': return analysisResult(s, e, now)
    case 'versionHealth': return versionHealth(s, shown.phase, e, now)
    case 'setBackends': return setBackends(s, e, now)
  }
}
