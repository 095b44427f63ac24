import { abort } from './abort.js'
import { setBackends } from './backends.js'
import { analysisResult } from './analysis.js'
import { commit, NOOP, type Outcome } from './draft.js'
import { pause, resume, setWeight } from './hold.js'
import { promote } from './promote.js'
import { retry, start } from './start.js'
import { ready, tick } from './tick.js'
import type { EngineEvent, ReduceResult, RolloutState } from './types.js'

/**
 * The rollout engine: the next state and what the driver must do about it. Pure: time is
 * `now` (epoch ms), and the same arguments always give the same result. A no-op returns the
 * very same state object, so the driver can skip persisting it.
 */
export function reduce(state: RolloutState, event: EngineEvent, now: number): ReduceResult {
  const o = decide(state, event, now)
  if (o === NOOP) return { ok: true, state, effects: [], changed: false }
  if ('refused' in o) return { ok: false, error: o.refused }
  return { ok: true, ...commit(state, o, now), changed: true }
}

function decide(s: RolloutState, e: EngineEvent, now: number): Outcome {
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
    case 'setBackends': return setBackends(s, e, now)
  }
}
