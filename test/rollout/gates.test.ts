import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { initialState } from '../../src/rollout/initial.js'
import { tableOf } from '../../src/rollout/table-of.js'
import type { Gates, RolloutState, Strategy } from '../../src/rollout/types.js'
import {
  accepted, ALL_GATES, analysisStates as A, BG, boot, ev, gates, judge, kinds, only, phaseOf, play, refused, runOf, s, STEPS, T0, V1, V2, verdict,
} from './fixtures.js'

const at = (offset: number): number => T0 + offset
const ready = (g: Gates, strategy: Strategy | null = STEPS): RolloutState => play(boot({ gates: g, strategy }), [ev.ready(), s(10)])

describe('rollout gates: pre-rollout webhooks, then confirm-rollout, then the strategy', () => {
  const order: Array<[string, Gates, string, string[]]> = [
    ['both gates: the pre-rollout webhooks first', ALL_GATES, 'Progressing/PreRolloutChecks', ['preRollout']],
    ['confirm-rollout only: waits for it at once', gates({ confirmRollout: true }), 'Paused/WaitingForConfirmation', ['confirmRollout']],
    ['pre-rollout only', gates({ preRollout: true }), 'Progressing/PreRolloutChecks', ['preRollout']],
    ['no gates (confirm-promotion is not a rollout gate): the steps run at ready', gates({ confirmPromotion: true }), 'Paused/CanaryPauseStep', []],
  ]
  for (const [name, g, want, runs] of order) {
    test(name, () => {
      const st = ready(g)
      assert.equal(phaseOf(st), want)
      assert.deepEqual(kinds(st), runs)
    })
  }

  test('ready with a pre-rollout gate starts it on the preview listener at weight 0, and says so', () => {
    const r = accepted(boot({ gates: ALL_GATES }), ev.ready(), at(s(10)))
    assert.equal(r.state.weightBp, 0)
    assert.deepEqual(only(r.effects, 'startAnalysis'), [{ type: 'startAnalysis', run: { id: 'preRollout-a1-s-1-r2', kind: 'preRollout', templates: [], listener: 'preview', startedAt: at(s(10)) } }])
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'stopReadiness', 'publish', 'startAnalysis', 'timer'])
    assert.equal(r.state.message, 'Progressing: pre-rollout webhooks running, v2 on the preview listener only')
    const t = tableOf(r.state)
    assert.deepEqual([t.canary?.name, t.weightBp], ['v2', 0], 'the canary is in the table for the preview listener, with no main traffic')
  })

  test('pre-rollout Successful starts confirm-rollout; the finished run needs no stop', () => {
    const r = accepted(A.preRolloutChecks(), verdict(A.preRolloutChecks(), 'preRollout', 'Successful'), at(s(20)))
    assert.equal(phaseOf(r.state), 'Paused/WaitingForConfirmation')
    assert.equal(r.state.weightBp, 0)
    assert.equal(r.state.message, 'Paused: waiting for confirm-rollout')
    assert.deepEqual(r.effects.filter((e) => e.type !== 'record'), [{ type: 'startAnalysis', run: { id: 'confirmRollout-a1-s-1-r3', kind: 'confirmRollout', templates: [], listener: 'preview', startedAt: at(s(20)) } }])
    assert.deepEqual(r.state.lastAnalysis, { id: 'preRollout-a1-s-1-r2', kind: 'preRollout', result: 'Successful', message: '', at: at(s(20)) })
  })

  test('confirm-rollout Successful runs the strategy: the first weight is published', () => {
    const waiting = judge(A.preRolloutChecks(), 'preRollout', 'Successful', s(20))
    const r = accepted(waiting, verdict(waiting, 'confirmRollout', 'Successful'), at(s(30)))
    assert.equal(phaseOf(r.state), 'Paused/CanaryPauseStep')
    assert.equal(r.state.weightBp, 2000)
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'publish'])
    assert.deepEqual(only(r.effects, 'record')[0]?.entry.detail, 'confirm-rollout webhook Successful; weight 0% -> 20% (step 2/5)')
  })

  test('pre-rollout Failed aborts with AnalysisFailed and the runner\'s words', () => {
    const r = accepted(A.preRolloutChecks(), verdict(A.preRolloutChecks(), 'preRollout', 'Failed', 'smoke test: 500 from /health'), at(s(20)))
    assert.equal(phaseOf(r.state), 'Aborted/AnalysisFailed')
    assert.equal(r.state.message, 'Aborted: pre-rollout webhooks failed: smoke test: 500 from /health')
    assert.deepEqual(r.state.abort, { reason: 'AnalysisFailed', message: 'pre-rollout webhooks failed: smoke test: 500 from /health', actor: 'ramp', at: at(s(20)) })
    assert.deepEqual(kinds(r.state), [])
  })

  test('pre-rollout Inconclusive pauses at weight 0; promote goes on to the next gate', () => {
    const st = judge(A.preRolloutChecks(), 'preRollout', 'Inconclusive', s(20), 'timeout')
    assert.equal(phaseOf(st), 'Paused/InconclusiveAnalysis')
    assert.equal(st.weightBp, 0)
    assert.equal(refused(st, ev.setWeight(4000), at(s(30))).code, 'RAMP_ERR_ROLLOUT_VERB_NOT_ALLOWED')
    assert.equal(phaseOf(play(st, [ev.promote(), s(30)])), 'Paused/WaitingForConfirmation')
  })

  const confirmMisses: Array<['Failed' | 'Inconclusive']> = [['Failed'], ['Inconclusive']]
  for (const [result] of confirmMisses) {
    test(`confirm-rollout ${result} (the runner should not send it): still waiting, the gate is asked again`, () => {
      const st = A.waitingForConfirmation()
      const old = runOf(st, 'confirmRollout').id
      const r = accepted(st, verdict(st, 'confirmRollout', result), at(s(20)))
      assert.equal(phaseOf(r.state), 'Paused/WaitingForConfirmation')
      assert.equal(r.state.weightBp, 0)
      const again = runOf(r.state, 'confirmRollout')
      assert.notEqual(again.id, old)
      assert.deepEqual(r.effects.filter((e) => e.type !== 'record'), [{ type: 'startAnalysis', run: again }])
    })
  }

  test('promote during the pre-rollout webhooks is refused; promote --full is not', () => {
    const e = refused(A.preRolloutChecks(), ev.promote(), at(s(20)))
    assert.equal(e.message, 'promote does not apply in phase Progressing (PreRolloutChecks); allowed: promoteFull, pause, abort')
  })

  test('promote while waiting for confirm-rollout is the person\'s confirmation: the run stops, the steps begin', () => {
    const st = A.waitingForConfirmation()
    const r = accepted(st, ev.promote(), at(s(20)))
    assert.equal(phaseOf(r.state), 'Paused/CanaryPauseStep')
    assert.deepEqual(only(r.effects, 'stopAnalysis'), [{ type: 'stopAnalysis', id: runOf(st, 'confirmRollout').id }])
  })

  const noTraffic: Array<[string, () => RolloutState]> = [
    ['pre-rollout checks', A.preRolloutChecks],
    ['confirm-rollout', A.waitingForConfirmation],
    ['pre-rollout checks under a hold', () => play(A.preRolloutChecks(), [ev.pause(), s(20)])],
  ]
  for (const [name, make] of noTraffic) {
    test(`setWeight is refused during ${name}: no main traffic before the gates pass`, () => {
      assert.equal(refused(make(), ev.setWeight(4000), at(s(30))).code, 'RAMP_ERR_ROLLOUT_VERB_NOT_ALLOWED')
    })
  }

  test('a static split waits for the gates too, then holds its weight', () => {
    const st = ready(gates({ confirmRollout: true }), null)
    const split = play(boot({ gates: gates({ confirmRollout: true }), strategy: null, weightBp: 2000 }), [ev.ready(), s(10)])
    assert.equal(phaseOf(st), 'Paused/WaitingForConfirmation')
    assert.equal(split.weightBp, 0)
    const after = judge(split, 'confirmRollout', 'Successful', s(20))
    assert.equal(phaseOf(after), 'Paused/StaticSplit')
    assert.equal(after.weightBp, 2000)
  })

  test('blue/green runs the rollout gates before its preview wait', () => {
    const st = ready(gates({ confirmRollout: true }), BG)
    assert.equal(phaseOf(st), 'Paused/WaitingForConfirmation')
    assert.equal(phaseOf(judge(st, 'confirmRollout', 'Successful', s(20))), 'Paused/BlueGreenPause')
  })
})

describe('gates under a manual hold', () => {
  const heldThenReady = (): RolloutState => play(boot({ gates: ALL_GATES }), [ev.pause('alice'), s(5)], [ev.ready(), s(10)])

  test('ready under a hold starts only the first check and keeps the hold and its message', () => {
    const st = heldThenReady()
    assert.equal(phaseOf(st), 'Paused/ManualPause')
    assert.equal(st.message, 'Paused: by alice, before step 1/5')
    assert.deepEqual(kinds(st), ['preRollout'])
    assert.equal(st.weightBp, 0)
  })

  test('resume with the check still running goes back to it', () => {
    assert.equal(phaseOf(play(heldThenReady(), [ev.resume(), s(20)])), 'Progressing/PreRolloutChecks')
  })

  test('a Successful check under the hold is kept; the next gate waits for resume', () => {
    const st = judge(heldThenReady(), 'preRollout', 'Successful', s(20))
    assert.equal(phaseOf(st), 'Paused/ManualPause')
    assert.deepEqual(kinds(st), [])
    assert.equal(st.pendingAnalysis?.kind, 'preRollout')
    assert.equal(refused(st, ev.setWeight(4000), at(s(25))).code, 'RAMP_ERR_ROLLOUT_VERB_NOT_ALLOWED', 'still before traffic')
    const r = accepted(st, ev.resume(), at(s(30)))
    assert.equal(phaseOf(r.state), 'Paused/WaitingForConfirmation')
    assert.equal(r.state.pendingAnalysis, null)
    assert.equal(only(r.effects, 'startAnalysis')[0]?.run.kind, 'confirmRollout')
  })

  test('a Failed check aborts even under the hold', () => {
    const st = judge(heldThenReady(), 'preRollout', 'Failed', s(20), 'boom')
    assert.equal(phaseOf(st), 'Aborted/AnalysisFailed')
    assert.equal(st.message, 'Aborted: pre-rollout webhooks failed: boom')
  })

  test('a confirm-rollout passed under a hold: resume runs the strategy', () => {
    const st = play(boot({ gates: gates({ confirmRollout: true }) }), [ev.pause(), s(5)], [ev.ready(), s(10)])
    const passed = judge(st, 'confirmRollout', 'Successful', s(20))
    assert.equal(phaseOf(passed), 'Paused/ManualPause')
    assert.equal(phaseOf(play(passed, [ev.resume(), s(30)])), 'Paused/CanaryPauseStep')
  })
})

describe('confirm-promotion gate', () => {
  const g = gates({ confirmPromotion: true })
  const lastPause: Strategy = { type: 'canary', steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }] }

  test('when the steps run out it waits at the last weight instead of promoting', () => {
    const r = accepted(ready(g, lastPause), ev.promote(), at(s(20)))
    assert.equal(phaseOf(r.state), 'Paused/WaitingForPromotionConfirmation')
    assert.equal(r.state.weightBp, 6000)
    assert.equal(r.state.stepIndex, 2)
    assert.equal(r.state.message, 'Paused: waiting for confirm-promotion, step 3/3')
    assert.deepEqual(only(r.effects, 'startAnalysis').map((e) => [e.run.kind, e.run.listener]), [['confirmPromotion', 'main']])
  })

  test('Successful promotes', () => {
    const st = play(ready(g, lastPause), [ev.promote(), s(20)])
    const r = accepted(st, verdict(st, 'confirmPromotion', 'Successful'), at(s(30)))
    assert.equal(phaseOf(r.state), 'Healthy/Promoted')
    assert.deepEqual(only(r.effects, 'stopAnalysis'), [])
  })

  test('Failed: still waiting, asked again', () => {
    const st = A.waitingForPromotionConfirmation()
    const next = judge(st, 'confirmPromotion', 'Failed', s(30))
    assert.equal(phaseOf(next), 'Paused/WaitingForPromotionConfirmation')
    assert.notEqual(runOf(next, 'confirmPromotion').id, runOf(st, 'confirmPromotion').id)
  })

  test('promote --full goes through the gate like any promotion, at the current step\'s weight', () => {
    const r = accepted(ready(g), ev.promoteFull(), at(s(20)))
    assert.equal(phaseOf(r.state), 'Paused/WaitingForPromotionConfirmation')
    assert.equal(r.state.weightBp, 2000)
    assert.equal(r.state.stepIndex, 1)
    assert.deepEqual(only(r.effects, 'startAnalysis').map((e) => e.run.id), ['confirmPromotion-a1-s1-r3'])
  })

  const overrides: Array<[string, ReturnType<typeof ev.promote>]> = [['promote --full', ev.promoteFull()], ['promote', ev.promote()]]
  for (const [name, event] of overrides) {
    test(`${name} while the gate waits overrides it: promoted, the run stopped`, () => {
      const st = A.waitingForPromotionConfirmation()
      const r = accepted(st, event, at(s(30)))
      assert.equal(phaseOf(r.state), 'Healthy/Promoted')
      assert.deepEqual(only(r.effects, 'stopAnalysis'), [{ type: 'stopAnalysis', id: runOf(st, 'confirmPromotion').id }])
    })
  }

  test('a static split\'s promote waits for the gate', () => {
    const st = play(boot({ gates: g, strategy: null, weightBp: 2000 }), [ev.ready(), s(10)], [ev.promote(), s(20)])
    assert.equal(phaseOf(st), 'Paused/WaitingForPromotionConfirmation')
    assert.equal(st.weightBp, 2000)
  })

  test('blue/green: the flip waits for the gate, stable still active on the main listener', () => {
    const r = accepted(ready(g, BG), ev.promote(), at(s(20)))
    assert.equal(phaseOf(r.state), 'Paused/WaitingForPromotionConfirmation')
    assert.equal(r.state.weightBp, 0)
    assert.equal(runOf(r.state, 'confirmPromotion').listener, 'preview')
    const flipped = judge(r.state, 'confirmPromotion', 'Successful', s(30))
    assert.equal(phaseOf(flipped), 'Healthy/Promoted')
    assert.equal(flipped.stable.name, 'v2')
    assert.equal(flipped.scaleDownAt, at(s(60)))
  })

  test('blue/green: auto-promotion waits for the gate too', () => {
    const auto: Strategy = { type: 'blueGreen', autoPromotionEnabled: true, autoPromotionSeconds: 60, scaleDownDelaySeconds: 30 }
    const st = play(ready(g, auto), [ev.tick(), s(70)])
    assert.equal(phaseOf(st), 'Paused/WaitingForPromotionConfirmation')
  })

  test('blue/green: promote while the gate waits flips (the person overrides)', () => {
    const st = play(ready(g, BG), [ev.promote(), s(20)], [ev.promote(), s(30)])
    assert.equal(phaseOf(st), 'Healthy/Promoted')
  })

  test('blue/green: promote --full after the flip needs no gate', () => {
    const st = play(ready(g, BG), [ev.promote(), s(20)])
    const flipped = judge(st, 'confirmPromotion', 'Successful', s(30))
    assert.equal(phaseOf(play(flipped, [ev.promoteFull(), s(40)])), 'Healthy/Promoted')
  })

  test('resume from a hold over the gate goes back to waiting, at the step\'s weight', () => {
    const st = play(A.waitingForPromotionConfirmation(), [ev.setWeight(500), s(30)], [ev.resume(), s(40)])
    assert.equal(phaseOf(st), 'Paused/WaitingForPromotionConfirmation')
    assert.equal(st.weightBp, 2000)
  })
})

describe('initialState takes the gates with the options', () => {
  test('a configured canary with gates checks before its first step', () => {
    const options = { progressDeadlineSeconds: 600, progressDeadlineAbort: true, gates: ALL_GATES }
    const { state } = initialState({ stable: V1, canary: V2, strategy: STEPS, weightBp: 0, options, mode: 'canary', now: T0 })
    assert.deepEqual(state.options.gates, ALL_GATES)
    assert.deepEqual([state.analysisRuns, state.lastAnalysis, state.pendingAnalysis], [[], null, null])
    assert.equal(phaseOf(play(state, [ev.ready(), s(10)])), 'Progressing/PreRolloutChecks')
  })

  test('options stored without gates mean no gates', () => {
    const st = boot()
    assert.equal('gates' in st.options, false)
    assert.equal(phaseOf(play(st, [ev.ready(), s(10)])), 'Paused/CanaryPauseStep')
  })
})
