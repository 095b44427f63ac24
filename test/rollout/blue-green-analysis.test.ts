import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { tableOf } from '../../src/rollout/table-of.js'
import type { RolloutState, Strategy } from '../../src/rollout/types.js'
import { accepted, analysisStates as A, BG, BG_AUTO, BG_CHECKED, boot, ev, judge, kinds, only, phaseOf, play, refused, runOf, s, T0, verdict } from './fixtures.js'

const at = (offset: number): number => T0 + offset
const PRE_ONLY: Strategy = { ...BG, prePromotionAnalysis: { templates: ['pre-health'] } } as Strategy
const POST_ONLY: Strategy = { ...BG, postPromotionAnalysis: { templates: ['post-health'] } } as Strategy

describe('blue/green pre-promotion analysis', () => {
  test('ready starts it on the preview listener; the main listener stays on stable', () => {
    const r = accepted(boot({ strategy: BG_CHECKED }), ev.ready(), at(s(10)))
    assert.equal(phaseOf(r.state), 'Progressing/PrePromotionAnalysis')
    assert.equal(r.state.message, 'Progressing: pre-promotion analysis pre-health running, v2 on the preview listener')
    assert.deepEqual(only(r.effects, 'startAnalysis').map((e) => [e.run.kind, e.run.templates, e.run.listener]), [['prePromotion', ['pre-health'], 'preview']])
    const t = tableOf(r.state)
    assert.deepEqual([t.canary?.name, t.weightBp], ['v2', 0])
  })

  test('Successful: then the pre-promotion wait as before (indefinite)', () => {
    const st = judge(A.prePromotionAnalysis(), 'prePromotion', 'Successful', s(20))
    assert.deepEqual([phaseOf(st), st.pauseUntil], ['Paused/BlueGreenPause', null])
  })

  test('Successful with auto-promotion: the wait counts from the verdict', () => {
    const st = judge(play(boot({ strategy: { ...BG_AUTO, prePromotionAnalysis: { templates: ['p'] } } as Strategy }), [ev.ready(), s(10)]), 'prePromotion', 'Successful', s(40))
    assert.deepEqual([phaseOf(st), st.pauseUntil], ['Paused/BlueGreenPause', at(s(160))])
  })

  test('Successful with autoPromotionEnabled and no wait flips at once', () => {
    const st = judge(play(boot({ strategy: { ...PRE_ONLY, autoPromotionEnabled: true } as Strategy }), [ev.ready(), s(10)]), 'prePromotion', 'Successful', s(20))
    assert.deepEqual([phaseOf(st), st.stable.name, st.weightBp], ['Healthy/Promoted', 'v2', 0])
  })

  test('Failed aborts; the preview listener goes back to stable', () => {
    const st = judge(A.prePromotionAnalysis(), 'prePromotion', 'Failed', s(20), 'p99 812ms > 500ms')
    assert.equal(phaseOf(st), 'Aborted/AnalysisFailed')
    assert.equal(st.message, 'Aborted: pre-promotion analysis pre-health failed: p99 812ms > 500ms')
    assert.equal(tableOf(st).canary, null)
  })

  test('Inconclusive pauses; promote goes on as if it passed, to the wait', () => {
    const st = A.prePromotionInconclusive()
    assert.deepEqual([phaseOf(st), st.weightBp, st.message], ['Paused/InconclusiveAnalysis', 0, 'Paused: InconclusiveAnalysis, before the flip'])
    assert.equal(phaseOf(play(st, [ev.promote(), s(30)])), 'Paused/BlueGreenPause')
  })

  test('promote while it runs is refused; promote --full promotes and stops it', () => {
    const st = A.prePromotionAnalysis()
    assert.equal(refused(st, ev.promote(), at(s(20))).message, 'promote does not apply in phase Progressing (PrePromotionAnalysis); allowed: promoteFull, pause, abort')
    const r = accepted(st, ev.promoteFull(), at(s(20)))
    assert.equal(phaseOf(r.state), 'Healthy/Promoted')
    assert.deepEqual(only(r.effects, 'stopAnalysis').map((e) => e.id), [runOf(st, 'prePromotion').id])
  })

  test('setWeight while it runs is refused (no flip before it passed)', () => {
    assert.equal(refused(A.prePromotionAnalysis(), ev.setWeight(10000), at(s(20))).code, 'RAMP_ERR_ROLLOUT_VERB_NOT_ALLOWED')
  })

  test('a hold taken before ready starts it at ready; resume goes back to it', () => {
    const held = play(boot({ strategy: PRE_ONLY }), [ev.pause(), s(5)], [ev.ready(), s(10)])
    assert.deepEqual([phaseOf(held), kinds(held)], ['Paused/ManualPause', ['prePromotion']])
    assert.equal(phaseOf(play(held, [ev.resume(), s(20)])), 'Progressing/PrePromotionAnalysis')
  })

  test('a hold over the indefinite wait after it passed resumes to the wait, not to a second analysis', () => {
    const waiting = judge(A.prePromotionAnalysis(), 'prePromotion', 'Successful', s(20))
    const r = accepted(play(waiting, [ev.pause(), s(30)]), ev.resume(), at(s(40)))
    assert.equal(phaseOf(r.state), 'Paused/BlueGreenPause')
    assert.deepEqual(only(r.effects, 'startAnalysis'), [])
  })
})

describe('blue/green post-promotion analysis', () => {
  const flipped = (): RolloutState => A.postPromotionAnalysis()

  test('the flip starts it on the main listener; the old version stays in the table', () => {
    const waiting = judge(A.prePromotionAnalysis(), 'prePromotion', 'Successful', s(20))
    const r = accepted(waiting, ev.promote(), at(s(30)))
    assert.equal(phaseOf(r.state), 'Progressing/PostPromotionAnalysis')
    assert.deepEqual([r.state.weightBp, r.state.scaleDownAt], [10000, null])
    assert.equal(r.state.message, 'Progressing: post-promotion analysis post-health running, v2 active, v1 kept for an instant abort')
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'publish', 'startAnalysis'])
    assert.equal(only(r.effects, 'startAnalysis')[0]?.run.listener, 'main')
    const t = tableOf(r.state)
    assert.deepEqual([t.stable.name, t.canary?.name, t.weightBp], ['v1', 'v2', 10000])
  })

  test('Successful: the scale-down delay starts now', () => {
    const r = accepted(flipped(), verdict(flipped(), 'postPromotion', 'Successful'), at(s(100)))
    assert.deepEqual([phaseOf(r.state), r.state.scaleDownAt], ['Healthy/Promoted', at(s(130))])
    assert.deepEqual(only(r.effects, 'timer'), [{ type: 'timer', at: at(s(130)) }])
  })

  test('Successful with no scale-down delay promotes', () => {
    const st = play(boot({ strategy: { ...POST_ONLY, scaleDownDelaySeconds: 0 } as Strategy }), [ev.ready(), s(10)], [ev.promote(), s(20)])
    assert.equal(phaseOf(st), 'Progressing/PostPromotionAnalysis', 'the analysis runs even without a delay')
    assert.equal(phaseOf(judge(st, 'postPromotion', 'Successful', s(30))), 'Healthy/Promoted')
  })

  test('Failed aborts and flips back: weight 0, stable serves', () => {
    const r = accepted(flipped(), verdict(flipped(), 'postPromotion', 'Failed', 'error-rate 0.2'), at(s(40)))
    assert.equal(phaseOf(r.state), 'Aborted/AnalysisFailed')
    assert.equal(r.state.weightBp, 0)
    assert.equal(r.state.stable.name, 'v1')
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'publish'])
  })

  test('Inconclusive pauses after the flip at 100%; promote goes on to the scale-down delay', () => {
    const st = judge(flipped(), 'postPromotion', 'Inconclusive', s(40), 'no traffic')
    assert.deepEqual([phaseOf(st), st.weightBp, st.message], ['Paused/InconclusiveAnalysis', 10000, 'Paused: InconclusiveAnalysis, after the flip: no traffic'])
    assert.equal(phaseOf(play(st, [ev.promote(), s(50)])), 'Healthy/Promoted')
    assert.equal(phaseOf(play(st, [ev.abort(), s(50)])), 'Aborted/AbortedByAdmin')
  })

  test('promote while it runs skips it: the scale-down delay starts', () => {
    const r = accepted(flipped(), ev.promote(), at(s(40)))
    assert.deepEqual([phaseOf(r.state), r.state.scaleDownAt], ['Healthy/Promoted', at(s(70))])
    assert.equal(only(r.effects, 'stopAnalysis').length, 1)
  })

  test('abort while it runs flips back and stops it', () => {
    const r = accepted(flipped(), ev.abort(), at(s(40)))
    assert.equal(r.state.weightBp, 0)
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'stopAnalysis', 'publish'])
  })

  test('a hold at 0% after the flip: a Successful is kept, resume promotes and starts the window', () => {
    const held = play(flipped(), [ev.setWeight(0, 'bob'), s(40)])
    assert.equal(held.message, 'Paused: weight set to 0% by bob, after the flip')
    const st = play(judge(held, 'postPromotion', 'Successful', s(50)), [ev.resume(), s(60)])
    assert.deepEqual([phaseOf(st), st.stable.name, st.scaleDownAt], ['Healthy/Promoted', 'v2', at(s(90))])
  })

  test('a hold while it runs: resume goes back to it at 100%', () => {
    const st = play(flipped(), [ev.setWeight(0), s(40)], [ev.resume(), s(50)])
    assert.deepEqual([phaseOf(st), st.weightBp], ['Progressing/PostPromotionAnalysis', 10000])
  })

  test('a Failed under a hold still aborts', () => {
    const held = play(flipped(), [ev.pause(), s(40)])
    assert.equal(phaseOf(judge(held, 'postPromotion', 'Failed', s(50))), 'Aborted/AnalysisFailed')
  })
})
