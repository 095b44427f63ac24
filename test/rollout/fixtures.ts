import assert from 'node:assert/strict'
import { initialState } from '../../src/rollout/initial.js'
import { reduce } from '../../src/rollout/reduce.js'
import type { Effect, EngineError, EngineEvent, RolloutState, Strategy } from '../../src/rollout/types.js'

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

export interface Boot {
  canary?: boolean
  strategy?: Strategy | null
  weightBp?: number
  deadlineAbort?: boolean
  mode?: 'canary' | 'blueGreen'
}

/** The state ramp starts with at T0 when the store is empty (a 600 s progress deadline). */
export function boot(b: Boot = {}): RolloutState {
  return initialState({
    stable: V1,
    canary: b.canary === false ? null : V2,
    strategy: b.strategy === undefined ? STEPS : b.strategy,
    weightBp: b.weightBp ?? 0,
    mode: b.mode ?? 'canary',
    options: { progressDeadlineSeconds: 600, progressDeadlineAbort: b.deadlineAbort ?? true },
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
}

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

/** Effects of one kind, to assert on without caring about the order of the others. */
export function only<T extends Effect['type']>(effects: Effect[], type: T): Array<Extract<Effect, { type: T }>> {
  return effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type)
}
