import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { stepWeightBp } from '../../src/rollout/canary.js'
import { tableOf } from '../../src/rollout/table-of.js'
import type { CanaryStep, Strategy } from '../../src/rollout/types.js'
import { accepted, boot, ev, only, play, refused, s, states, T0 } from './fixtures.js'

const at = (offset: number): number => T0 + offset

describe('entering steps', () => {
  test('ready runs setWeight 20 and stops at the pause step 2/5', () => {
    const r = accepted(states.waiting(), ev.ready(), at(s(10)))
    assert.equal(r.state.reason, 'CanaryPauseStep')
    assert.equal(r.state.stepIndex, 1)
    assert.equal(r.state.weightBp, 2000)
    assert.equal(r.state.pauseUntil, null)
    assert.equal(r.state.canaryReady, true)
    assert.equal(r.state.progressDeadlineAt, null)
  })

  test('consecutive setWeights collapse into one transition and one record', () => {
    const strategy: Strategy = { type: 'canary', steps: [{ setWeight: 10 }, { setWeight: 20.5 }, { setWeight: 30 }, { pause: {} }] }
    const r = accepted(boot({ strategy }), ev.ready(), at(s(10)))
    assert.equal(r.state.weightBp, 3000)
    assert.equal(r.state.stepIndex, 3)
    assert.deepEqual(only(r.effects, 'record').map((e) => e.entry.detail), ['v2 ready; weight 0% -> 30% (step 4/4)'])
  })

  test('a zero-length timed pause is passed straight through', () => {
    const strategy: Strategy = { type: 'canary', steps: [{ setWeight: 10 }, { pause: { durationMs: 0 } }, { setWeight: 40 }, { pause: {} }] }
    const r = accepted(boot({ strategy }), ev.ready(), at(s(10)))
    assert.equal(r.state.stepIndex, 3)
    assert.equal(r.state.weightBp, 4000)
  })

  test('a canary strategy without steps is promoted as soon as it is ready', () => {
    const r = accepted(boot({ strategy: { type: 'canary', steps: [] } }), ev.ready(), at(s(10)))
    assert.equal(r.state.reason, 'Promoted')
  })

  test('promotion makes the canary stable and keeps the old stable for undo', () => {
    const st = states.promoted()
    assert.equal(st.stable.name, 'v2')
    assert.equal(st.previousStable?.name, 'v1')
    assert.equal(st.canary, null)
    assert.equal(st.weightBp, 0)
    assert.equal(st.stepIndex, -1)
    assert.equal(st.finishedAt, at(s(20)))
    assert.deepEqual([st.pauseUntil, st.progressDeadlineAt, st.scaleDownAt], [null, null, null])
  })
})

describe('timed pauses with a fake clock', () => {
  const strategy: Strategy = { type: 'canary', steps: [{ setWeight: 20 }, { pause: { durationMs: s(30) } }, { setWeight: 40 }, { pause: {} }] }
  const paused = () => play(boot({ strategy }), [ev.ready(), s(10)])

  test('ready at +10s starts a 30s pause until +40s', () => {
    const st = paused()
    assert.equal(st.reason, 'TimedPause')
    assert.equal(st.pauseUntil, at(s(40)))
  })
  test('a tick 1 ms before the deadline is a no-op', () => {
    const st = paused()
    const r = accepted(st, ev.tick(), at(s(40) - 1))
    assert.equal(r.changed, false)
    assert.equal(r.state, st)
  })
  test('a tick at the deadline goes on to the next steps', () => {
    const r = accepted(paused(), ev.tick(), at(s(40)))
    assert.equal(r.state.reason, 'CanaryPauseStep')
    assert.equal(r.state.weightBp, 4000)
    assert.equal(r.state.pauseUntil, null)
    const [record] = only(r.effects, 'record')
    assert.deepEqual(record?.entry, { at: at(s(40)), event: 'tick:pauseElapsed', actor: 'ramp', from: 'Paused', to: 'Paused', detail: 'weight 20% -> 40% (step 4/4)' })
  })
  test('promote ends a timed pause early', () => {
    const r = accepted(paused(), ev.promote(), at(s(15)))
    assert.equal(r.state.reason, 'CanaryPauseStep')
    assert.equal(r.state.pauseUntil, null)
    assert.deepEqual(only(r.effects, 'timer'), [{ type: 'timer', at: null }])
  })
})

describe('manual holds', () => {
  test('a due timed pause under a manual pause waits; resume goes on to the next step', () => {
    const held = play(states.timedPause(), [ev.pause(), s(30)])
    assert.equal(held.pauseUntil, at(s(80)), 'pause keeps the deadline')
    const tick = accepted(held, ev.tick(), at(s(90)))
    assert.equal(tick.changed, false)
    const r = accepted(held, ev.resume(), at(s(90)))
    assert.equal(r.state.reason, 'Promoted', 'the pause ran out, so the last step (setWeight 80) ran and the rollout ended')
  })

  test('resume before the timed pause ran out returns to it with the same deadline', () => {
    const r = accepted(play(states.timedPause(), [ev.pause(), s(30)]), ev.resume(), at(s(40)))
    assert.equal(r.state.reason, 'TimedPause')
    assert.equal(r.state.pauseUntil, at(s(80)))
    assert.deepEqual(r.effects.map((e) => e.type), ['record'])
  })

  test('resume from a manual weight goes back to the weight of the step', () => {
    const r = accepted(states.manualWeight(), ev.resume(), at(s(30)))
    assert.equal(r.state.reason, 'CanaryPauseStep')
    assert.equal(r.state.weightBp, 2000)
    assert.equal(only(r.effects, 'publish').length, 1)
  })

  test('promote from a manual weight enters the next step at its own weight', () => {
    const r = accepted(states.manualWeight(), ev.promote(), at(s(30)))
    assert.equal(r.state.reason, 'TimedPause')
    assert.equal(r.state.weightBp, 5000)
    assert.equal(r.state.stepIndex, 3)
  })

  test('pause from a manual weight keeps the manual weight until resume', () => {
    const st = play(states.manualWeight(), [ev.pause(), s(30)])
    assert.equal(st.reason, 'ManualPause')
    assert.equal(st.weightBp, 3500)
    assert.equal(accepted(st, ev.resume(), at(s(40))).state.weightBp, 2000)
  })

  test('setWeight to the weight it already holds is a no-op', () => {
    const st = states.manualWeight()
    assert.equal(accepted(st, ev.setWeight(3500), at(s(30))).changed, false)
  })

  test('a pause while waiting drops the progress deadline; resume sets a fresh one', () => {
    const p = accepted(states.waiting(), ev.pause(), at(s(5)))
    assert.equal(p.state.progressDeadlineAt, null)
    assert.deepEqual(only(p.effects, 'timer'), [{ type: 'timer', at: null }])
    assert.deepEqual(only(p.effects, 'stopReadiness'), [], 'probing goes on under the hold')
    const r = accepted(p.state, ev.resume(), at(s(100)))
    assert.equal(r.state.reason, 'WaitingForReadiness')
    assert.equal(r.state.progressDeadlineAt, at(s(700)))
  })

  test('ready under a hold marks the canary ready, keeps the hold and its message', () => {
    const held = states.heldWaiting()
    const r = accepted(held, ev.ready(), at(s(10)))
    assert.equal(r.state.reason, 'ManualPause')
    assert.equal(r.state.canaryReady, true)
    assert.equal(r.state.message, held.message)
    assert.equal(r.state.weightBp, 0)
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'stopReadiness', 'publish'])
  })

  test('resume after ready under a hold runs the steps from step 0', () => {
    const r = accepted(states.heldReady(), ev.resume(), at(s(30)))
    assert.equal(r.state.reason, 'CanaryPauseStep')
    assert.equal(r.state.weightBp, 2000)
  })
})

describe('static split', () => {
  test('a config canary without a strategy waits for readiness, then holds its weight', () => {
    const waiting = boot({ strategy: null, weightBp: 2000 })
    assert.equal(waiting.reason, 'WaitingForReadiness')
    assert.deepEqual(waiting.strategy, { type: 'canary', steps: [] })
    const st = accepted(waiting, ev.ready(), at(s(10))).state
    assert.equal(`${st.phase}/${st.reason}`, 'Paused/StaticSplit')
    assert.equal(st.weightBp, 2000)
  })
  test('setWeight moves the split and stays a static split', () => {
    const st = play(states.staticSplit(), [ev.setWeight(3500), s(20)])
    assert.equal(st.reason, 'StaticSplit')
    assert.equal(st.weightBp, 3500)
    assert.equal(accepted(st, ev.setWeight(3500), at(s(30))).changed, false)
  })
  test('pause then resume comes back to the split at its weight', () => {
    const st = play(states.staticSplit(), [ev.setWeight(3500), s(20)], [ev.pause(), s(30)], [ev.resume(), s(40)])
    assert.equal(st.reason, 'StaticSplit')
    assert.equal(st.weightBp, 3500)
  })
  test('retry after an abort comes back to the last split weight', () => {
    const st = play(states.staticSplit(), [ev.setWeight(3500), s(20)], [ev.abort(), s(30)], [ev.retry(), s(40)], [ev.ready(), s(50)])
    assert.equal(st.reason, 'StaticSplit')
    assert.equal(st.weightBp, 3500)
    assert.equal(st.attempt, 2)
  })
  test('a blue/green mode static split holds 100% as configured, in blueGreen mode', () => {
    const st = play(boot({ strategy: null, weightBp: 10000, mode: 'blueGreen' }), [ev.ready(), s(10)])
    assert.equal(st.reason, 'StaticSplit')
    assert.equal(st.weightBp, 10000)
    assert.equal(tableOf(st).mode, 'blueGreen')
  })
  test('a blue/green mode static split flips with 0 or 100 and refuses a split', () => {
    const st = play(boot({ strategy: null, weightBp: 0, mode: 'blueGreen' }), [ev.ready(), s(10)])
    assert.equal(accepted(st, ev.setWeight(10000), at(s(20))).state.weightBp, 10000)
    assert.equal(refused(st, ev.setWeight(3500), at(s(20))).code, 'RAMP_ERR_WEIGHT_MODE')
  })
  test('promote finishes a static split', () => {
    assert.equal(play(states.staticSplit(), [ev.promote(), s(20)]).reason, 'Promoted')
  })
})

describe('stepWeightBp: the weight the steps give at an index', () => {
  const steps: CanaryStep[] = [{ setWeight: 20 }, { pause: {} }, { setWeight: 50 }, { pause: {} }]
  const rows: Array<[number, number]> = [[-1, 0], [0, 2000], [1, 2000], [2, 5000], [3, 5000], [9, 5000]]
  for (const [index, bp] of rows) {
    test(`index ${index} -> ${bp} bp`, () => assert.equal(stepWeightBp(steps, index), bp))
  }
  test('setWeight 12.34 is 1234 bp, no float rounding', () => assert.equal(stepWeightBp([{ setWeight: 12.34 }], 0), 1234))
})
