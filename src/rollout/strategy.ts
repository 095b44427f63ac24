import { FULL_BP } from '../routing/weight.js'
import { beginBlueGreen, flip, promoteBlueGreen, resumeBlueGreen, scaleDown, waitBlueGreen } from './blue-green.js'
import { enterStep, promoteCanary, restartBackground, resumeCanary, stepWeightBp } from './canary.js'
import { awaitPromotionConfirmation, complete, finish } from './ending.js'
import { staticSplitOf } from './phase.js'
import { beforeTraffic, flippedOf, gatesOf, pendingOf, stageRunOf, startRun, stopStageRun, type StageKind } from './runs.js'
import type { AnalysisKind, AnalysisVerdict, Phase, Reason, RolloutState } from './types.js'

/** Probing starts (or starts over): the canary has the progress deadline to become ready. */
export function awaitReadiness(s: RolloutState, now: number): RolloutState {
  return { ...s, phase: 'Progressing', reason: 'WaitingForReadiness', progressDeadlineAt: now + s.options.progressDeadlineSeconds * 1000 }
}

/**
 * The canary just became ready: the pre-rollout webhooks, then the confirm-rollout gate, then
 * the strategy. Both gates run at weight 0; the canary is reachable on the preview listener only.
 */
export function beginRollout(s: RolloutState, now: number): RolloutState {
  if (!gatesOf(s).preRollout) return confirmRollout(s, now)
  return startRun({ ...s, phase: 'Progressing', reason: 'PreRolloutChecks', weightBp: 0 }, 'preRollout', [], 'preview', now)
}

function confirmRollout(s: RolloutState, now: number): RolloutState {
  if (!gatesOf(s).confirmRollout) return runStrategy(s, now)
  return startRun({ ...s, phase: 'Paused', reason: 'WaitingForConfirmation', weightBp: 0 }, 'confirmRollout', [], 'preview', now)
}

/**
 * Ready under a manual hold: the strategy waits for resume, but the first pre-traffic check
 * (a gate, or blue/green pre-promotion analysis) starts. It moves no traffic, like the
 * readiness probe, which goes on under a hold too; and resume can then tell a hold taken
 * before the checks from one taken after them, which the state could not otherwise say.
 */
export function beginChecksUnderHold(s: RolloutState, now: number): RolloutState {
  const g = gatesOf(s)
  if (g.preRollout) return startRun(s, 'preRollout', [], 'preview', now)
  if (g.confirmRollout) return startRun(s, 'confirmRollout', [], 'preview', now)
  const pre = s.strategy.type === 'blueGreen' && staticSplitOf(s) === null ? s.strategy.prePromotionAnalysis ?? null : null
  return pre === null ? s : startRun(s, 'prePromotion', pre.templates, 'preview', now)
}

/** Past the gates: run the strategy from its start. */
export function runStrategy(s: RolloutState, now: number): RolloutState {
  const split = staticSplitOf(s)
  if (split !== null) return { ...s, phase: 'Paused', reason: 'StaticSplit', weightBp: split }
  return s.strategy.type === 'canary' ? enterStep(s, s.strategy.steps, 0, now) : beginBlueGreen(s, s.strategy, now)
}

/**
 * Where the rollout goes once the run it waited on passed, or once a person promotes past it
 * (every kind: promote treats what the rollout waits on as passed). The run is gone already.
 */
export function onSuccess(s: RolloutState, kind: AnalysisKind, now: number): RolloutState {
  const st = s.strategy
  switch (kind) {
    case 'preRollout': return confirmRollout(s, now)
    case 'confirmRollout': return runStrategy(s, now)
    case 'step': return st.type === 'canary' ? promoteCanary(s, st.steps, now) : s
    case 'background': return s
    case 'prePromotion': return st.type === 'blueGreen' ? waitBlueGreen(s, st, now) : s
    case 'postPromotion': return st.type === 'blueGreen' ? scaleDown(s, st, now) : s
    case 'confirmPromotion': return st.type === 'blueGreen' && staticSplitOf(s) === null ? flip(s, st, now) : complete(s, now)
  }
}

/** Paused on a verdict, kept in `pendingAnalysis` until promote goes past it or abort. */
export function stopOn(s: RolloutState, v: AnalysisVerdict, reason: 'InconclusiveAnalysis' | 'AnalysisFailed'): RolloutState {
  return { ...s, phase: 'Paused', reason, pauseUntil: null, pendingAnalysis: v }
}

/**
 * A verdict acted on as if it had just arrived outside a hold; what resume does with a
 * pending one. A pending Failed is a step's with onFailure: pause (any other Failed aborts as
 * it arrives, hold or not).
 */
function actOn(s: RolloutState, v: AnalysisVerdict, now: number): RolloutState {
  if (v.result === 'Successful') return onSuccess(s, v.kind, now)
  return stopOn(s, v, v.result === 'Failed' ? 'AnalysisFailed' : 'InconclusiveAnalysis')
}

const WAITING: Record<StageKind, [Phase, Reason]> = {
  step: ['Progressing', 'RunningAnalysis'],
  preRollout: ['Progressing', 'PreRolloutChecks'],
  confirmRollout: ['Paused', 'WaitingForConfirmation'],
  prePromotion: ['Progressing', 'PrePromotionAnalysis'],
  postPromotion: ['Progressing', 'PostPromotionAnalysis'],
  confirmPromotion: ['Paused', 'WaitingForPromotionConfirmation'],
}

/**
 * The position a manual hold stands on, at its weight: 0 before the gates passed, the split's
 * or the step's weight, blue/green 0 before the flip and 100% after.
 */
function restore(s: RolloutState): RolloutState {
  if (beforeTraffic(s)) return { ...s, weightBp: 0 }
  const split = staticSplitOf(s)
  if (split !== null) return { ...s, weightBp: split }
  if (s.strategy.type === 'canary') return { ...s, weightBp: stepWeightBp(s.strategy.steps, s.stepIndex) }
  return { ...s, weightBp: flippedOf(s) ? FULL_BP : 0 }
}

/**
 * `promote` (not full): past whatever the rollout waits on, as if it had passed: a verdict it
 * stands on (a background one also restarts the background run), a running analysis or gate
 * (stopped; a person's promote wins over a confirm gate), a pause; one step further.
 * The pre-rollout checks and blue/green pre-promotion analysis refuse it (promote.ts).
 */
export function promoteOnce(s: RolloutState, now: number): RolloutState {
  const pending = pendingOf(s)
  if (pending !== null) {
    const base: RolloutState = { ...restore(s), pendingAnalysis: null }
    if (pending.kind === 'background' && base.strategy.type === 'canary') return promoteCanary(restartBackground(base, now), base.strategy.steps, now)
    return onSuccess(base, pending.kind, now)
  }
  const run = stageRunOf(s)
  if (run !== null) return onSuccess(stopStageRun(restore(s)), run.kind, now)
  if (staticSplitOf(s) !== null) return finish(s, now)
  return s.strategy.type === 'canary' ? promoteCanary(s, s.strategy.steps, now) : promoteBlueGreen(s, s.strategy, now)
}

/**
 * `promote --full`: the promotion now, past every step and analysis. With a confirm-promotion
 * gate not yet passed (blue/green: before the flip) it waits for the gate first, like any
 * promotion; a full promote while the gate waits overrides it.
 */
export function promoteFull(s: RolloutState, now: number): RolloutState {
  const gated = gatesOf(s).confirmPromotion && stageRunOf(s)?.kind !== 'confirmPromotion' && pendingOf(s)?.kind !== 'confirmPromotion' &&
    !(s.strategy.type === 'blueGreen' && flippedOf(s))
  return gated ? awaitPromotionConfirmation(restore(s), now) : complete(s, now)
}

/**
 * `resume`: end a manual hold. A hold taken while waiting for readiness goes back to waiting,
 * with a fresh deadline: as in Argo Rollouts, time spent paused does not count against
 * progress. A verdict that arrived under the hold is acted on now; a run still going is waited
 * on again, at the position's weight.
 */
export function resumeStrategy(s: RolloutState, now: number): RolloutState {
  if (!s.canaryReady) return awaitReadiness(s, now)
  const pending = pendingOf(s)
  if (pending !== null) return actOn({ ...restore(s), pendingAnalysis: null }, pending, now)
  const run = stageRunOf(s)
  if (run !== null) {
    const [phase, reason] = WAITING[run.kind]
    return { ...restore(s), phase, reason }
  }
  if (staticSplitOf(s) !== null) return runStrategy(s, now)
  return s.strategy.type === 'canary' ? resumeCanary(s, s.strategy.steps, now) : resumeBlueGreen(s, s.strategy, now)
}
