import assert from 'node:assert/strict'
import { initialState } from '../../src/rollout/initial.js'
import { reduce } from '../../src/rollout/reduce.js'
import type { AnalysisKind, AnalysisRef, AnalysisResult, Effect, EngineError, EngineEvent, Gates, RolloutState, Strategy } from '../../src/rollout/types.js'
import type { MatchCondition } from '../../src/routing/types.js'

/** 2024-01-01T12:00:00Z, so clock times in messages read 12:MM:SS. */
export const T0 = Date.UTC(2024, 0, 1, 12, 0, 0)
export const s = (seconds: number): number => seconds * 1000

export const V1 = { name: 'v1', backends: ['http://127.0.0.1:9001'] }
export const V2 = { name: 'v2', backends: ['http://127.0.0.1:9002', 'http://127.0.0.1:9003'] }
export const V3 = { name: 'v3', backends: ['http://127.0.0.1:9004'] }

/** Five steps: a pause for promote at step 2/5 and a one-minute pause at step 4/5. */
export const STEPS: Strategy = {
  type: 'canary',
  steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: { durationMs: s(60) } }, { setWeight: 80 }],
}
export const BG: Strategy = { type: 'blueGreen', autoPromotionEnabled: false, autoPromotionSeconds: null, scaleDownDelaySeconds: 30 }
export const BG_AUTO: Strategy = { type: 'blueGreen', autoPromotionEnabled: true, autoPromotionSeconds: 120, scaleDownDelaySeconds: 30 }

/** Five steps; step 3/5 is an analysis at 40% that aborts on failure, step 4/5 a pause for promote. */
export const AN_STEPS: Strategy = {
  type: 'canary',
  steps: [{ setWeight: 20 }, { setWeight: 40 }, { analysis: { templates: ['canary-health'], onFailure: 'abort' } }, { pause: {} }, { setWeight: 80 }],
}
/** The same, but a failed analysis pauses. */
export const AN_PAUSE: Strategy = {
  type: 'canary',
  steps: [{ setWeight: 20 }, { setWeight: 40 }, { analysis: { templates: ['canary-health'], onFailure: 'pause' } }, { pause: {} }, { setWeight: 80 }],
}
/** Blue/green with pre- and post-promotion analysis, no auto-promotion, a 30 s scale-down delay. */
export const BG_CHECKED: Strategy = { ...BG, prePromotionAnalysis: { templates: ['pre-health'] }, postPromotionAnalysis: { templates: ['post-health'] } }
/** `x-team: qa` and `x-team: dev`, the conditions of the header-route fixtures. */
export const QA: MatchCondition[] = [{ headerName: 'x-team', headerValue: { exact: 'qa' } }]
export const DEV: MatchCondition[] = [{ headerName: 'x-team', headerValue: { exact: 'dev' } }]
/**
 * Header route and mirror steps: at the pause of step 4/7 (index 3), route testers and mirror
 * shadow (50% of x-team: qa) at 20%; at the pause of step 7/7 (index 6) both removed, still at 20%.
 */
export const ROUTE_STEPS: Strategy = {
  type: 'canary',
  steps: [
    { setHeaderRoute: { name: 'testers', match: QA } }, { setMirrorRoute: { name: 'shadow', percentage: 50, match: QA } }, { setWeight: 20 }, { pause: {} },
    { setHeaderRoute: { name: 'testers' } }, { setMirrorRoute: { name: 'shadow' } }, { pause: {} },
  ],
}
/**
 * A dark launch: every request mirrored and x-team: qa routed to the canary at weight 0 while
 * the analysis of step 3/5 (index 2, aborting on failure) judges it; then 20% and a pause.
 * Background analysis from step 1.
 */
export const DARK: Strategy = {
  type: 'canary',
  steps: [
    { setMirrorRoute: { name: 'shadow', percentage: 100 } }, { setHeaderRoute: { name: 'testers', match: QA } },
    { analysis: { templates: ['shadow-health'], onFailure: 'abort' } }, { setWeight: 20 }, { pause: {} },
  ],
  analysis: { templates: ['bg-health'], startingStep: 0 },
}
export const ALL_GATES: Gates = { preRollout: true, confirmRollout: true, confirmPromotion: true }
export const gates = (g: Partial<Gates>): Gates => ({ preRollout: false, confirmRollout: false, confirmPromotion: false, ...g })

export interface Boot {
  canary?: boolean
  strategy?: Strategy | null
  weightBp?: number
  deadlineAbort?: boolean
  mode?: 'canary' | 'blueGreen'
  gates?: Gates
}

/** The state ramp starts with at T0 when the store is empty (a 600 s progress deadline). */
export function boot(b: Boot = {}): RolloutState {
  return initialState({
    stable: V1,
    canary: b.canary === false ? null : V2,
    strategy: b.strategy === undefined ? STEPS : b.strategy,
    weightBp: b.weightBp ?? 0,
    mode: b.mode ?? 'canary',
    options: { progressDeadlineSeconds: 600, progressDeadlineAbort: b.deadlineAbort ?? true, ...(b.gates === undefined ? {} : { gates: b.gates }) },
    now: T0,
  }).state
}

export type At = [EngineEvent, number]

/** Applies events at T0 + offset; every one must be accepted. */
export function play(state: RolloutState, ...events: At[]): RolloutState {
  return events.reduce((st, [e, at]) => accepted(st, e, T0 + at).state, state)
}

export function accepted(state: RolloutState, e: EngineEvent, now: number): { state: RolloutState; effects: Effect[]; changed: boolean } {
  const r = reduce(state, e, now)
  assert.ok(r.ok, r.ok ? '' : `${e.type} refused: ${r.error.message}`)
  return r
}

export function refused(state: RolloutState, e: EngineEvent, now: number): EngineError {
  const r = reduce(state, e, now)
  assert.ok(!r.ok, `${e.type} was accepted in ${state.phase}/${state.reason}`)
  return r.error
}

export const ev = {
  start: (version = V3, more: { strategy?: Strategy; supersede?: boolean } = {}): EngineEvent => ({ type: 'start', version, actor: 'admin', ...more }),
  ready: (version = 'v2'): EngineEvent => ({ type: 'ready', version }),
  promote: (actor = 'admin'): EngineEvent => ({ type: 'promote', full: false, actor }),
  promoteFull: (actor = 'admin'): EngineEvent => ({ type: 'promote', full: true, actor }),
  abort: (message?: string, actor = 'admin'): EngineEvent => (message === undefined ? { type: 'abort', actor } : { type: 'abort', actor, message }),
  retry: (actor = 'admin'): EngineEvent => ({ type: 'retry', actor }),
  pause: (actor = 'admin'): EngineEvent => ({ type: 'pause', actor }),
  resume: (actor = 'admin'): EngineEvent => ({ type: 'resume', actor }),
  setWeight: (weightBp: number, actor = 'admin'): EngineEvent => ({ type: 'setWeight', weightBp, actor }),
  tick: (): EngineEvent => ({ type: 'tick' }),
  result: (id: string, result: AnalysisResult, message = ''): EngineEvent => ({ type: 'analysisResult', id, result, message }),
}

/** The run of `kind` in progress; fails the test when there is none. */
export function runOf(st: RolloutState, kind: AnalysisKind): AnalysisRef {
  const run = (st.analysisRuns ?? []).find((r) => r.kind === kind)
  assert.ok(run !== undefined, `no ${kind} run in ${st.phase}/${st.reason}: ${JSON.stringify(st.analysisRuns)}`)
  return run
}

/** The verdict event for the run of `kind` in progress. */
export function verdict(st: RolloutState, kind: AnalysisKind, result: AnalysisResult, message = ''): EngineEvent {
  return ev.result(runOf(st, kind).id, result, message)
}

/** Applies the verdict for the run of `kind` at T0 + offset. */
export function judge(st: RolloutState, kind: AnalysisKind, result: AnalysisResult, at: number, message = ''): RolloutState {
  return accepted(st, verdict(st, kind, result, message), T0 + at).state
}

export const kinds = (st: RolloutState): string[] => (st.analysisRuns ?? []).map((r) => r.kind)
export const phaseOf = (st: { phase: string; reason: string }): string => `${st.phase}/${st.reason}`

/**
 * One state per phase and reason worth telling apart, each reached through the engine itself
 * (so the fixtures cannot drift from what reduce produces). Times are offsets from T0.
 */
export const states = {
  healthy: () => boot({ canary: false }),
  promoted: () => play(boot(), [ev.ready(), s(10)], [ev.promoteFull(), s(20)]),
  waiting: () => boot(),
  degraded: () => play(boot({ deadlineAbort: false }), [ev.tick(), s(600)]),
  heldWaiting: () => play(boot(), [ev.pause('alice'), s(5)]),
  heldReady: () => play(boot(), [ev.pause('alice'), s(5)], [ev.ready(), s(10)]),
  canaryPauseStep: () => play(boot(), [ev.ready(), s(10)]),
  timedPause: () => play(boot(), [ev.ready(), s(10)], [ev.promote(), s(20)]),
  manualPause: () => play(boot(), [ev.ready(), s(10)], [ev.pause('alice'), s(20)]),
  manualWeight: () => play(boot(), [ev.ready(), s(10)], [ev.setWeight(3500, 'alice'), s(20)]),
  staticSplit: () => play(boot({ strategy: null, weightBp: 2000 }), [ev.ready(), s(10)]),
  blueGreenPause: () => play(boot({ strategy: BG }), [ev.ready(), s(10)]),
  scaleDownDelay: () => play(boot({ strategy: BG }), [ev.ready(), s(10)], [ev.promote(), s(20)]),
  abortedByAdmin: () => play(boot(), [ev.ready(), s(10)], [ev.abort(), s(20)]),
  abortedDeadline: () => play(boot(), [ev.tick(), s(600)]),
}
export type Fixture = keyof typeof states

/** States of analysis runs and webhook gates, reached the same way. */
export const analysisStates = {
  preRolloutChecks: () => play(boot({ gates: ALL_GATES }), [ev.ready(), s(10)]),
  waitingForConfirmation: () => play(boot({ gates: gates({ confirmRollout: true }) }), [ev.ready(), s(10)]),
  runningAnalysis: () => play(boot({ strategy: AN_STEPS }), [ev.ready(), s(10)]),
  heldAnalysis: () => play(boot({ strategy: AN_STEPS }), [ev.ready(), s(10)], [ev.pause('alice'), s(20)]),
  inconclusiveAnalysis: () => judge(play(boot({ strategy: AN_STEPS }), [ev.ready(), s(10)]), 'step', 'Inconclusive', s(30), 'only 12 requests'),
  analysisFailedPaused: () => judge(play(boot({ strategy: AN_PAUSE }), [ev.ready(), s(10)]), 'step', 'Failed', s(30), 'success-rate 0.962 < 0.99 over 412 requests'),
  abortedAnalysis: () => judge(play(boot({ strategy: AN_STEPS }), [ev.ready(), s(10)]), 'step', 'Failed', s(30), 'success-rate 0.962 < 0.99 over 412 requests'),
  waitingForPromotionConfirmation: () => play(boot({ gates: gates({ confirmPromotion: true }) }), [ev.ready(), s(10)], [ev.promoteFull(), s(20)]),
  prePromotionAnalysis: () => play(boot({ strategy: BG_CHECKED }), [ev.ready(), s(10)]),
  prePromotionInconclusive: () => judge(play(boot({ strategy: BG_CHECKED }), [ev.ready(), s(10)]), 'prePromotion', 'Inconclusive', s(20)),
  postPromotionAnalysis: () => play(judge(play(boot({ strategy: BG_CHECKED }), [ev.ready(), s(10)]), 'prePromotion', 'Successful', s(20)), [ev.promote(), s(30)]),
}
export type AnalysisFixture = keyof typeof analysisStates

/** States with header routes and a mirror, reached the same way. */
export const routeStates = {
  routed: () => play(boot({ strategy: ROUTE_STEPS }), [ev.ready(), s(10)]),
  routesRemoved: () => play(boot({ strategy: ROUTE_STEPS }), [ev.ready(), s(10)], [ev.promote(), s(20)]),
  darkLaunch: () => play(boot({ strategy: DARK }), [ev.ready(), s(10)]),
  darkLaunchAt20: () => judge(play(boot({ strategy: DARK }), [ev.ready(), s(10)]), 'step', 'Successful', s(20)),
}
export type RouteFixture = keyof typeof routeStates

/** Effects of one kind, to assert on without caring about the order of the others. */
export function only<T extends Effect['type']>(effects: Effect[], type: T): Array<Extract<Effect, { type: T }>> {
  return effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type)
}
