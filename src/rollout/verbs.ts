import { inScaleDownWindow } from './blue-green.js'
import { beneath, held, probing } from './phase.js'
import { beforeTraffic, checking } from './runs.js'
import type { RolloutState, Verb } from './types.js'

const ORDER: readonly Verb[] = ['start', 'promote', 'promoteFull', 'pause', 'resume', 'setWeight', 'abort', 'retry']

/**
 * The verbs that would change something now, in a fixed order; what a refused verb's 409
 * lists. A verb that is an accepted no-op (promote after the promotion, abort after the
 * abort) is left out, and so is `start` while a rollout runs (it needs `supersede`).
 */
export function allowedVerbs(s: RolloutState): Verb[] {
  const b = beneath(s)
  return ORDER.filter((v) => applies(b, v))
}

function applies(s: RolloutState, v: Verb): boolean {
  if (s.phase === 'Healthy') return v === 'start' || (v === 'abort' && inScaleDownWindow(s))
  if (s.phase === 'Aborted') return v === 'start' || (v === 'retry' && s.canary !== null)
  // Before readiness nothing can send the canary traffic; only holding or stopping applies.
  if (probing(s)) return v === 'abort' || (v === 'pause' && s.phase === 'Progressing') || (v === 'resume' && held(s))
  switch (v) {
    case 'promote':
      return !checking(s)
    case 'setWeight':
      return !beforeTraffic(s)
    case 'promoteFull':
    case 'abort':
      return true
    case 'pause':
      return s.reason !== 'ManualPause'
    case 'resume':
      return held(s)
    case 'start':
    case 'retry':
      return false
  }
}
