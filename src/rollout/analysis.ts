import { begin, move, NOOP, type Outcome } from './draft.js'
import { abortRollout } from './ending.js'
import { held } from './phase.js'
import { runLabel, runsOf, stageRunOf, startRun, stopStageRun } from './runs.js'
import { onSuccess, stopOn } from './strategy.js'
import type { AnalysisRef, AnalysisVerdict, EngineEvent, RolloutState } from './types.js'

type ResultEvent = Extract<EngineEvent, { type: 'analysisResult' }>

/**
 * The runner's verdict on a run. A verdict for a run the engine no longer waits on (stopped by
 * promote, abort, a retry or a newer rollout) changes nothing. Otherwise the run leaves
 * `analysisRuns` (it ended by itself: no stop effect), `lastAnalysis` records the verdict, and:
 *
 * | run | Successful | Failed | Inconclusive |
 * | --- | --- | --- | --- |
 * | preRollout | confirm-rollout gate, or the strategy | abort | Paused/InconclusiveAnalysis |
 * | confirmRollout, confirmPromotion | the strategy; the promotion (blue/green: the flip) | asked again, still waiting | asked again |
 * | step | next step | onFailure abort: abort; pause: Paused/AnalysisFailed | Paused/InconclusiveAnalysis |
 * | background | ends (recorded) | abort, at any step | Paused/InconclusiveAnalysis (the step's run stops) |
 * | prePromotion | the pre-promotion wait | abort | Paused/InconclusiveAnalysis |
 * | postPromotion | the scale-down delay | abort (flips back) | Paused/InconclusiveAnalysis |
 *
 * Under a manual hold (pause, setWeight) the runs go on. A Failed that aborts still aborts:
 * a hold is a person looking, not a licence for a bad version to keep its traffic. Any other
 * verdict is kept in `pendingAnalysis`, with the hold: resume acts on it then, promote goes
 * past it. A confirm gate that did not pass is asked again, hold or not.
 */
export function analysisResult(s: RolloutState, ev: ResultEvent, now: number): Outcome {
  const run = runsOf(s).find((r) => r.id === ev.id)
  if (run === undefined) return NOOP
  const verdict: AnalysisVerdict = { id: run.id, kind: run.kind, result: ev.result, message: ev.message, at: now }
  const rest: RolloutState = { ...s, analysisRuns: runsOf(s).filter((r) => r.id !== run.id), lastAnalysis: verdict }
  const how = { now, event: 'analysisResult', actor: 'ramp', lead: `${runLabel(run)} ${ev.result}` }
  const d = { ...begin(s), finished: [run.id] }
  if (!held(s)) return move(d, decide(rest, run, verdict, now), how)
  const next = underHold(rest, run, verdict, now)
  // The hold's message names who holds it, which the state cannot rebuild; an abort says its own.
  return move(d, next, next.phase === 'Aborted' ? how : { ...how, message: s.message })
}

function decide(s: RolloutState, run: AnalysisRef, v: AnalysisVerdict, now: number): RolloutState {
  if (isConfirmGate(run) && v.result !== 'Successful') return askAgain(s, run, now)
  switch (v.result) {
    case 'Successful':
      return onSuccess(s, run.kind, now)
    case 'Failed':
      return abortsOnFailure(s, run) ? failed(s, run, v, now) : stopOn(s, v, 'AnalysisFailed')
    case 'Inconclusive':
      if (run.kind !== 'background') return stopOn(s, v, 'InconclusiveAnalysis')
      return waitsOnPromotionGate(s) ? s : stopOn(stopStageRun(s), v, 'InconclusiveAnalysis')
  }
}

function underHold(s: RolloutState, run: AnalysisRef, v: AnalysisVerdict, now: number): RolloutState {
  if (isConfirmGate(run) && v.result !== 'Successful') return askAgain(s, run, now)
  if (v.result === 'Failed' && abortsOnFailure(s, run)) return failed(s, run, v, now)
  if (run.kind !== 'background') return { ...s, pendingAnalysis: v }
  if (v.result === 'Successful' || waitsOnPromotionGate(s)) return s
  return { ...stopStageRun(s), pendingAnalysis: v }
}

function isConfirmGate(run: AnalysisRef): boolean {
  return run.kind === 'confirmRollout' || run.kind === 'confirmPromotion'
}

/**
 * A background verdict while the confirm-promotion gate waits: the steps are over, so there
 * is none to pause on or to resume; the rollout keeps waiting for the gate (a Failed still aborts).
 */
function waitsOnPromotionGate(s: RolloutState): boolean {
  return stageRunOf(s)?.kind === 'confirmPromotion'
}

/** The runner only reports Successful for a confirm gate; anything else, the gate is asked again. */
function askAgain(s: RolloutState, run: AnalysisRef, now: number): RolloutState {
  return startRun(s, run.kind, run.templates, run.listener, now)
}

/** Only a step's analysis may pause instead (onFailure: pause); a confirm gate never fails. */
function abortsOnFailure(s: RolloutState, run: AnalysisRef): boolean {
  if (run.kind !== 'step') return true
  const step = s.strategy.type === 'canary' ? s.strategy.steps[s.stepIndex] : undefined
  return step === undefined || !('analysis' in step) || step.analysis.onFailure === 'abort'
}

/** "analysis canary-health failed: success-rate 0.962 < 0.99 over 412 requests" */
function failed(s: RolloutState, run: AnalysisRef, v: AnalysisVerdict, now: number): RolloutState {
  const message = `${runLabel(run)} failed${v.message === '' ? '' : `: ${v.message}`}`
  return abortRollout(s, { reason: 'AnalysisFailed', message, actor: 'ramp' }, now)
}
