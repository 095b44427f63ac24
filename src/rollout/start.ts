import { begin, move, type Draft, type How, type Outcome } from './draft.js'
import { abortRollout } from './ending.js'
import { planOf } from './messages.js'
import { inProgress, staticSplitOf } from './phase.js'
import { notAllowed, refuse } from './refusal.js'
import { noRoutes } from './routes.js'
import { awaitReadiness } from './strategy.js'
import type { EngineEvent, RolloutState, Strategy, VersionSpec } from './types.js'

export function start(s: RolloutState, ev: Extract<EngineEvent, { type: 'start' }>, now: number): Outcome {
  const name = ev.version.name
  if (name === s.stable.name) {
    return refuse(s, 'RAMP_ERR_ADMIN_BAD_REQUEST', `start: version "${name}" has the stable version's name; give the new version a distinct name`)
  }
  if (ev.version.backends.length === 0) return refuse(s, 'RAMP_ERR_ADMIN_BAD_REQUEST', `start: version "${name}" has no backends; give at least one`)
  let d = begin(s)
  if (inProgress(s)) {
    const current = s.canary?.name ?? 'the canary'
    if (ev.supersede !== true) {
      return refuse(s, 'RAMP_ERR_ROLLOUT_IN_PROGRESS',
        `start ${name}: the rollout of ${current} is in progress (${s.phase}, ${s.reason}); abort it first or send supersede: true`)
    }
    const superseded = abortRollout(s, { reason: 'Superseded', message: `superseded by ${name}`, actor: ev.actor }, now)
    d = move(d, superseded, { now, event: 'abort', actor: ev.actor, detail: `${current} superseded by ${name}` })
  }
  return launch(d, { canary: ev.version, strategy: ev.strategy ?? s.strategy, attempt: 1, staticSplitBp: null }, { now, event: 'start', actor: ev.actor })
}

/** Retry keeps the canary, the strategy and a static split's weight; only the attempt counts up. */
export function retry(s: RolloutState, ev: Extract<EngineEvent, { type: 'retry' }>, now: number): Outcome {
  if (s.phase !== 'Aborted' || s.canary === null) return notAllowed(s, 'retry')
  const attempt = { canary: s.canary, strategy: s.strategy, attempt: s.attempt + 1, staticSplitBp: staticSplitOf(s) }
  return launch(begin(s), attempt, { now, event: 'retry', actor: ev.actor })
}

export interface Attempt {
  canary: VersionSpec
  strategy: Strategy
  attempt: number
  staticSplitBp: number | null
}

/**
 * An attempt begins by waiting for readiness; nothing of the previous attempt carries over
 * (its runs were stopped and its routes dropped when it ended: an attempt only begins after
 * an abort or a promotion; the routes are cleared here too, so an older stored state cannot
 * carry any over). The steps make their header routes and mirror afresh.
 */
export function launch(d: Draft, a: Attempt, how: How): Draft {
  const next: RolloutState = awaitReadiness({
    ...d.state,
    canary: { name: a.canary.name, backends: [...a.canary.backends] },
    strategy: a.strategy,
    staticSplitBp: a.staticSplitBp,
    attempt: a.attempt,
    stepIndex: -1,
    weightBp: 0,
    canaryReady: false,
    pauseUntil: null,
    scaleDownAt: null,
    analysisRuns: [],
    lastAnalysis: null,
    pendingAnalysis: null,
    ...noRoutes(),
    startedAt: how.now,
    finishedAt: null,
    abort: null,
  }, how.now)
  const verb = how.event === 'retry' ? 'retried' : 'started'
  const lead = `${a.canary.name} ${verb} (attempt ${a.attempt}): ${planOf(a.strategy, a.staticSplitBp)}`
  return { ...move(d, next, { ...how, lead }), started: true }
}
