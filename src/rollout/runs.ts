import type { AnalysisKind, AnalysisRef, AnalysisVerdict, Gates, RolloutState } from './types.js'

/**
 * Reading and changing the analysis runs of a state. A run is either the one the rollout
 * waits on (its "stage run": a step's analysis, a webhook gate, blue/green pre- or
 * post-promotion analysis; never more than one) or the background run beside it.
 */

const NO_GATES: Gates = { preRollout: false, confirmRollout: false, confirmPromotion: false }

export function gatesOf(s: RolloutState): Gates {
  return s.options.gates ?? NO_GATES
}

export function runsOf(s: RolloutState): readonly AnalysisRef[] {
  return s.analysisRuns ?? []
}

export function pendingOf(s: RolloutState): AnalysisVerdict | null {
  return s.pendingAnalysis ?? null
}

export type StageKind = Exclude<AnalysisKind, 'background'>
export type StageRun = AnalysisRef & { kind: StageKind }

/** The run the rollout waits on, if any. */
export function stageRunOf(s: RolloutState): StageRun | null {
  return runsOf(s).find((r): r is StageRun => r.kind !== 'background') ?? null
}

export function backgroundRunOf(s: RolloutState): AnalysisRef | null {
  return runsOf(s).find((r) => r.kind === 'background') ?? null
}

/** Adds a run. Its id is unique: no two runs of one kind start in the same revision of an attempt. */
export function startRun(s: RolloutState, kind: AnalysisKind, templates: readonly string[], listener: AnalysisRef['listener'], now: number): RolloutState {
  const run: AnalysisRef = { id: `${kind}-a${s.attempt}-s${s.stepIndex}-r${s.revision + 1}`, kind, templates: [...templates], listener, startedAt: now }
  return { ...s, analysisRuns: [...runsOf(s), run] }
}

/** Drops the stage run (the background run goes on). The driver is told to stop it. */
export function stopStageRun(s: RolloutState): RolloutState {
  return { ...s, analysisRuns: runsOf(s).filter((r) => r.kind === 'background') }
}

/** Gates and blue/green pre-promotion analysis: the canary takes no main traffic while they run. */
const PRE_TRAFFIC: ReadonlySet<AnalysisKind> = new Set(['preRollout', 'confirmRollout', 'prePromotion'])
const GATES: ReadonlySet<AnalysisKind> = new Set(['preRollout', 'confirmRollout'])

/** A pre-traffic check runs, so the weight stays 0: a gate or blue/green pre-promotion analysis. */
export function preTrafficRunning(s: RolloutState): boolean {
  return runsOf(s).some((r) => PRE_TRAFFIC.has(r.kind))
}

/**
 * The canary may not take main traffic yet: a pre-traffic check runs, or a gate's verdict
 * has not been acted on (an inconclusive pre-rollout check, a gate passed under a hold).
 */
export function beforeTraffic(s: RolloutState): boolean {
  const p = pendingOf(s)
  return preTrafficRunning(s) || (p !== null && GATES.has(p.kind))
}

/** The pre-rollout webhooks or blue/green pre-promotion analysis run: promote (not full) waits for them. */
export function checking(s: RolloutState): boolean {
  const kind = stageRunOf(s)?.kind
  return kind === 'preRollout' || kind === 'prePromotion'
}

/** Blue/green: the main listener already goes to the canary (post-promotion analysis or the scale-down window). */
export function flippedOf(s: RolloutState): boolean {
  return s.scaleDownAt !== null || stageRunOf(s)?.kind === 'postPromotion' || pendingOf(s)?.kind === 'postPromotion'
}

/** "analysis canary-health", "pre-rollout webhooks": what a run is called in messages. */
export function runLabel(run: Pick<AnalysisRef, 'kind' | 'templates'>): string {
  const names = run.templates.length === 0 ? '' : ` ${run.templates.join(', ')}`
  switch (run.kind) {
    case 'preRollout': return 'pre-rollout webhooks'
    case 'confirmRollout': return 'confirm-rollout webhook'
    case 'confirmPromotion': return 'confirm-promotion webhook'
    case 'prePromotion': return `pre-promotion analysis${names}`
    case 'postPromotion': return `post-promotion analysis${names}`
    case 'background': return `background analysis${names}`
    case 'step': return `analysis${names}`
  }
}
