import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { reduce } from '../../src/rollout/reduce.js'
import { tableOf } from '../../src/rollout/table-of.js'
import type { EngineEvent, RolloutState, Strategy } from '../../src/rollout/types.js'
import {
  accepted, ALL_GATES, AN_PAUSE, AN_STEPS, analysisStates as A, boot, ev, judge, kinds, only, phaseOf, play, runOf, s, STEPS, T0, V3, verdict,
} from './fixtures.js'

const at = (offset: number): number => T0 + offset
const FAIL = 'success-rate 0.962 < 0.99 over 412 requests'

describe('a canary analysis step', () => {
  test('entering it starts a step run on the main listener, after the new weight is published', () => {
    const r = accepted(boot({ strategy: AN_STEPS }), ev.ready(), at(s(10)))
    assert.equal(phaseOf(r.state), 'Progressing/RunningAnalysis')
    assert.equal(r.state.stepIndex, 2)
    assert.equal(r.state.weightBp, 4000)
    assert.equal(r.state.message, 'Progressing: analysis canary-health running, step 3/5')
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'stopReadiness', 'publish', 'startAnalysis', 'timer'])
    assert.deepEqual(only(r.effects, 'startAnalysis')[0]?.run, { id: 'step-a1-s2-r2', kind: 'step', templates: ['canary-health'], listener: 'main', startedAt: at(s(10)) })
  })

  test('entered from an elapsed timed pause, by the tick', () => {
    const strategy: Strategy = { type: 'canary', steps: [{ setWeight: 10 }, { pause: { durationMs: s(60) } }, { setWeight: 30 }, { analysis: { templates: ['x'], onFailure: 'abort' } }] }
    const r = accepted(play(boot({ strategy }), [ev.ready(), s(10)]), ev.tick(), at(s(70)))
    assert.equal(phaseOf(r.state), 'Progressing/RunningAnalysis')
    assert.equal(r.state.pauseUntil, null)
    assert.deepEqual(only(r.effects, 'startAnalysis').map((e) => e.run.id), ['step-a1-s3-r3'])
  })

  test('Successful: on to the next step', () => {
    const r = accepted(A.runningAnalysis(), verdict(A.runningAnalysis(), 'step', 'Successful', 'ok'), at(s(40)))
    assert.equal(phaseOf(r.state), 'Paused/CanaryPauseStep')
    assert.equal(r.state.stepIndex, 3)
    assert.deepEqual(r.effects.map((e) => e.type), ['record'], 'nothing to stop, the weight stays')
    assert.deepEqual(r.state.lastAnalysis, { id: 'step-a1-s2-r2', kind: 'step', result: 'Successful', message: 'ok', at: at(s(40)) })
    assert.deepEqual(only(r.effects, 'record')[0]?.entry,
      { at: at(s(40)), event: 'analysisResult', actor: 'ramp', from: 'Progressing', to: 'Paused', detail: 'analysis canary-health Successful; Paused: CanaryPauseStep, step 4/5, waiting for promote' })
  })

  test('Successful into setWeight steps publishes the new weight', () => {
    const strategy: Strategy = { type: 'canary', steps: [{ setWeight: 10 }, { analysis: { templates: ['x'], onFailure: 'abort' } }, { setWeight: 50 }, { pause: {} }] }
    const st = play(boot({ strategy }), [ev.ready(), s(10)])
    const r = accepted(st, verdict(st, 'step', 'Successful'), at(s(20)))
    assert.equal(r.state.weightBp, 5000)
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'publish'])
  })

  test('Failed with onFailure abort: Aborted/AnalysisFailed, stable 100%, the message says why', () => {
    const st = A.runningAnalysis()
    const r = accepted(st, verdict(st, 'step', 'Failed', FAIL), at(s(40)))
    assert.equal(phaseOf(r.state), 'Aborted/AnalysisFailed')
    assert.equal(r.state.message, `Aborted: analysis canary-health failed: ${FAIL}`)
    assert.deepEqual(r.state.abort, { reason: 'AnalysisFailed', message: `analysis canary-health failed: ${FAIL}`, actor: 'ramp', at: at(s(40)) })
    assert.equal(tableOf(r.state).canary, null)
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'publish'], 'no stop: the run ended by itself')
  })

  test('Failed with onFailure pause: Paused/AnalysisFailed at the step\'s weight', () => {
    const st = A.analysisFailedPaused()
    assert.equal(phaseOf(st), 'Paused/AnalysisFailed')
    assert.equal(st.weightBp, 4000)
    assert.equal(st.message, `Paused: AnalysisFailed, step 3/5: ${FAIL}`)
    assert.equal(st.pendingAnalysis?.result, 'Failed')
  })

  test('Inconclusive: Paused/InconclusiveAnalysis with the runner\'s words', () => {
    const st = A.inconclusiveAnalysis()
    assert.equal(phaseOf(st), 'Paused/InconclusiveAnalysis')
    assert.equal(st.message, 'Paused: InconclusiveAnalysis, step 3/5: only 12 requests')
    assert.equal(st.weightBp, 4000)
  })

  const pausedOn: Array<[string, () => RolloutState]> = [['InconclusiveAnalysis', A.inconclusiveAnalysis], ['AnalysisFailed', A.analysisFailedPaused]]
  for (const [name, make] of pausedOn) {
    test(`promote from ${name} goes on to the next step`, () => {
      const st = play(make(), [ev.promote(), s(50)])
      assert.equal(phaseOf(st), 'Paused/CanaryPauseStep')
      assert.equal(st.stepIndex, 3)
      assert.equal(st.pendingAnalysis, null)
    })
    test(`abort from ${name} aborts`, () => assert.equal(phaseOf(play(make(), [ev.abort(), s(50)])), 'Aborted/AbortedByAdmin'))
    test(`resume does not apply to ${name} (promote ends it)`, () => {
      const r = reduce(make(), ev.resume(), at(s(50)))
      assert.ok(!r.ok)
      assert.equal(r.error.code, 'RAMP_ERR_ROLLOUT_VERB_NOT_ALLOWED')
    })
    test(`pause, then resume, comes back to ${name}`, () => {
      const st = play(make(), [ev.pause(), s(50)], [ev.resume(), s(60)])
      assert.equal(st.reason, name)
      assert.equal(st.weightBp, 4000)
    })
  }

  test('promote while it runs skips it: the run is stopped, the next step entered', () => {
    const st = A.runningAnalysis()
    const r = accepted(st, ev.promote(), at(s(20)))
    assert.equal(phaseOf(r.state), 'Paused/CanaryPauseStep')
    assert.deepEqual(r.effects.filter((e) => e.type !== 'record'), [{ type: 'stopAnalysis', id: 'step-a1-s2-r2' }])
  })

  test('abort while it runs stops the run before the table swap', () => {
    const r = accepted(A.runningAnalysis(), ev.abort(), at(s(20)))
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'stopAnalysis', 'publish'])
    assert.deepEqual(r.state.analysisRuns, [])
  })

  test('promote --full while it runs stops the run and promotes', () => {
    const r = accepted(A.runningAnalysis(), ev.promoteFull(), at(s(20)))
    assert.equal(phaseOf(r.state), 'Healthy/Promoted')
    assert.deepEqual(only(r.effects, 'stopAnalysis'), [{ type: 'stopAnalysis', id: 'step-a1-s2-r2' }])
  })

  test('an analysis step as the first step runs at weight 0', () => {
    const strategy: Strategy = { type: 'canary', steps: [{ analysis: { templates: ['smoke'], onFailure: 'abort' } }, { setWeight: 50 }] }
    const st = play(boot({ strategy }), [ev.ready(), s(10)])
    assert.equal(phaseOf(st), 'Progressing/RunningAnalysis')
    assert.equal(st.weightBp, 0)
    assert.equal(st.message, 'Progressing: analysis smoke running, step 1/2')
  })
})

describe('late results: a verdict for a run no longer in progress changes nothing', () => {
  const late: Array<[string, () => { st: RolloutState; event: EngineEvent }]> = [
    ['after promote skipped the step', () => { const st = A.runningAnalysis(); return { st: play(st, [ev.promote(), s(20)]), event: verdict(st, 'step', 'Failed', FAIL) } }],
    ['after an abort', () => { const st = A.runningAnalysis(); return { st: play(st, [ev.abort(), s(20)]), event: verdict(st, 'step', 'Failed') } }],
    ['after a retry (an earlier attempt\'s run)', () => { const st = A.runningAnalysis(); return { st: play(st, [ev.abort(), s(20)], [ev.retry(), s(30)], [ev.ready(), s(40)]), event: verdict(st, 'step', 'Failed') } }],
    ['after a newer rollout superseded it', () => { const st = A.runningAnalysis(); return { st: play(st, [ev.start(V3, { supersede: true }), s(20)]), event: verdict(st, 'step', 'Failed') } }],
    ['a second verdict for the same run', () => { const st = A.runningAnalysis(); return { st: judge(st, 'step', 'Successful', s(20)), event: verdict(st, 'step', 'Failed') } }],
    ['an id never started', () => ({ st: A.runningAnalysis(), event: ev.result('step-a9-s9-r9', 'Failed') })],
    ['with no rollout', () => ({ st: boot({ canary: false }), event: ev.result('step-a1-s2-r2', 'Failed') })],
  ]
  for (const [name, make] of late) {
    test(name, () => {
      const { st, event } = make()
      const r = accepted(st, event, at(s(500)))
      assert.equal(r.changed, false)
      assert.equal(r.state, st)
      assert.deepEqual(r.effects, [])
    })
  }
})

describe('manual holds over a step analysis: the run goes on', () => {
  test('pause keeps the run and its weight; nothing is stopped', () => {
    const r = accepted(A.runningAnalysis(), ev.pause('alice'), at(s(20)))
    assert.equal(phaseOf(r.state), 'Paused/ManualPause')
    assert.deepEqual(kinds(r.state), ['step'])
    assert.deepEqual(r.effects.map((e) => e.type), ['record'])
  })

  test('resume with the run still going: back to RunningAnalysis', () => {
    assert.equal(phaseOf(play(A.heldAnalysis(), [ev.resume(), s(30)])), 'Progressing/RunningAnalysis')
  })

  test('setWeight holds the weight while the run goes on; resume restores the step\'s weight', () => {
    const held = play(A.runningAnalysis(), [ev.setWeight(1000), s(20)])
    assert.deepEqual([held.reason, held.weightBp, kinds(held)], ['ManualWeight', 1000, ['step']])
    const st = play(held, [ev.resume(), s(30)])
    assert.deepEqual([phaseOf(st), st.weightBp], ['Progressing/RunningAnalysis', 4000])
  })

  test('Successful under the hold is remembered; the hold, its weight and its message stay', () => {
    const held = play(A.runningAnalysis(), [ev.setWeight(1000, 'bob'), s(20)])
    const r = accepted(held, verdict(held, 'step', 'Successful'), at(s(30)))
    assert.deepEqual([phaseOf(r.state), r.state.weightBp, r.state.message], ['Paused/ManualWeight', 1000, held.message])
    assert.equal(r.state.pendingAnalysis?.result, 'Successful')
    assert.deepEqual(r.effects.map((e) => e.type), ['record'])
    const resumed = play(r.state, [ev.resume(), s(40)])
    assert.deepEqual([phaseOf(resumed), resumed.stepIndex, resumed.weightBp], ['Paused/CanaryPauseStep', 3, 4000])
  })

  test('promote under the hold after a Successful goes one step, not two', () => {
    const st = play(judge(A.heldAnalysis(), 'step', 'Successful', s(30)), [ev.promote(), s(40)])
    assert.deepEqual([phaseOf(st), st.stepIndex], ['Paused/CanaryPauseStep', 3])
  })

  test('Inconclusive under the hold: resume pauses on it', () => {
    const st = judge(A.heldAnalysis(), 'step', 'Inconclusive', s(30), 'few requests')
    assert.equal(phaseOf(st), 'Paused/ManualPause')
    const resumed = play(st, [ev.resume(), s(40)])
    assert.equal(phaseOf(resumed), 'Paused/InconclusiveAnalysis')
    assert.equal(resumed.message, 'Paused: InconclusiveAnalysis, step 3/5: few requests')
  })

  test('Failed (onFailure abort) under the hold aborts at once: the safe choice', () => {
    const st = judge(A.heldAnalysis(), 'step', 'Failed', s(30), FAIL)
    assert.equal(phaseOf(st), 'Aborted/AnalysisFailed')
    assert.equal(st.message, `Aborted: analysis canary-health failed: ${FAIL}`)
  })

  test('Failed (onFailure pause) under the hold: resume pauses on AnalysisFailed', () => {
    const held = play(boot({ strategy: AN_PAUSE }), [ev.ready(), s(10)], [ev.pause(), s(20)])
    const st = play(judge(held, 'step', 'Failed', s(30), FAIL), [ev.resume(), s(40)])
    assert.equal(phaseOf(st), 'Paused/AnalysisFailed')
  })

  test('a timer that falls due under the hold does not touch the run', () => {
    const st = A.heldAnalysis()
    assert.equal(accepted(st, ev.tick(), at(s(9000))).changed, false)
  })
})

describe('background analysis', () => {
  const bg = (startingStep: number, base: Strategy = STEPS): Strategy => ({ ...base, analysis: { templates: ['bg-health'], startingStep } }) as Strategy

  test('startingStep 0 starts it with the first step, at ready', () => {
    const r = accepted(boot({ strategy: bg(0) }), ev.ready(), at(s(10)))
    assert.equal(phaseOf(r.state), 'Paused/CanaryPauseStep')
    assert.deepEqual(only(r.effects, 'startAnalysis').map((e) => [e.run.kind, e.run.templates, e.run.listener]), [['background', ['bg-health'], 'main']])
  })

  test('startingStep 2 waits until the rollout enters step index 2', () => {
    const paused = play(boot({ strategy: bg(2) }), [ev.ready(), s(10)])
    assert.deepEqual([paused.stepIndex, kinds(paused)], [1, []])
    const r = accepted(paused, ev.promote(), at(s(20)))
    assert.deepEqual([r.state.stepIndex, kinds(r.state)], [3, ['background']], 'crossing index 2 on the way to the timed pause starts it')
    assert.equal(runOf(r.state, 'background').id, 'background-a1-s3-r3')
  })

  test('startingStep 3 starts on entering the timed pause at index 3', () => {
    const st = play(boot({ strategy: bg(3) }), [ev.ready(), s(10)], [ev.promote(), s(20)])
    assert.deepEqual(kinds(st), ['background'])
  })

  test('a startingStep past the last step never starts it', () => {
    const st = play(boot({ strategy: bg(9) }), [ev.ready(), s(10)], [ev.promote(), s(20)])
    assert.deepEqual(kinds(st), [])
  })

  test('it runs beside a step\'s analysis', () => {
    const st = play(boot({ strategy: bg(0, AN_STEPS) }), [ev.ready(), s(10)])
    assert.deepEqual(kinds(st).sort(), ['background', 'step'])
  })

  test('it does not start before the gates pass', () => {
    const st = play(boot({ strategy: bg(0), gates: ALL_GATES }), [ev.ready(), s(10)])
    assert.deepEqual(kinds(st), ['preRollout'])
  })

  const failAt: Array<[string, () => RolloutState]> = [
    ['a pause step', () => play(boot({ strategy: bg(0) }), [ev.ready(), s(10)])],
    ['a timed pause', () => play(boot({ strategy: bg(0) }), [ev.ready(), s(10)], [ev.promote(), s(20)])],
    ['a manual hold', () => play(boot({ strategy: bg(0) }), [ev.ready(), s(10)], [ev.setWeight(100), s(20)])],
    ['a step analysis (which it stops)', () => play(boot({ strategy: bg(0, AN_STEPS) }), [ev.ready(), s(10)])],
    ['an inconclusive step analysis', () => judge(play(boot({ strategy: bg(0, AN_STEPS) }), [ev.ready(), s(10)]), 'step', 'Inconclusive', s(20))],
  ]
  for (const [name, make] of failAt) {
    test(`Failed aborts at ${name}`, () => {
      const st = make()
      const r = accepted(st, verdict(st, 'background', 'Failed', 'error-rate 0.08 > 0.05'), at(s(90)))
      assert.equal(phaseOf(r.state), 'Aborted/AnalysisFailed')
      assert.equal(r.state.message, 'Aborted: background analysis bg-health failed: error-rate 0.08 > 0.05')
      assert.deepEqual(r.state.analysisRuns, [])
      const others = (st.analysisRuns ?? []).filter((x) => x.kind !== 'background').map((x) => x.id)
      assert.deepEqual(only(r.effects, 'stopAnalysis').map((e) => e.id), others)
    })
  }

  test('Inconclusive pauses (and stops a step\'s run); promote goes on and restarts it', () => {
    const st = play(boot({ strategy: bg(0, AN_STEPS) }), [ev.ready(), s(10)])
    const r = accepted(st, verdict(st, 'background', 'Inconclusive', 'not enough traffic'), at(s(20)))
    assert.equal(phaseOf(r.state), 'Paused/InconclusiveAnalysis')
    assert.equal(r.state.message, 'Paused: InconclusiveAnalysis, step 3/5: not enough traffic')
    assert.deepEqual(only(r.effects, 'stopAnalysis').map((e) => e.id), [runOf(st, 'step').id])
    const p = accepted(r.state, ev.promote(), at(s(30)))
    assert.deepEqual([phaseOf(p.state), p.state.stepIndex], ['Paused/CanaryPauseStep', 3])
    const restarted = only(p.effects, 'startAnalysis').map((e) => e.run)
    assert.deepEqual(restarted.map((x) => x.kind), ['background'])
    assert.notEqual(restarted[0]?.id, runOf(st, 'background').id)
  })

  test('Successful (its count reached) just ends it, recorded for status; it is not restarted', () => {
    const st = play(boot({ strategy: bg(0) }), [ev.ready(), s(10)])
    const r = accepted(st, verdict(st, 'background', 'Successful', '10 measurements'), at(s(20)))
    assert.equal(phaseOf(r.state), 'Paused/CanaryPauseStep')
    assert.deepEqual(kinds(r.state), [])
    assert.equal(r.state.lastAnalysis?.kind, 'background')
    assert.deepEqual(kinds(play(r.state, [ev.promote(), s(30)])), [])
  })

  test('under a hold, Inconclusive is kept: resume pauses on it, promote restarts it', () => {
    const held = play(boot({ strategy: bg(0) }), [ev.ready(), s(10)], [ev.pause(), s(20)])
    const st = judge(held, 'background', 'Inconclusive', s(30))
    assert.equal(phaseOf(st), 'Paused/ManualPause')
    assert.equal(phaseOf(play(st, [ev.resume(), s(40)])), 'Paused/InconclusiveAnalysis')
    assert.deepEqual(kinds(play(st, [ev.promote(), s(40)])), ['background'])
  })

  test('it keeps running while the confirm-promotion gate waits; its Inconclusive there leaves the gate waiting', () => {
    const st = play(boot({ strategy: bg(0), gates: { preRollout: false, confirmRollout: false, confirmPromotion: true } }), [ev.ready(), s(10)], [ev.promoteFull(), s(20)])
    assert.deepEqual(kinds(st).sort(), ['background', 'confirmPromotion'])
    const after = judge(st, 'background', 'Inconclusive', s(30))
    assert.equal(phaseOf(after), 'Paused/WaitingForPromotionConfirmation')
    assert.deepEqual(kinds(after), ['confirmPromotion'])
    assert.equal(phaseOf(judge(st, 'background', 'Failed', s(30))), 'Aborted/AnalysisFailed')
  })
})

describe('every end of a rollout stops its runs', () => {
  const withRuns = (): RolloutState => play(boot({ strategy: { ...AN_STEPS, analysis: { templates: ['bg'], startingStep: 0 } } as Strategy }), [ev.ready(), s(10)])
  const ends: Array<[string, EngineEvent, string]> = [
    ['abort', ev.abort(), 'Aborted/AbortedByAdmin'],
    ['promote --full (complete)', ev.promoteFull(), 'Healthy/Promoted'],
    ['a superseding start', ev.start(V3, { supersede: true }), 'Progressing/WaitingForReadiness'],
  ]
  for (const [name, event, want] of ends) {
    test(name, () => {
      const st = withRuns()
      const r = accepted(st, event, at(s(20)))
      assert.equal(phaseOf(r.state), want)
      assert.deepEqual(r.state.analysisRuns, [])
      assert.deepEqual(only(r.effects, 'stopAnalysis').map((e) => e.id).sort(), (st.analysisRuns ?? []).map((x) => x.id).sort())
      assert.ok(r.effects.findIndex((e) => e.type === 'stopAnalysis') < r.effects.findIndex((e) => e.type !== 'record' && e.type !== 'stopAnalysis'), 'stops come first')
    })
  }

  test('the steps running out completes and stops the background run', () => {
    const strategy: Strategy = { type: 'canary', steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }], analysis: { templates: ['bg'], startingStep: 0 } }
    const st = play(boot({ strategy }), [ev.ready(), s(10)])
    const r = accepted(st, ev.promote(), at(s(20)))
    assert.equal(phaseOf(r.state), 'Healthy/Promoted')
    assert.deepEqual(only(r.effects, 'stopAnalysis').map((e) => e.id), [runOf(st, 'background').id])
  })

  test('retry after an analysis abort starts fresh runs with the new attempt in their ids', () => {
    const st = play(A.abortedAnalysis(), [ev.retry(), s(40)], [ev.ready(), s(50)])
    assert.equal(phaseOf(st), 'Progressing/RunningAnalysis')
    assert.equal(runOf(st, 'step').id, `step-a2-s2-r${st.revision}`)
    assert.equal(st.lastAnalysis, null, 'a new attempt forgets the old verdict')
  })

  test('the last verdict stays after the abort, for status', () => {
    assert.deepEqual(A.abortedAnalysis().lastAnalysis, { id: 'step-a1-s2-r2', kind: 'step', result: 'Failed', message: FAIL, at: at(s(30)) })
  })
})

describe('run ids are deterministic', () => {
  test('the same events give the same ids', () => {
    assert.deepEqual(A.postPromotionAnalysis().analysisRuns, A.postPromotionAnalysis().analysisRuns)
  })
  test('ids name kind, attempt, step and revision', () => {
    const ids = [A.preRolloutChecks(), A.runningAnalysis(), A.prePromotionAnalysis(), A.postPromotionAnalysis()].map((st) => (st.analysisRuns ?? []).map((x) => x.id))
    assert.deepEqual(ids, [['preRollout-a1-s-1-r2'], ['step-a1-s2-r2'], ['prePromotion-a1-s-1-r2'], ['postPromotion-a1-s-1-r4']])
  })
})
