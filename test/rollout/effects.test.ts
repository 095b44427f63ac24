import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { EngineEvent, RolloutState } from '../../src/rollout/types.js'
import { accepted, analysisStates as A, ev, only, play, s, states, T0, verdict } from './fixtures.js'

type Kind = 'record' | 'publish' | 'timer' | 'probeReadiness' | 'stopReadiness' | 'startAnalysis' | 'stopAnalysis'

describe('effects: publish only when the table changes, a timer only when the wake-up moves', () => {
  const rows: Array<[string, () => RolloutState, EngineEvent, Kind[]]> = [
    ['pause at a pause step touches neither', states.canaryPauseStep, ev.pause(), ['record']],
    ['pause at a timed pause keeps its timer', states.timedPause, ev.pause(), ['record']],
    ['setWeight publishes, no timer', states.canaryPauseStep, ev.setWeight(4000), ['record', 'publish']],
    ['setWeight in a static split publishes', states.staticSplit, ev.setWeight(4000), ['record', 'publish']],
    ['ready stops the probe, publishes and clears the deadline timer', states.waiting, ev.ready(), ['record', 'stopReadiness', 'publish', 'timer']],
    ['promote into a timed pause publishes and sets a timer', states.canaryPauseStep, ev.promote(), ['record', 'publish', 'timer']],
    ['abort of a waiting rollout stops the probe and the timer; the table never had the canary', states.waiting, ev.abort(), ['record', 'stopReadiness', 'timer']],
    ['abort at a pause step publishes', states.canaryPauseStep, ev.abort(), ['record', 'publish']],
    ['start probes and sets the deadline timer', states.healthy, ev.start(), ['record', 'probeReadiness', 'timer']],
    ['resume while waiting re-arms the deadline', states.heldWaiting, ev.resume(), ['record', 'timer']],
    ['blue/green promote flips (publish), promotes and sets the scale-down timer', states.blueGreenPause, ev.promote(), ['record', 'publish', 'timer']],
    ['promote --full from a manual weight publishes the new stable', states.manualWeight, ev.promoteFull(), ['record', 'publish']],
    ['promote past a running analysis stops it; the weight stays', A.runningAnalysis, ev.promote(), ['record', 'stopAnalysis']],
    ['abort during an analysis stops it before the table swap', A.runningAnalysis, ev.abort(), ['record', 'stopAnalysis', 'publish']],
    ['pause during an analysis leaves it running', A.runningAnalysis, ev.pause(), ['record']],
    ['promote out of an inconclusive analysis: nothing left to stop', A.inconclusiveAnalysis, ev.promote(), ['record']],
    ['blue/green flip into post-promotion analysis publishes, then starts it', () => play(A.prePromotionInconclusive(), [ev.promote(), s(30)]), ev.promote(), ['record', 'publish', 'startAnalysis']],
    ['a new rollout over a running gate stops it before probing', A.preRolloutChecks, ev.start(undefined, { supersede: true }), ['record', 'record', 'stopAnalysis', 'probeReadiness', 'publish', 'timer']],
  ]
  for (const [name, make, event, kinds] of rows) {
    test(name, () => {
      const before = make()
      const r = accepted(before, event, before.updatedAt + s(1))
      assert.deepEqual(r.effects.map((e) => e.type), kinds)
    })
  }
})

describe('effects of analysis verdicts', () => {
  const rows: Array<[string, () => RolloutState, (st: RolloutState) => EngineEvent, Kind[]]> = [
    ['a step\'s Successful into the next pause: only the record', A.runningAnalysis, (st) => verdict(st, 'step', 'Successful'), ['record']],
    ['a step\'s Failed aborts: publish, no stop for the finished run', A.runningAnalysis, (st) => verdict(st, 'step', 'Failed'), ['record', 'publish']],
    ['pre-rollout Successful starts confirm-rollout', A.preRolloutChecks, (st) => verdict(st, 'preRollout', 'Successful'), ['record', 'startAnalysis']],
    ['confirm-rollout Failed asks again', A.waitingForConfirmation, (st) => verdict(st, 'confirmRollout', 'Failed'), ['record', 'startAnalysis']],
    ['post-promotion Successful promotes (publish) and sets the scale-down timer', A.postPromotionAnalysis, (st) => verdict(st, 'postPromotion', 'Successful'), ['record', 'publish', 'timer']],
    ['a verdict under a hold is only recorded', A.heldAnalysis, (st) => verdict(st, 'step', 'Successful'), ['record']],
  ]
  for (const [name, make, event, kinds] of rows) {
    test(name, () => {
      const before = make()
      assert.deepEqual(accepted(before, event(before), before.updatedAt + s(1)).effects.map((e) => e.type), kinds)
    })
  }
})

describe('revision and history', () => {
  test('every change bumps revision by one and stamps updatedAt', () => {
    let st = states.waiting()
    const events: EngineEvent[] = [ev.ready(), ev.setWeight(3000), ev.resume(), ev.promote(), ev.pause(), ev.abort(), ev.retry()]
    let now = T0 + s(10)
    for (const e of events) {
      now += s(100)
      const r = accepted(st, e, now)
      assert.equal(r.changed, true, e.type)
      assert.equal(r.state.revision, st.revision + 1)
      assert.equal(r.state.updatedAt, now)
      st = r.state
    }
  })

  test('a no-op leaves revision and updatedAt alone', () => {
    const st = states.abortedByAdmin()
    const r = accepted(st, ev.abort(), T0 + s(999))
    assert.equal(r.state.revision, st.revision)
    assert.equal(r.state.updatedAt, st.updatedAt)
  })

  const entries: Array<[string, () => RolloutState, EngineEvent, Record<string, unknown>]> = [
    ['ready', states.waiting, ev.ready(), { event: 'ready', actor: 'ramp', from: 'Progressing', to: 'Paused', detail: 'v2 ready; weight 0% -> 20% (step 2/5)' }],
    ['promote', states.canaryPauseStep, ev.promote('bob'), { event: 'promote', actor: 'bob', from: 'Paused', to: 'Paused', detail: 'weight 20% -> 50% (step 4/5)' }],
    ['promote --full', states.canaryPauseStep, ev.promoteFull('bob'), { event: 'promoteFull', actor: 'bob', from: 'Paused', to: 'Healthy', detail: 'v2 promoted, serves 100%' }],
    ['pause', states.canaryPauseStep, ev.pause('bob'), { event: 'pause', actor: 'bob', from: 'Paused', to: 'Paused', detail: 'Paused: by bob, step 2/5' }],
    ['setWeight', states.canaryPauseStep, ev.setWeight(3500, 'bob'), { event: 'setWeight', actor: 'bob', from: 'Paused', to: 'Paused', detail: 'weight 20% -> 35% (step 2/5)' }],
    ['abort', states.canaryPauseStep, ev.abort('too slow', 'bob'), { event: 'abort', actor: 'bob', from: 'Paused', to: 'Aborted', detail: 'Aborted: by bob: too slow' }],
    ['resume', states.manualPause, ev.resume('bob'), { event: 'resume', actor: 'bob', from: 'Paused', to: 'Paused', detail: 'Paused: CanaryPauseStep, step 2/5, waiting for promote' }],
    ['blue/green flip', states.blueGreenPause, ev.promote(), { event: 'promote', actor: 'admin', from: 'Paused', to: 'Healthy', detail: 'v2 promoted, serves 100%' }],
    ['scale-down ends', states.scaleDownDelay, ev.tick(), { event: 'tick:scaleDown', actor: 'ramp', from: 'Healthy', to: 'Healthy', detail: 'v2 promoted, serves 100%' }],
  ]
  for (const [name, make, event, want] of entries) {
    test(`history entry: ${name}`, () => {
      const now = T0 + s(3600)
      const records = only(accepted(make(), event, now).effects, 'record')
      assert.deepEqual(records.map((r) => r.entry), [{ at: now, ...want }])
    })
  }
})
