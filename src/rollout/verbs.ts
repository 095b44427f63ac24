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
  return ORDER.filter((v) => whyNot(b, v) === null)
}

/**
 * Each verb that does not apply now, with why, in words a person acts on (the dashboard shows
 * them beside its disabled buttons): `{ retry: "retry restarts an aborted rollout; ..." }`.
 */
export function verbsNotAllowed(s: RolloutState): Partial<Record<Verb, string>> {
  const b = beneath(s)
  const out: Partial<Record<Verb, string>> = {}
  for (const v of ORDER) {
    const why = whyNot(b, v)
    if (why !== null) out[v] = why
  }
  return out
}

/** Null when `v` applies to `s`; otherwise the reason it does not. The one rule behind both lists above. */
function whyNot(s: RolloutState, v: Verb): string | null {
  const canary = s.canary?.name ?? 'the canary'
  if (s.phase === 'Healthy') {
    if (v === 'start') return null
    // Blue/green keeps the version it replaced for the scale-down delay, a target for abort.
    if (v === 'abort' && inScaleDownWindow(s)) return null
    return 'no rollout is in progress: deploy a new version first'
  }
  if (s.phase === 'Aborted') {
    if (v === 'start') return null
    if (v === 'retry') return s.canary === null ? 'there is no aborted version to retry' : null
    return `the rollout of ${canary} was aborted: retry it or deploy a new version`
  }
  if (v === 'start') return `the rollout of ${canary} is in progress: abort it first, or deploy with supersede`
  if (v === 'retry') return 'retry restarts an aborted rollout, and this one is in progress'
  // Before readiness nothing can send the canary traffic; only holding or stopping applies.
  if (probing(s)) {
    if (v === 'abort') return null
    if (v === 'pause') return s.phase === 'Progressing' ? null : `the rollout is ${s.phase} (${s.reason}), not progressing`
    if (v === 'resume') return held(s) ? null : 'nothing is held by hand'
    return `${canary} is not ready yet: not every backend answers its readiness probe`
  }
  switch (v) {
    case 'promote':
      return checking(s) ? 'the checks before traffic decide this step: wait for their verdict, or promote full' : null
    case 'setWeight':
      return beforeTraffic(s) ? `${canary} takes no main traffic until its checks before traffic pass` : null
    case 'promoteFull':
    case 'abort':
      return null
    case 'pause':
      return s.reason === 'ManualPause' ? 'the rollout is already paused by hand' : null
    case 'resume':
      return held(s) ? null : 'resume clears only a manual pause or weight; promote goes on to the next step'
  }
}
