import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { tableOf } from '../../src/rollout/table-of.js'
import { allowedVerbs } from '../../src/rollout/verbs.js'
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

  test('auto-promotion after 120s flips: the new version is stable and the rollout Healthy at once, the old one kept until the window ends', () => {
    const paused = play(boot({ strategy: BG_AUTO }), [ev.ready(), s(10)])
    assert.equal(paused.pauseUntil, at(s(130)))
    assert.equal(accepted(paused, ev.tick(), at(s(130) - 1)).changed, false)

    const flip = accepted(paused, ev.tick(), at(s(130)))
    assert.equal(phaseOf(flip.state), 'Healthy/Promoted')
    assert.equal(flip.state.stable.name, 'v2')
    assert.equal(flip.state.previousStable?.name, 'v1')
    assert.equal(flip.state.scaleDownAt, at(s(160)))
    assert.match(flip.state.message, /v1 kept until .* for an instant abort/)
    assert.deepEqual(only(flip.effects, 'record').map((e) => e.entry.event), ['tick:autoPromotion'])
    assert.deepEqual(only(flip.effects, 'timer'), [{ type: 'timer', at: at(s(160)) }])
    assert.deepEqual(tableOf(flip.state), { mode: 'blueGreen', stable: { name: 'v2', backends: ['http://127.0.0.1:9002', 'http://127.0.0.1:9003'] }, canary: null, weightBp: 0, routes: [], mirror: null })

    const done = accepted(flip.state, ev.tick(), at(s(160)))
    assert.equal(phaseOf(done.state), 'Healthy/Promoted')
    assert.equal(done.state.scaleDownAt, null)
    assert.deepEqual(only(done.effects, 'record').map((e) => e.entry.event), ['tick:scaleDown'])
    assert.deepEqual(allowedVerbs(done.state), ['start'], 'the window is over: nothing to abort')
  })

  test('autoPromotionEnabled false waits for promote, whatever autoPromotionSeconds says (Argo ignores the seconds then)', () => {
    const st = play(boot({ strategy: { ...BG_AUTO, autoPromotionEnabled: false } as Strategy }), [ev.ready(), s(10)])
    assert.equal(phaseOf(st), 'Paused/BlueGreenPause')
    assert.equal(st.pauseUntil, null)
    assert.equal(accepted(st, ev.tick(), at(s(500))).changed, false)
  })

  const immediate: Array<[string, Strategy]> = [
    ['autoPromotionEnabled without a wait flips at ready', { ...BG, autoPromotionEnabled: true } as Strategy],
    ['autoPromotionSeconds 0 flips at ready', { ...BG, autoPromotionEnabled: true, autoPromotionSeconds: 0 } as Strategy],
  ]
  for (const [name, strategy] of immediate) {
    test(name, () => assert.equal(phaseOf(play(boot({ strategy }), [ev.ready(), s(10)])), 'Healthy/Promoted'))
  }

  test('scaleDownDelaySeconds 0 makes the flip the promotion, with no window', () => {
    const st = play(boot({ strategy: { ...BG, scaleDownDelaySeconds: 0 } as Strategy }), [ev.ready(), s(10)], [ev.promote(), s(20)])
    assert.equal(phaseOf(st), 'Healthy/Promoted')
    assert.equal(st.scaleDownAt, null)
  })

  test('abort inside the scale-down window flips back to the old version at once; retry runs the new one again', () => {
    const window = states.scaleDownDelay()
    assert.deepEqual(allowedVerbs(window), ['start', 'abort'])
    const r = accepted(window, ev.abort(), at(s(30)))
    assert.equal(phaseOf(r.state), 'Aborted/AbortedByAdmin')
    assert.equal(r.state.weightBp, 0)
    assert.equal(r.state.scaleDownAt, null)
    assert.equal(r.state.stable.name, 'v1')
    assert.equal(r.state.canary?.name, 'v2')
    assert.deepEqual(tableOf(r.state), { mode: 'blueGreen', stable: { name: 'v1', backends: ['http://127.0.0.1:9001'] }, canary: null, weightBp: 0, routes: [], mirror: null })
    assert.deepEqual(r.effects.map((e) => e.type), ['record', 'publish', 'timer'])
    assert.match(only(r.effects, 'record')[0]?.entry.detail ?? '', /v2 rolled back to v1 inside the scale-down window/)
    const again = accepted(r.state, ev.retry(), at(s(40)))
    assert.equal(phaseOf(again.state), 'Progressing/WaitingForReadiness')
    assert.equal(again.state.canary?.name, 'v2')
  })

  test('a new rollout may start inside the scale-down window, and ends it', () => {
    const r = accepted(states.scaleDownDelay(), ev.start(), at(s(30)))
    assert.equal(phaseOf(r.state), 'Progressing/WaitingForReadiness')
    assert.equal(r.state.stable.name, 'v2')
    assert.equal(r.state.canary?.name, 'v3')
    assert.equal(r.state.scaleDownAt, null)
  })

  test('promote inside the scale-down window: the rollout is already promoted', () => {
    assert.equal(accepted(states.scaleDownDelay(), ev.promote(), at(s(30))).changed, false)
  })

  test('promote --full before the flip promotes in one transition', () => {
    const r = accepted(states.blueGreenPause(), ev.promoteFull(), at(s(30)))
    assert.equal(phaseOf(r.state), 'Healthy/Promoted')
    assert.equal(only(r.effects, 'record').length, 1)
  })

  test('an auto-promotion that falls due under a hold flips on resume', () => {
    const held = play(boot({ strategy: BG_AUTO }), [ev.ready(), s(10)], [ev.pause(), s(20)])
    assert.equal(accepted(held, ev.tick(), at(s(200))).changed, false)
    const r = accepted(held, ev.resume(), at(s(200)))
    assert.equal(phaseOf(r.state), 'Healthy/Promoted')
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
