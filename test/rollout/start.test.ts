import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { initialState } from '../../src/rollout/initial.js'
import type { RolloutState, Strategy } from '../../src/rollout/types.js'
import { accepted, BG, boot, ev, only, play, s, states, STEPS, T0, V1, V2, V3 } from './fixtures.js'

const at = (offset: number): number => T0 + offset

describe('start', () => {
  test('from Healthy: waits for readiness with a fresh attempt', () => {
    const before = states.healthy()
    const r = accepted(before, ev.start(V3, { strategy: STEPS }), at(s(5)))
    const st = r.state
    assert.equal(`${st.phase}/${st.reason}`, 'Progressing/WaitingForReadiness')
    assert.deepEqual(st.canary, V3)
    assert.deepEqual(st.strategy, STEPS)
    assert.deepEqual([st.stepIndex, st.weightBp, st.canaryReady, st.attempt], [-1, 0, false, 1])
    assert.deepEqual([st.startedAt, st.finishedAt, st.abort], [at(s(5)), null, null])
    assert.equal(st.progressDeadlineAt, at(s(605)))
    assert.deepEqual(r.effects, [
      { type: 'record', entry: { at: at(s(5)), event: 'start', actor: 'admin', from: 'Healthy', to: 'Progressing', detail: 'v3 started (attempt 1): canary, 5 steps; Progressing: waiting for v3 to be ready, deadline 12:10:05' } },
      { type: 'probeReadiness', version: V3 },
      { type: 'timer', at: at(s(605)) },
    ])
  })

  test('without a strategy it keeps the state\'s strategy', () => {
    const st = play(boot({ canary: false, strategy: BG }), [ev.start(), s(5)])
    assert.deepEqual(st.strategy, BG)
  })

  test('after a promotion the new stable is replaced the same way', () => {
    const st = play(states.promoted(), [ev.start(), s(30)])
    assert.equal(st.stable.name, 'v2')
    assert.equal(st.previousStable?.name, 'v1')
    assert.equal(st.canary?.name, 'v3')
  })

  test('from Aborted: replaces the aborted canary and clears the abort', () => {
    const st = play(states.abortedByAdmin(), [ev.start(), s(30)])
    assert.equal(st.canary?.name, 'v3')
    assert.equal(st.abort, null)
    assert.equal(st.attempt, 1)
  })
})

describe('supersede', () => {
  test('records the abort of the old rollout, then the start, in one revision', () => {
    const before = states.canaryPauseStep()
    const r = accepted(before, ev.start(V3, { supersede: true }), at(s(30)))
    assert.equal(r.state.revision, before.revision + 1)
    assert.deepEqual(only(r.effects, 'record').map((e) => [e.entry.event, e.entry.from, e.entry.to, e.entry.detail]), [
      ['abort', 'Paused', 'Aborted', 'v2 superseded by v3'],
      ['start', 'Aborted', 'Progressing', 'v3 started (attempt 1): canary, 5 steps; Progressing: waiting for v3 to be ready, deadline 12:10:30'],
    ])
    assert.deepEqual(r.effects.filter((e) => e.type !== 'record').map((e) => e.type), ['probeReadiness', 'publish', 'timer'])
    assert.equal(r.state.abort, null, 'Superseded is only ever seen in history')
  })

  test('a rollout still probing is stopped before the new probe starts', () => {
    const r = accepted(states.waiting(), ev.start(V3, { supersede: true }), at(s(30)))
    assert.deepEqual(r.effects.filter((e) => e.type !== 'record'), [
      { type: 'stopReadiness' },
      { type: 'probeReadiness', version: V3 },
      { type: 'timer', at: at(s(630)) },
    ])
  })

  test('superseding with the same version name probes it afresh', () => {
    const r = accepted(states.waiting(), ev.start({ name: 'v2', backends: ['http://127.0.0.1:9009'] }, { supersede: true }), at(s(30)))
    assert.deepEqual(r.effects.filter((e) => e.type === 'stopReadiness' || e.type === 'probeReadiness').map((e) => e.type), ['stopReadiness', 'probeReadiness'])
    assert.deepEqual(r.state.canary?.backends, ['http://127.0.0.1:9009'])
  })
})

describe('retry', () => {
  test('restarts the aborted canary from step 0 with the next attempt number', () => {
    const r = accepted(states.abortedByAdmin(), ev.retry('cli'), at(s(30)))
    assert.equal(r.state.reason, 'WaitingForReadiness')
    assert.equal(r.state.attempt, 2)
    assert.deepEqual(r.state.canary, V2)
    assert.equal(r.state.stepIndex, -1)
    assert.equal(r.state.abort, null)
    assert.deepEqual(only(r.effects, 'probeReadiness'), [{ type: 'probeReadiness', version: V2 }])
    assert.equal(only(r.effects, 'record')[0]?.entry.detail, 'v2 retried (attempt 2): canary, 5 steps; Progressing: waiting for v2 to be ready, deadline 12:10:30')
    assert.equal(play(r.state, [ev.ready(), s(40)]).reason, 'CanaryPauseStep')
  })

  test('a deadline abort can be retried too', () => {
    assert.equal(play(states.abortedDeadline(), [ev.retry(), s(700)]).attempt, 2)
  })
})

describe('initialState', () => {
  const options = { progressDeadlineSeconds: 600, progressDeadlineAbort: true }
  test('no canary: Healthy at revision 0, no effects, an empty canary strategy', () => {
    const { state, effects } = initialState({ stable: V1, canary: null, strategy: null, weightBp: 0, options, mode: 'canary', now: T0 })
    assert.equal(`${state.phase}/${state.reason}`, 'Healthy/NoRollout')
    assert.equal(state.message, 'Healthy: v1 serves 100%')
    assert.equal(state.revision, 0)
    assert.deepEqual(state.strategy, { type: 'canary', steps: [] })
    assert.deepEqual(effects, [])
  })

  test('no canary keeps a configured strategy for the next start', () => {
    assert.deepEqual(initialState({ stable: V1, canary: null, strategy: BG, weightBp: 0, options, mode: 'canary', now: T0 }).state.strategy, BG)
  })

  test('a canary with a strategy starts a rollout at boot, as start would', () => {
    const { state, effects } = initialState({ stable: V1, canary: V2, strategy: STEPS, weightBp: 5000, options, mode: 'canary', now: T0 })
    assert.equal(state.reason, 'WaitingForReadiness')
    assert.equal(state.revision, 1)
    assert.equal(state.weightBp, 0, 'the configured weight is for a static split only')
    assert.equal(state.staticSplitBp, null)
    assert.deepEqual(effects.map((e) => e.type), ['record', 'probeReadiness', 'timer'])
    assert.deepEqual(only(effects, 'record')[0]?.entry, { at: T0, event: 'start', actor: 'config', from: 'Healthy', to: 'Progressing', detail: 'v2 started (attempt 1): canary, 5 steps; Progressing: waiting for v2 to be ready, deadline 12:10:00' })
  })

  test('a canary without a strategy is a static split at the configured weight', () => {
    const { state } = initialState({ stable: V1, canary: V2, strategy: null, weightBp: 2000, options, mode: 'canary', now: T0 })
    assert.equal(state.reason, 'WaitingForReadiness')
    assert.equal(state.staticSplitBp, 2000)
  })

  test('a state stored before staticSplitBp existed reads as a rollout with steps', () => {
    const old: RolloutState = play(boot(), [ev.ready(), s(10)])
    delete old.staticSplitBp
    assert.equal(play(old, [ev.promote(), s(20)]).reason, 'TimedPause')
  })

  test('strategy from a start is kept as given', () => {
    const strategy: Strategy = { type: 'canary', steps: [{ setWeight: 5 }, { pause: {} }] }
    assert.deepEqual(play(states.healthy(), [ev.start(V3, { strategy }), s(5)]).strategy, strategy)
  })
})
