import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { tableOf } from '../../src/rollout/table-of.js'
import type { Strategy } from '../../src/rollout/types.js'
import { accepted, BG, BG_AUTO, boot, ev, only, play, s, states, T0 } from './fixtures.js'

const at = (offset: number): number => T0 + offset
const phaseOf = (st: { phase: string; reason: string }): string => `${st.phase}/${st.reason}`

describe('blue/green', () => {
  test('ready without auto-promotion waits for promote, canary on the preview listener only', () => {
    const st = states.blueGreenPause()
    assert.equal(phaseOf(st), 'Paused/BlueGreenPause')
    assert.equal(st.pauseUntil, null)
    assert.deepEqual(tableOf(st), { mode: 'blueGreen', stable: { name: 'v1', backends: ['http://127.0.0.1:9001'] }, canary: { name: 'v2', backends: ['http://127.0.0.1:9002', 'http://127.0.0.1:9003'] }, weightBp: 0, routes: [], mirror: null })
  })

  test('auto-promotion after 120s flips, then the scale-down window ends in promotion', () => {
    const paused = play(boot({ strategy: BG_AUTO }), [ev.ready(), s(10)])
    assert.equal(paused.pauseUntil, at(s(130)))
    assert.equal(accepted(paused, ev.tick(), at(s(130) - 1)).changed, false)

    const flip = accepted(paused, ev.tick(), at(s(130)))
    assert.equal(phaseOf(flip.state), 'Progressing/ScaleDownDelay')
    assert.equal(flip.state.weightBp, 10000)
    assert.equal(flip.state.scaleDownAt, at(s(160)))
    assert.deepEqual(only(flip.effects, 'record').map((e) => e.entry.event), ['tick:autoPromotion'])
    assert.deepEqual(only(flip.effects, 'timer'), [{ type: 'timer', at: at(s(160)) }])
    assert.equal(tableOf(flip.state).stable.name, 'v1', 'the old version stays in the table during the window')

    const done = accepted(flip.state, ev.tick(), at(s(160)))
    assert.equal(phaseOf(done.state), 'Healthy/Promoted')
    assert.deepEqual(only(done.effects, 'record').map((e) => e.entry.event), ['tick:scaleDown'])
    assert.equal(tableOf(done.state).stable.name, 'v2')
  })

  const immediate: Array<[string, Strategy]> = [
    ['autoPromotionEnabled without a wait flips at ready', { ...BG, autoPromotionEnabled: true } as Strategy],
    ['autoPromotionSeconds 0 flips at ready', { ...BG, autoPromotionSeconds: 0 } as Strategy],
  ]
  for (const [name, strategy] of immediate) {
    test(name, () => assert.equal(phaseOf(play(boot({ strategy }), [ev.ready(), s(10)])), 'Progressing/ScaleDownDelay'))
  }

  test('scaleDownDelaySeconds 0 makes the flip the promotion', () => {
    const st = play(boot({ strategy: { ...BG, scaleDownDelaySeconds: 0 } as Strategy }), [ev.ready(), s(10)], [ev.promote(), s(20)])
    assert.equal(phaseOf(st), 'Healthy/Promoted')
  })

  test('abort inside the scale-down window flips the main listener back to stable', () => {
    const r = accepted(states.scaleDownDelay(), ev.abort(), at(s(30)))
    assert.equal(phaseOf(r.state), 'Aborted/AbortedByAdmin')
    assert.equal(r.state.weightBp, 0)
    assert.equal(r.state.scaleDownAt, null)
    assert.equal(r.state.stable.name, 'v1')
    assert.equal(tableOf(r.state).canary, null)
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'publish', 'timer'])
  })

  test('promote inside the scale-down window ends it now', () => {
    const r = accepted(states.scaleDownDelay(), ev.promote(), at(s(30)))
    assert.equal(phaseOf(r.state), 'Healthy/Promoted')
    assert.deepEqual(only(r.effects, 'timer'), [{ type: 'timer', at: null }])
  })

  test('promote --full before the flip promotes in one transition', () => {
    const r = accepted(states.blueGreenPause(), ev.promoteFull(), at(s(30)))
    assert.equal(phaseOf(r.state), 'Healthy/Promoted')
    assert.equal(only(r.effects, 'record').length, 1)
  })

  test('a hold inside the window outlives scaleDownAt; resume then promotes', () => {
    const held = play(states.scaleDownDelay(), [ev.pause(), s(30)])
    assert.equal(accepted(held, ev.tick(), at(s(60))).changed, false)
    assert.equal(phaseOf(accepted(held, ev.resume(), at(s(60))).state), 'Healthy/Promoted')
  })

  test('resume inside the window goes back to it at 100%', () => {
    const held = play(states.scaleDownDelay(), [ev.setWeight(0), s(30)])
    const r = accepted(held, ev.resume(), at(s(40)))
    assert.equal(phaseOf(r.state), 'Progressing/ScaleDownDelay')
    assert.equal(r.state.weightBp, 10000)
    assert.equal(r.state.scaleDownAt, at(s(50)))
  })

  test('an auto-promotion that falls due under a hold flips on resume', () => {
    const held = play(boot({ strategy: BG_AUTO }), [ev.ready(), s(10)], [ev.pause(), s(20)])
    assert.equal(accepted(held, ev.tick(), at(s(200))).changed, false)
    const r = accepted(held, ev.resume(), at(s(200)))
    assert.equal(phaseOf(r.state), 'Progressing/ScaleDownDelay')
    assert.equal(r.state.scaleDownAt, at(s(230)))
  })

  test('resume before the auto-promotion is due keeps its deadline', () => {
    const held = play(boot({ strategy: BG_AUTO }), [ev.ready(), s(10)], [ev.pause(), s(20)])
    const r = accepted(held, ev.resume(), at(s(30)))
    assert.equal(phaseOf(r.state), 'Paused/BlueGreenPause')
    assert.equal(r.state.pauseUntil, at(s(130)))
  })

  test('a hold taken while waiting starts the auto-promotion wait on resume', () => {
    const held = play(boot({ strategy: BG_AUTO }), [ev.pause(), s(5)], [ev.ready(), s(10)])
    const r = accepted(held, ev.resume(), at(s(50)))
    assert.equal(phaseOf(r.state), 'Paused/BlueGreenPause')
    assert.equal(r.state.pauseUntil, at(s(170)))
  })

  test('setWeight 100% before the flip, then resume, goes back to 0%', () => {
    const st = play(states.blueGreenPause(), [ev.setWeight(10000), s(20)], [ev.resume(), s(30)])
    assert.equal(phaseOf(st), 'Paused/BlueGreenPause')
    assert.equal(st.weightBp, 0)
  })
})
