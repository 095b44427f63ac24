import { staticSplitOf } from './phase.js'
import { noRoutes } from './routes.js'
import { gatesOf, startRun, stopStageRun } from './runs.js'
import type { Reason, RolloutState } from './types.js'

export interface AbortCause {
  reason: Extract<Reason, 'AbortedByAdmin' | 'ProgressDeadlineExceeded' | 'Superseded' | 'AnalysisFailed'>
  message: string
  actor: string
}

/**
 * The canary becomes the stable version; the old stable is kept as `previousStable` for undo.
 * Every analysis run stops (the effects say so); the last verdict stays for status. The
 * steps' header routes and mirror go with the canary.
 */
export function complete(s: RolloutState, now: number): RolloutState {
  return {
    ...s,
    phase: 'Healthy',
    reason: 'Promoted',
    previousStable: s.stable,
    stable: s.canary ?? s.stable,
    canary: null,
    weightBp: 0,
    stepIndex: -1,
    canaryReady: false,
    pauseUntil: null,
    progressDeadlineAt: null,
    scaleDownAt: null,
    staticSplitBp: null,
    analysisRuns: [],
    pendingAnalysis: null,
    ...noRoutes(),
    finishedAt: now,
  }
}

/**
 * The rollout would now be promoted (a canary's steps ran out, a static split or a canary is
 * promoted, a blue/green flip is due): with a confirm-promotion gate, wait for it first, at
 * the weight `s` has. The run the rollout waited on stops; the background run goes on.
 */
export function finish(s: RolloutState, now: number): RolloutState {
  return gatesOf(s).confirmPromotion ? awaitPromotionConfirmation(s, now) : complete(s, now)
}

/** Blue/green waits before the flip, so the canary is on the preview listener only; a canary serves main traffic. */
export function awaitPromotionConfirmation(s: RolloutState, now: number): RolloutState {
  const waiting: RolloutState = { ...stopStageRun(s), phase: 'Paused', reason: 'WaitingForPromotionConfirmation', pauseUntil: null, pendingAnalysis: null }
  const preview = s.strategy.type === 'blueGreen' && staticSplitOf(s) === null
  return startRun(waiting, 'confirmPromotion', [], preview ? 'preview' : 'main', now)
}

/**
 * Stable takes 100% again. The canary stays named (but not ready: a retry probes it afresh)
 * and so do the step and the strategy, for `retry`. Every analysis run stops, and the steps'
 * header routes and mirror are dropped (a retry's steps make them again).
 */
export function abortRollout(s: RolloutState, cause: AbortCause, now: number): RolloutState {
  return {
    ...s,
    phase: 'Aborted',
    reason: cause.reason,
    weightBp: 0,
    canaryReady: false,
    pauseUntil: null,
    progressDeadlineAt: null,
    scaleDownAt: null,
    analysisRuns: [],
    pendingAnalysis: null,
    ...noRoutes(),
    abort: { ...cause, at: now },
    finishedAt: now,
  }
}
